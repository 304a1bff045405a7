"""A short summary of how a served spec differs from a stored one (for ``snapshot check``).

The full classification comes from the diff engine; the summary names every breaking
finding, the first warnings, and only counts the rest, so a CI log stays readable.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from contracts.diff import Level, diff_specs

MAX_WARNING_LINES = 10


def summarize_drift(stored: dict[str, Any], served: dict[str, Any]) -> list[str]:
    """Lines that say what changed: counts per level, then the breaking changes and warnings."""
    changes = sorted(diff_specs(stored, served).changes, key=lambda c: -c.level)
    if not changes:
        return ["the documents differ, but in nothing a client sees (descriptions, examples, info)"]
    counts = Counter(c.level for c in changes)
    lines = [", ".join(f"{counts[level]} {level}" for level in sorted(counts, reverse=True))]
    for level, limit in ((Level.BREAKING, len(changes)), (Level.WARNING, MAX_WARNING_LINES)):
        of_level = [c for c in changes if c.level == level]
        for change in of_level[:limit]:
            where = f"{change.operation}: " if change.operation else ""
            lines.append(f"{level}: {where}{change.message}")
        if len(of_level) > limit:
            lines.append(f"... and {len(of_level) - limit} more {level} change(s)")
    return lines
