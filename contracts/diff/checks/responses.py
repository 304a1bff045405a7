"""Response status codes and response media types."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.diff.checks.base import CheckContext, finding, response_pairs, rule
from contracts.diff.model import Change, Level
from contracts.diff.spec_model import Operation

SUCCESS_STATUS_REMOVED = rule(
    "response-success-status-removed", Level.BREAKING, "a success (2xx) response status was removed"
)
NON_SUCCESS_STATUS_REMOVED = rule(
    "response-non-success-status-removed", Level.WARNING, "a non-success response status was removed"
)
SUCCESS_STATUS_ADDED = rule(
    "response-success-status-added", Level.WARNING, "a new success status was documented"
)
NON_SUCCESS_STATUS_ADDED = rule(
    "response-non-success-status-added", Level.INFO, "a new error or default response was documented"
)
STATUS_RANGE_CHANGED = rule(
    "response-status-range-changed",
    Level.INFO,
    "a status is now documented by its range or the other way round (200 -> 2XX, 4XX -> 404)",
)
MEDIA_TYPE_REMOVED = rule("response-media-type-removed", Level.BREAKING, "a response media type was removed")
MEDIA_TYPE_ADDED = rule("response-media-type-added", Level.INFO, "a response media type was added")

RULES = [
    SUCCESS_STATUS_REMOVED,
    NON_SUCCESS_STATUS_REMOVED,
    SUCCESS_STATUS_ADDED,
    NON_SUCCESS_STATUS_ADDED,
    STATUS_RANGE_CHANGED,
    MEDIA_TYPE_REMOVED,
    MEDIA_TYPE_ADDED,
]


def is_success(status: str) -> bool:
    return status.startswith("2")


def check_operation(old: Operation, new: Operation, ctx: CheckContext) -> Iterator[Change]:
    op = new.title
    pairs = response_pairs(old, new)
    paired_old, paired_new = {o for o, _ in pairs}, {n for _, n in pairs}
    for status in old.responses:
        if status not in paired_old:
            r = SUCCESS_STATUS_REMOVED if is_success(status) else NON_SUCCESS_STATUS_REMOVED
            yield finding(r, op, f"response.{status}", f"response {status} removed")
    for status in new.responses:
        if status not in paired_new:
            r = SUCCESS_STATUS_ADDED if is_success(status) else NON_SUCCESS_STATUS_ADDED
            yield finding(r, op, f"response.{status}", f"response {status} added")
    for old_status, status in pairs:
        before, response = old.responses[old_status], new.responses[status]
        if old_status != status:
            text = f"response {old_status} now documented as {status}"
            yield finding(STATUS_RANGE_CHANGED, op, f"response.{status}", text)
        gone = [m for m in before.content if m not in response.content]
        if gone:
            yield finding(
                MEDIA_TYPE_REMOVED, op, f"response.{status}", f"response {status}: media type removed", gone
            )
        added = [m for m in response.content if m not in before.content]
        if added:
            yield finding(
                MEDIA_TYPE_ADDED, op, f"response.{status}", f"response {status}: media type added", added
            )
