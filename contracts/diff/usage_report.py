"""How ``diff --usage`` shows what it filtered out: one summary per report, in the chosen format.

The formatters render the used findings as any diff; this adds the "breaking, but not used by
this client" summary: a section in text and Markdown, a ``usage`` object per report in JSON.
JUnit and GitHub annotations carry only the used findings.
"""

from __future__ import annotations

import json

from contracts.diff.usage_filter import UsageSplit


def annotate(text: str, fmt: str, splits: list[UsageSplit], source: str) -> str:
    if fmt == "json":
        return _json(text, splits, source)
    if fmt == "text":
        return text.rstrip("\n") + "\n\n" + "\n".join(_lines(splits, source, "")) + "\n"
    if fmt == "markdown":
        return (
            text.rstrip("\n")
            + "\n\n### Usage: "
            + source
            + "\n\n"
            + "\n".join(_lines(splits, source, "- "))
            + "\n"
        )
    return text


def _lines(splits: list[UsageSplit], source: str, bullet: str) -> list[str]:
    lines = [] if bullet else [f"Usage ({source}):"]
    for split in splits:
        lines.append(
            f"{bullet or '  '}{split.operations_called} operation(s) called"
            + (f", {split.unmatched} request(s) outside the old spec" if split.unmatched else "")
            + f"; {split.summary_line()}"
        )
    return lines


def _json(text: str, splits: list[UsageSplit], source: str) -> str:
    data = json.loads(text)
    reports = data.get("history", [data])
    for report, split in zip(reports, splits, strict=False):
        counts = split.unused_counts()
        report["usage"] = {
            "source": source,
            "operations_called": split.operations_called,
            "unmatched_requests": split.unmatched,
            "not_used": {level: counts.get(level, 0) for level in ("breaking", "warning", "info")},
            "not_used_changes": [c.to_dict() for c in split.unused if not c.ignored],
        }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
