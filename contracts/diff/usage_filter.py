"""The filter step of ``diff --usage``: which findings touch what this client used.

Observations are matched to the OLD spec's operations (the client speaks the older build or
version); a finding touches the client when it is on an operation it called and on something it
sent or received there: a parameter it sent, a request property it sent, a status it got or a
response property it saw. Findings that break a client *because* it does not send something
(a new required parameter or property, a body that became required) touch every caller. When
the traffic has no bodies (the mock's request log), every body finding of a called operation
counts as used. Whole-API findings (a security scheme) touch every client that called anything.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from contracts.diff.model import Change, DiffReport, Level
from contracts.diff.spec_model import path_key
from contracts.diff.usage import Observation
from contracts.openapi import OPERATION_METHODS as METHODS

PARAM_LOCATIONS = ("path", "query", "header", "cookie")


@dataclass
class OperationUsage:
    calls: int = 0
    params: set[tuple[str, str]] = field(default_factory=set)
    request_properties: set[str] = field(default_factory=set)
    statuses: set[int] = field(default_factory=set)
    response_properties: dict[int, set[str]] = field(default_factory=dict)
    bodies_known: bool = True


@dataclass
class ClientUsage:
    """What one client used, by operation key (the diff's ``METHOD /shape`` key)."""

    operations: dict[str, OperationUsage]
    unmatched: int  # requests that match no operation of the old spec

    def get(self, operation: str, across: bool) -> OperationUsage | None:
        method, _, path = operation.partition(" ")
        return self.operations.get(f"{method} {path_key(path, across)[0]}")


@dataclass
class UsageSplit:
    """One report's findings split in two; the report itself keeps only the used ones."""

    unused: list[Change]
    operations_called: int
    unmatched: int

    def unused_counts(self) -> Counter[str]:
        return Counter(c.level.label for c in self.unused if not c.ignored)

    def summary_line(self) -> str:
        counts = self.unused_counts()
        breaking = counts.get("breaking", 0)
        ops = len({c.operation for c in self.unused if c.level == Level.BREAKING and c.operation})
        others = counts.get("warning", 0) + counts.get("info", 0)
        return (
            f"{breaking} breaking, but not used by this client ({ops} operation{'s' if ops != 1 else ''}); "
            f"{others} warning/info not used"
        )


def client_usage(observations: list[Observation], old_doc: dict[str, Any], across: bool) -> ClientUsage:
    """Map each observed request to the old spec's operation it called."""
    matcher = TemplateMatcher(old_doc)
    operations: dict[str, OperationUsage] = {}
    unmatched = 0
    for seen in observations:
        template = matcher.match(seen.method, seen.path)
        if template is None:
            unmatched += 1
            continue
        key = f"{seen.method} {path_key(template, across)[0]}"
        usage = operations.setdefault(key, OperationUsage())
        usage.calls += 1
        usage.params.update(("query", name) for name in seen.query)
        usage.params.update(("header", name.lower()) for name in seen.headers)
        usage.request_properties |= seen.request_properties
        if seen.status:
            usage.statuses.add(seen.status)
            usage.response_properties.setdefault(seen.status, set()).update(seen.response_properties)
        usage.bodies_known = usage.bodies_known and seen.bodies_known
    return ClientUsage(operations, unmatched)


def split_report(report: DiffReport, usage: ClientUsage) -> UsageSplit:
    """Keep in ``report`` the findings that touch the client; return the others."""
    used, unused = [], []
    for change in report.changes:
        (used if touches(change, usage, report.across) else unused).append(change)
    report.changes = used
    return UsageSplit(unused, len(usage.operations), usage.unmatched)


def filter_report(
    report: DiffReport, observations: list[Observation], old_doc: dict[str, Any], across: bool
) -> UsageSplit:
    """The filter step: the report keeps what touches the client's traffic."""
    return split_report(report, client_usage(observations, old_doc, across))


def filter_by_usage(
    usage_file: str | None, old_docs: list[dict[str, Any]], reports: list[DiffReport]
) -> list[UsageSplit] | None:
    """``diff --usage``: each report keeps what touches the traffic in ``usage_file`` (None: no filter)."""
    if usage_file is None:
        return None
    from contracts.diff.usage import load_usage

    observations = load_usage(usage_file)
    return [
        filter_report(report, observations, old_doc, report.across)
        for old_doc, report in zip(old_docs, reports, strict=True)
    ]


def touches(change: Change, usage: ClientUsage, across: bool) -> bool:
    if not change.operation:
        return bool(usage.operations)
    op = usage.get(change.operation, across)
    if op is None:
        return False
    location = change.location
    head = location.split(".", 1)[0]
    if _hits_callers(change) or location in ("", "security", "request"):
        return True
    if head in PARAM_LOCATIONS:
        name = location.split(".", 1)[1] if "." in location else ""
        return head == "path" or (head, name.lower() if head == "header" else name) in op.params
    if location.startswith("request"):
        return not op.bodies_known or _seen(location[len("request") :], op.request_properties)
    if location.startswith("response."):
        status, suffix = _status_and_suffix(location[len("response.") :])
        statuses = [s for s in op.statuses if _status_matches(status, s)]
        if not statuses:
            return False
        if not suffix or suffix.startswith(".header.") or not op.bodies_known:
            return True
        return any(_seen(suffix, op.response_properties.get(s, set())) for s in statuses)
    return True  # a location this filter does not know: count it, never hide it


def _hits_callers(change: Change) -> bool:
    """Findings that break a client because it does NOT send something."""
    rule = change.id
    return rule.startswith("request-") and ("added-required" in rule or "became-required" in rule)


def _seen(suffix: str, seen: set[str]) -> bool:
    if not suffix:
        return bool(seen)
    return suffix in seen or any(p.startswith(suffix + ".") or p.startswith(suffix + "[") for p in seen)


def _status_and_suffix(rest: str) -> tuple[str, str]:
    for index, char in enumerate(rest):
        if char in ".[":
            return rest[:index], rest[index:]
    return rest, ""


def _status_matches(declared: str, status: int) -> bool:
    declared = declared.upper()
    if declared == "DEFAULT":
        return True
    if declared.endswith("XX"):
        return str(status)[0] == declared[0]
    return declared == str(status)


class TemplateMatcher:
    """Concrete paths to the spec's templates; literals further left win, as in the mock's router."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self._by_length: dict[int, list[tuple[tuple[bool, ...], list[str | None], str, set[str]]]] = {}
        for template, item in (doc.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            parts = str(template).strip("/").split("/")
            literals = [None if p.startswith("{") and p.endswith("}") else p.lower() for p in parts]
            methods = {m.upper() for m in METHODS if isinstance(item.get(m), dict)}
            rank = tuple(p is not None for p in literals)
            self._by_length.setdefault(len(parts), []).append((rank, literals, str(template), methods))
        for group in self._by_length.values():
            group.sort(key=lambda t: t[0], reverse=True)

    def match(self, method: str, path: str) -> str | None:
        segments = path.strip("/").split("/")
        for _, literals, template, methods in self._by_length.get(len(segments), []):
            if method not in methods:
                continue
            if all(
                (lit is None and seg != "") or (lit is not None and lit == seg.lower())
                for lit, seg in zip(literals, segments, strict=True)
            ):
                return template
        return None
