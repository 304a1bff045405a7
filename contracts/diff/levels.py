"""A team's own levels: ``--levels FILE`` maps rule ids to breaking, warning, info or ignore.

Like oasdiff's severity levels: the file is a YAML (or JSON) mapping ``rule-id: level``; ``ignore``
drops the rule's findings from the report. It is checked on load, so a typo is one clear error.
"""

from __future__ import annotations

from contracts.datafile import read_document
from contracts.diff.model import DiffReport, Level
from contracts.errors import ContractsError

LEVEL_NAMES = ("breaking", "warning", "info", "ignore")

Levels = dict[str, Level | None]
"""Rule id -> its level in this run; None means "ignore": the rule's findings are dropped."""


def load_levels(path: str, known_ids: set[str]) -> Levels:
    """Read and check a levels file; every problem is one line naming the file and the entry."""
    data = read_document(path, "levels file")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContractsError(f"{path}: expected a mapping of rule id to level ({', '.join(LEVEL_NAMES)})")
    levels: Levels = {}
    for rule_id, level in data.items():
        if not isinstance(rule_id, str) or rule_id not in known_ids:
            raise ContractsError(f"{path}: unknown rule id {rule_id!r} (see `diff --rules`)")
        if not isinstance(level, str) or level.strip().lower() not in LEVEL_NAMES:
            raise ContractsError(
                f"{path}: {rule_id}: unknown level {level!r}; expected one of {', '.join(LEVEL_NAMES)}"
            )
        name = level.strip().lower()
        levels[rule_id] = None if name == "ignore" else Level.parse(name)
    return levels


def apply_levels(report: DiffReport, levels: Levels) -> None:
    """Give each finding its rule's level from ``levels``; findings of ignored rules leave the report."""
    if not levels:
        return
    kept = []
    for change in report.changes:
        if change.id in levels:
            level = levels[change.id]
            if level is None:
                continue
            change.level = level
        kept.append(change)
    report.changes = kept
