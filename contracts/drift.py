"""A short summary of how a served spec differs from a stored one (for ``snapshot check``)."""

from __future__ import annotations

from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operations(doc: dict[str, Any]) -> set[str]:
    """``METHOD /path`` of every operation."""
    found = set()
    for path, item in (doc.get("paths") or {}).items():
        if isinstance(item, dict):
            found.update(f"{method.upper()} {path}" for method in item if method in HTTP_METHODS)
    return found


def summarize_drift(stored: dict[str, Any], served: dict[str, Any]) -> list[str]:
    """Lines that say what changed: breaking-change findings, else operations added/removed."""
    try:
        from contracts.diff import diff_specs
    except ImportError:  # the diff engine is optional here
        diff_specs = None
    if diff_specs is not None:
        report = diff_specs(stored, served)
        return [f"{c.level}: {c.operation}: {c.message}" for c in report.changes] or [
            "the documents differ, but not in any operation, parameter, body or response"
        ]
    before, after = operations(stored), operations(served)
    lines = [f"removed: {op}" for op in sorted(before - after)]
    lines += [f"added: {op}" for op in sorted(after - before)]
    changed = sorted(op for op in before & after if _operation(stored, op) != _operation(served, op))
    lines += [f"changed: {op}" for op in changed]
    return lines or ["the documents differ outside the operations (components, info, ...)"]


def _operation(doc: dict[str, Any], op: str) -> Any:
    method, path = op.split(" ", 1)
    return doc["paths"][path][method.lower()]
