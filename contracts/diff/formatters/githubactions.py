"""GitHub Actions workflow commands: each finding becomes an annotation on the run."""

from __future__ import annotations

from contracts.diff.formatters import RenderOptions, shown
from contracts.diff.model import DiffReport, Level

_COMMAND = {Level.BREAKING: "error", Level.WARNING: "warning", Level.INFO: "notice"}


def _escape(text: str) -> str:
    """Escapes the workflow-command syntax requires in messages."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render(reports: list[DiffReport], options: RenderOptions) -> str:
    lines = []
    for report in reports:
        for change in shown(report, options):
            if change.ignored:
                continue
            title = _escape(change.id).replace(",", "%2C").replace(":", "%3A")
            where = f"{change.operation}: " if change.operation else ""
            text = _escape(f"{where}{change.message} ({report.old} -> {report.new})")
            lines.append(f"::{_COMMAND[change.level]} title={title}::{text}")
    return "\n".join(lines) + ("\n" if lines else "")
