"""Headers a response declares: clients that read them break when they go away or change type."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.diff import schema_diff as facts
from contracts.diff.checks.base import CheckContext, accepts_all, finding, response_pairs, rule
from contracts.diff.model import Change, Level
from contracts.diff.spec_model import Operation

REMOVED = rule("response-header-removed", Level.BREAKING, "a response header was removed")
ADDED = rule("response-header-added", Level.INFO, "a response header was added")
BECAME_OPTIONAL = rule(
    "response-header-became-optional", Level.WARNING, "a response header that was always sent may be missing"
)
TYPE_CHANGED = rule(
    "response-header-type-changed", Level.BREAKING, "a response header's type or format changed"
)

RULES = [REMOVED, ADDED, BECAME_OPTIONAL, TYPE_CHANGED]


def check_operation(old: Operation, new: Operation, ctx: CheckContext) -> Iterator[Change]:
    op = new.title
    for old_status, status in response_pairs(old, new):
        before, response = old.responses[old_status], new.responses[status]
        for key, header in before.headers.items():
            where = f"response.{status}.header.{header.name}"
            after = response.headers.get(key)
            if after is None:
                yield finding(REMOVED, op, where, f"response {status}: header `{header.name}` removed")
                continue
            if header.required and not after.required:
                yield finding(
                    BECAME_OPTIONAL, op, where, f"response {status}: header `{header.name}` became optional"
                )
            for change in ctx.schema_changes(header.schema, after.schema, "response"):
                if change.kind == facts.TYPE and not change.path and not accepts_all(change.old, change.new):  # type: ignore[arg-type]
                    yield finding(
                        TYPE_CHANGED,
                        op,
                        where,
                        f"response {status}: header `{header.name}` type {change.detail}",
                    )
        for key, header in response.headers.items():
            if key not in before.headers:
                where = f"response.{status}.header.{header.name}"
                yield finding(ADDED, op, where, f"response {status}: header `{header.name}` added")
