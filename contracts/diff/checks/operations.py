"""Operations appearing, disappearing or being deprecated."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.diff.checks.base import CheckContext, finding, rule
from contracts.diff.model import Change, Level
from contracts.diff.spec_model import Operation, SpecModel

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)
if TYPE_CHECKING:
    from typing import Any

OPERATION_REMOVED = rule("operation-removed", Level.BREAKING, "an operation was removed")
DEPRECATED_OPERATION_REMOVED = rule(
    "deprecated-operation-removed", Level.INFO, "an operation that was already deprecated was removed"
)
REMOVED_BEFORE_SUNSET = rule(
    "operation-removed-before-sunset",
    Level.BREAKING,
    "a deprecated operation was removed before the sunset date it announced (x-sunset)",
)
OPERATION_ADDED = rule("operation-added", Level.INFO, "an operation was added")
OPERATION_DEPRECATED = rule("operation-deprecated", Level.WARNING, "an operation became deprecated")
OPERATION_UNDEPRECATED = rule("operation-undeprecated", Level.INFO, "an operation is no longer deprecated")
OPERATION_ID_CHANGED = rule(
    "operation-id-changed", Level.WARNING, "the operationId changed (generated client method names change)"
)

RULES = [
    OPERATION_REMOVED,
    DEPRECATED_OPERATION_REMOVED,
    REMOVED_BEFORE_SUNSET,
    OPERATION_ADDED,
    OPERATION_DEPRECATED,
    OPERATION_UNDEPRECATED,
    OPERATION_ID_CHANGED,
]


def check_spec(old: SpecModel, new: SpecModel, ctx: CheckContext) -> Iterator[Change]:
    for key, op in old.operations.items():
        if key not in new.operations:
            if op.deprecated and _before_sunset(op.sunset):
                text = f"deprecated operation removed before its sunset date {op.sunset}"
                yield finding(REMOVED_BEFORE_SUNSET, op.title, "", text)
            elif op.deprecated:
                yield finding(DEPRECATED_OPERATION_REMOVED, op.title, "", "deprecated operation removed")
            else:
                yield finding(OPERATION_REMOVED, op.title, "", "operation removed")
    for key, op in new.operations.items():
        if key not in old.operations:
            yield finding(OPERATION_ADDED, op.title, "", "operation added")


def _before_sunset(sunset: str | None, today: Any = None) -> bool:
    """True when the announced sunset date is still ahead (an unreadable date counts as ahead)."""
    if not sunset:
        return False
    from datetime import UTC, date, datetime  # only specs announcing a sunset pay for it

    today = today or datetime.now(UTC).date()
    try:
        return date.fromisoformat(sunset[:10]) > today
    except ValueError:
        return True


def check_operation(old: Operation, new: Operation, ctx: CheckContext) -> Iterator[Change]:
    if new.deprecated and not old.deprecated:
        text = f"operation deprecated (sunset {new.sunset})" if new.sunset else "operation deprecated"
        yield finding(OPERATION_DEPRECATED, new.title, "", text)
    elif old.deprecated and not new.deprecated:
        yield finding(OPERATION_UNDEPRECATED, new.title, "", "operation no longer deprecated")
    if old.operation_id and new.operation_id and old.operation_id != new.operation_id:
        yield finding(
            OPERATION_ID_CHANGED, new.title, "", f"operationId {old.operation_id} -> {new.operation_id}"
        )
