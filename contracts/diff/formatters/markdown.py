"""Markdown for a pull-request comment: breaking and warnings in tables, the rest folded away."""

from __future__ import annotations

from contracts.diff.formatters import RenderOptions, media_note, shown
from contracts.diff.model import Change, DiffReport, Level

_HEADINGS = {Level.BREAKING: "Breaking changes", Level.WARNING: "Warnings", Level.INFO: "Other changes"}


def render(reports: list[DiffReport], options: RenderOptions) -> str:
    return "\n".join(_render_one(report, options) for report in reports)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(changes: list[Change]) -> list[str]:
    lines = ["| operation | change | rule |", "|---|---|---|"]
    for c in changes:
        message = _cell(c.message)
        if media_note(c):
            message += f" <sub>{_cell(media_note(c))}</sub>"
        if c.ignored:
            message = f"~~{message}~~ (ignored: {_cell(c.ignored_reason or '')})"
        lines.append(f"| `{_cell(c.operation or 'whole API')}` | {message} | `{c.id}` |")
    return lines


def _render_one(report: DiffReport, options: RenderOptions) -> str:
    suffix = " (across versions)" if report.across else ""
    lines = [
        f"### API changes: `{report.old}` → `{report.new}`{suffix}",
        "",
        f"**{report.summary_line()}**",
        "",
    ]
    changes = shown(report, options)
    if not report.changes:
        lines += ["No changes.", ""]
    for level in (Level.BREAKING, Level.WARNING, Level.INFO):
        group = [c for c in changes if c.level == level]
        if not group:
            continue
        if level == Level.INFO:
            lines += [f"<details><summary>{_HEADINGS[level]} ({len(group)})</summary>", ""]
            lines += _table(group)
            lines += ["", "</details>", ""]
        else:
            lines += [f"#### {_HEADINGS[level]} ({len(group)})", ""]
            lines += _table(group)
            lines.append("")
    return "\n".join(lines)
