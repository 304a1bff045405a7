"""JSON: ``{"changes": [...], "summary": {...}}``; a history is ``{"history": [...], "summary": {...}}``."""

from __future__ import annotations

import json

from contracts.diff.formatters import RenderOptions
from contracts.diff.model import DiffReport


def render(reports: list[DiffReport], options: RenderOptions) -> str:
    if not options.history:
        return json.dumps(reports[0].to_dict(), indent=2, ensure_ascii=False) + "\n"
    total: dict[str, int] = {}
    for report in reports:
        for key, value in report.summary().items():
            if key != "operations":
                total[key] = total.get(key, 0) + value
    data = {"history": [r.to_dict() for r in reports], "summary": total}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
