"""The request body as a whole: required or not, and which media types it accepts."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.diff.checks.base import CheckContext, finding, rule
from contracts.diff.model import Change, Level
from contracts.diff.spec_model import Operation

ADDED_REQUIRED = rule("request-body-added-required", Level.BREAKING, "a required request body was added")
ADDED = rule("request-body-added", Level.INFO, "an optional request body was added")
REMOVED = rule("request-body-removed", Level.WARNING, "the request body was removed; a sent body is ignored")
BECAME_REQUIRED = rule("request-body-became-required", Level.BREAKING, "the request body became required")
BECAME_OPTIONAL = rule("request-body-became-optional", Level.INFO, "the request body became optional")
MEDIA_TYPE_REMOVED = rule(
    "request-media-type-removed", Level.BREAKING, "a request media type is no longer accepted"
)
MEDIA_TYPE_ADDED = rule("request-media-type-added", Level.INFO, "a new request media type is accepted")

RULES = [
    ADDED_REQUIRED,
    ADDED,
    REMOVED,
    BECAME_REQUIRED,
    BECAME_OPTIONAL,
    MEDIA_TYPE_REMOVED,
    MEDIA_TYPE_ADDED,
]


def check_operation(old: Operation, new: Operation, ctx: CheckContext) -> Iterator[Change]:
    op = new.title
    before, after = old.request_body, new.request_body
    if before is None and after is None:
        return
    if before is None:
        assert after is not None
        r = ADDED_REQUIRED if after.required else ADDED
        kind = "required" if after.required else "optional"
        yield finding(r, op, "request", f"{kind} request body added", after.content)
        return
    if after is None:
        yield finding(REMOVED, op, "request", "request body removed", before.content)
        return
    if after.required and not before.required:
        yield finding(BECAME_REQUIRED, op, "request", "request body became required")
    elif before.required and not after.required:
        yield finding(BECAME_OPTIONAL, op, "request", "request body became optional")
    gone = [m for m in before.content if m not in after.content]
    if gone:
        yield finding(MEDIA_TYPE_REMOVED, op, "request", "request media type removed", gone)
    new_types = [m for m in after.content if m not in before.content]
    if new_types:
        yield finding(MEDIA_TYPE_ADDED, op, "request", "request media type added", new_types)
