"""Plain text grouped by operation; coloured by level when writing to a terminal."""

from __future__ import annotations

from contracts.diff.formatters import RenderOptions, by_operation, media_note, shown
from contracts.diff.model import DiffReport, Level

_COLOURS = {Level.BREAKING: "\033[1;31m", Level.WARNING: "\033[33m", Level.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render(reports: list[DiffReport], options: RenderOptions) -> str:
    return "\n".join(_render_one(report, options) for report in reports)


def _paint(text: str, code: str, options: RenderOptions) -> str:
    return f"{code}{text}{_RESET}" if options.color else text


def _render_one(report: DiffReport, options: RenderOptions) -> str:
    title = f"{report.old} -> {report.new}" + (" (across versions)" if report.across else "")
    lines = [_paint(title, _BOLD, options), report.summary_line()]
    changes = shown(report, options)
    hidden = len(report.changes) - len(changes)
    if not report.changes:
        lines.append("no changes")
    for operation, group in by_operation(changes).items():
        lines.append("")
        lines.append(_paint(operation or "whole API", _BOLD, options))
        for change in group:
            level = _paint(f"{change.level.label:8}", _COLOURS[change.level], options)
            text = f"  {level} {change.message}"
            if media_note(change):
                text += f" [{media_note(change)}]"
            text += _paint(f"  ({change.id})", _DIM, options)
            if change.ignored:
                text += _paint(f"  ignored: {change.ignored_reason}", _DIM, options)
            lines.append(text)
    if hidden:
        lines.append("")
        lines.append(f"({hidden} finding(s) below {options.min_level.label} not shown)")
    lines.append("")
    return "\n".join(lines)
