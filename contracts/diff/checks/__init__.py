"""One module per rule group. Each defines its ``RULES`` and ``check_spec`` and/or ``check_operation``.

Adding a rule group is adding a module here and listing it in ``CHECK_MODULES``.
"""

from __future__ import annotations

from types import ModuleType

from contracts.diff.checks import (
    operations,
    parameter_style,
    parameters,
    request_body,
    request_properties,
    response_headers,
    response_properties,
    responses,
    security,
)

CHECK_MODULES: list[ModuleType] = [
    operations,
    security,
    parameters,
    parameter_style,
    request_body,
    request_properties,
    responses,
    response_properties,
    response_headers,
]
