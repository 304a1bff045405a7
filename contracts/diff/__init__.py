"""Breaking-change detection between two OpenAPI specs (``madaster-contracts diff``).

Pipeline: ``spec_model`` normalises each document (``$ref``, ``allOf``, nullable, path shapes),
``schema_diff`` lists neutral facts, the modules in ``checks`` turn facts into classified findings,
``formatters`` render them. Other commands use :func:`diff_specs` and :class:`DiffReport`.
"""

from contracts.diff.engine import diff_specs
from contracts.diff.model import Change, DiffReport, Level, Rule

__all__ = ["Change", "DiffReport", "Level", "Rule", "diff_specs"]
