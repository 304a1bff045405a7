"""Output formats; each module has ``render(reports, options) -> str`` and is imported on demand."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from contracts.diff.model import Change, DiffReport, Level
from contracts.records import record

FORMATS = {
    "text": "contracts.diff.formatters.text",
    "json": "contracts.diff.formatters.json_format",
    "markdown": "contracts.diff.formatters.markdown",
    "junit": "contracts.diff.formatters.junit",
    "githubactions": "contracts.diff.formatters.githubactions",
    "html": "contracts.diff.formatters.html",
}


@record
class RenderOptions:
    fail_on: Level | None = Level.BREAKING  # None: never fail
    min_level: Level = Level.INFO  # hide less severe findings (text and markdown)
    color: bool = False
    history: bool = False  # several reports form a changelog


def renderer(name: str) -> Callable[[list[DiffReport], RenderOptions], str]:
    return importlib.import_module(FORMATS[name]).render


def shown(report: DiffReport, options: RenderOptions) -> list[Change]:
    return [c for c in report.changes if c.level >= options.min_level]


def by_operation(changes: list[Change]) -> dict[str, list[Change]]:
    """Findings grouped by operation, keeping the report's order."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.operation, []).append(change)
    return groups


def media_note(change: Change) -> str:
    """Media types worth printing: several, or a single one other than plain JSON."""
    types = change.media_types
    if not types or not change.location or types == ["application/json"]:
        return ""
    return ", ".join(types)
