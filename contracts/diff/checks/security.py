"""Authentication requirements: who may call an operation, compared by scheme definition, not name.

A change to the document-wide ``security`` is reported once for the whole API, not once per
operation; operations with their own ``security`` are compared one by one.
"""

from __future__ import annotations

from collections.abc import Iterator

from contracts.diff.checks.base import CheckContext, finding, rule
from contracts.diff.model import Change, Level
from contracts.diff.spec_model import Operation, SpecModel

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)
if TYPE_CHECKING:
    from typing import Any

REQUIRED_ADDED = rule(
    "security-added", Level.BREAKING, "authentication is now required where anonymous calls were allowed"
)
REQUIREMENT_CHANGED = rule(
    "security-requirement-changed",
    Level.BREAKING,
    "a way of authenticating the old spec accepted (scheme, key name or scopes) is no longer accepted",
)
ALTERNATIVE_ADDED = rule("security-alternative-added", Level.INFO, "a new way of authenticating is accepted")
REMOVED = rule("security-removed", Level.INFO, "authentication is no longer required")

RULES = [REQUIRED_ADDED, REQUIREMENT_CHANGED, ALTERNATIVE_ADDED, REMOVED]


def _describe(alternative: frozenset, names: dict[Any, str]) -> str:
    if not alternative:
        return "anonymous"
    parts = []
    for definition, scopes in sorted(alternative, key=str):
        kind, in_, key_name = definition[0], definition[1], definition[2]
        name = names.get(definition, kind)
        text = f"{name} ({kind} {in_} {key_name})".replace("  ", " ").replace(" )", ")")
        parts.append(text + (f" scopes {', '.join(scopes)}" if scopes else ""))
    return " + ".join(parts)


def _compare(
    old: frozenset, new: frozenset, old_names: dict, new_names: dict, operation: str
) -> Iterator[Change]:
    if old == new:
        return
    old_anonymous = not old or frozenset() in old
    new_anonymous = not new or frozenset() in new
    if old_anonymous and not new_anonymous:
        text = " or ".join(_describe(a, new_names) for a in sorted(new, key=str))
        yield finding(REQUIRED_ADDED, operation, "security", f"authentication now required: {text}")
        return
    if new_anonymous and not old_anonymous:
        yield finding(REMOVED, operation, "security", "authentication no longer required")
        return
    for alternative in sorted(old - new, key=str):
        if alternative:
            now = " or ".join(_describe(a, new_names) for a in sorted(new, key=str)) or "none"
            yield finding(
                REQUIREMENT_CHANGED,
                operation,
                "security",
                f"no longer accepted: {_describe(alternative, old_names)}; accepted now: {now}",
            )
    for alternative in sorted(new - old, key=str):
        if alternative and not (old - new):
            yield finding(
                ALTERNATIVE_ADDED,
                operation,
                "security",
                f"also accepted: {_describe(alternative, new_names)}",
            )


def check_spec(old: SpecModel, new: SpecModel, ctx: CheckContext) -> Iterator[Change]:
    yield from _compare(old.security, new.security, old.security_names, new.security_names, "")


def check_operation(old: Operation, new: Operation, ctx: CheckContext) -> Iterator[Change]:
    if old.security is None and new.security is None:
        return  # both inherit the document's security, reported once by check_spec
    ctx_old = ctx.spec_security[0]
    ctx_new = ctx.spec_security[1]
    before = old.security if old.security is not None else ctx_old[0]
    after = new.security if new.security is not None else ctx_new[0]
    names_before = {**ctx_old[1], **old.security_names}
    names_after = {**ctx_new[1], **new.security_names}
    yield from _compare(before, after, names_before, names_after, new.title)
