"""Accepted changes: a YAML list of ``{id, operation, location, reason}`` marking findings as ignored.

Ignored findings stay in the report (marked, with the reason) but no longer fail the build.
``operation`` and ``location`` may be left out (any) or use shell wildcards (``GET /api/v3.0/*``).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import NamedTuple

from contracts.datafile import read_document
from contracts.diff.model import Change, DiffReport
from contracts.errors import ContractsError


class IgnoreEntry(NamedTuple):
    id: str
    operation: str | None
    location: str | None
    reason: str

    def matches(self, change: Change) -> bool:
        if change.id != self.id:
            return False
        if self.operation is not None and not _match(self.operation, change.operation):
            return False
        return self.location is None or _match(self.location, change.location)


def _match(pattern: str, value: str) -> bool:
    if any(ch in pattern for ch in "*?["):
        return fnmatchcase(value, pattern)
    return pattern == value


def load_ignore_file(path: str, known_ids: set[str]) -> list[IgnoreEntry]:
    """Read and check an ignore file; every problem is one line naming the file and the entry."""
    data = read_document(path, "ignore file")
    if data is None:
        return []
    if not isinstance(data, list):
        raise ContractsError(f"{path}: expected a list of {{id, operation, location, reason}} entries")
    entries = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ContractsError(f"{path}: entry {number} is not a mapping")
        unknown = set(item) - {"id", "operation", "location", "reason"}
        if unknown:
            raise ContractsError(
                f"{path}: entry {number}: unknown key(s) {', '.join(sorted(map(str, unknown)))}"
            )
        rule_id, reason = item.get("id"), item.get("reason")
        if not isinstance(rule_id, str) or not rule_id:
            raise ContractsError(f"{path}: entry {number}: 'id' (a rule id) is required")
        if rule_id not in known_ids:
            raise ContractsError(f"{path}: entry {number}: unknown rule id {rule_id!r}")
        if not isinstance(reason, str) or not reason.strip():
            raise ContractsError(f"{path}: entry {number}: 'reason' is required (say why it is accepted)")
        operation, location = item.get("operation"), item.get("location")
        for key, value in (("operation", operation), ("location", location)):
            if value is not None and not isinstance(value, str):
                raise ContractsError(f"{path}: entry {number}: '{key}' must be a string")
        entries.append(IgnoreEntry(rule_id, operation, location, reason.strip()))
    return entries


def apply_ignores(report: DiffReport, entries: list[IgnoreEntry]) -> None:
    """Mark every finding an entry accepts (first matching entry's reason wins)."""
    for change in report.changes:
        for entry in entries:
            if entry.matches(change):
                change.ignored_reason = entry.reason
                break
