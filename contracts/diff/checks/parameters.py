"""Path, query, header and cookie parameters: added, removed, moved, retyped, restricted."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.diff import schema_diff as facts
from contracts.diff.checks import request_properties
from contracts.diff.checks.base import CheckContext, accepts_all, finding, rule
from contracts.diff.checks.schema_facts import fact_table
from contracts.diff.model import Change, Level
from contracts.diff.spec_model import Operation, Parameter

ADDED_REQUIRED = rule("request-parameter-added-required", Level.BREAKING, "a new required parameter")
ADDED = rule("request-parameter-added", Level.INFO, "a new optional parameter")
REMOVED = rule(
    "request-parameter-removed",
    Level.WARNING,
    "a parameter was removed; clients still sending it are ignored",
)
BECAME_REQUIRED = rule("request-parameter-became-required", Level.BREAKING, "a parameter became required")
BECAME_OPTIONAL = rule("request-parameter-became-optional", Level.INFO, "a parameter became optional")
LOCATION_CHANGED = rule(
    "request-parameter-location-changed", Level.BREAKING, "a parameter moved (e.g. from query to header)"
)
TYPE_CHANGED = rule("request-parameter-type-changed", Level.BREAKING, "a parameter's type or format changed")
TYPE_GENERALIZED = rule(
    "request-parameter-type-generalized", Level.INFO, "a parameter's type or format widened; old values fit"
)
ENUM_VALUE_REMOVED = rule(
    "request-parameter-enum-value-removed",
    Level.BREAKING,
    "a parameter no longer accepts some values (enum values removed or an enum introduced)",
)
ENUM_VALUE_ADDED = rule(
    "request-parameter-enum-value-added", Level.INFO, "a parameter accepts more enum values"
)
BECAME_NON_NULLABLE = rule(
    "request-parameter-became-non-nullable", Level.BREAKING, "a parameter no longer accepts null"
)
BECAME_NULLABLE = rule("request-parameter-became-nullable", Level.INFO, "a parameter now accepts null")
TIGHTENED = rule(
    "request-parameter-constraint-tightened",
    Level.BREAKING,
    "maximum/minimum/length/items/pattern/multipleOf of a parameter tightened",
)
LOOSENED = rule("request-parameter-constraint-loosened", Level.INFO, "a bound of a parameter was relaxed")
DEFAULT_CHANGED = rule(
    "request-parameter-default-changed",
    Level.WARNING,
    "the default of an optional parameter changed: clients omitting it get other behaviour",
)
DEPRECATED = rule("request-parameter-deprecated", Level.INFO, "a parameter became deprecated")

RULES = [
    ADDED_REQUIRED,
    ADDED,
    REMOVED,
    BECAME_REQUIRED,
    BECAME_OPTIONAL,
    LOCATION_CHANGED,
    TYPE_CHANGED,
    TYPE_GENERALIZED,
    ENUM_VALUE_REMOVED,
    ENUM_VALUE_ADDED,
    BECAME_NON_NULLABLE,
    BECAME_NULLABLE,
    TIGHTENED,
    LOOSENED,
    DEFAULT_CHANGED,
    DEPRECATED,
]

_ROOT = fact_table(
    {
        facts.ENUM_VALUES_REMOVED: ENUM_VALUE_REMOVED,
        facts.ENUM_ADDED: ENUM_VALUE_REMOVED,
        facts.ENUM_VALUES_ADDED: ENUM_VALUE_ADDED,
        facts.ENUM_REMOVED: ENUM_VALUE_ADDED,
        facts.NULLABLE_REMOVED: BECAME_NON_NULLABLE,
        facts.NULLABLE_ADDED: BECAME_NULLABLE,
        facts.TIGHTENED: TIGHTENED,
        facts.LOOSENED: LOOSENED,
        facts.DEFAULT_CHANGED: DEFAULT_CHANGED,
    }
)


_NEVER_NULL = {facts.NULLABLE_ADDED, facts.NULLABLE_REMOVED}


def _describe(param: Parameter) -> str:
    return f"{param.location} parameter `{param.name}`"


def check_operation(old: Operation, new: Operation, ctx: CheckContext) -> Iterator[Change]:
    op = new.title
    removed = {k: p for k, p in old.parameters.items() if k not in new.parameters}
    added = {k: p for k, p in new.parameters.items() if k not in old.parameters}
    # Same name, other location: one "moved" finding instead of a removal plus an addition.
    for old_key, old_param in list(removed.items()):
        for new_key, new_param in list(added.items()):
            if old_param.name.lower() == new_param.name.lower():
                yield finding(
                    LOCATION_CHANGED,
                    op,
                    new_param.label,
                    f"parameter `{new_param.name}` moved from {old_param.location} to {new_param.location}",
                )
                del removed[old_key], added[new_key]
                break
    for param in removed.values():
        yield finding(REMOVED, op, param.label, f"{_describe(param)} removed")
    for param in added.values():
        if param.required:
            yield finding(ADDED_REQUIRED, op, param.label, f"new required {_describe(param)}")
        else:
            yield finding(ADDED, op, param.label, f"new optional {_describe(param)}")
    for key, new_param in new.parameters.items():
        old_param = old.parameters.get(key)
        if old_param is not None:
            yield from _compare(old_param, new_param, op, ctx)


def _compare(old: Parameter, new: Parameter, op: str, ctx: CheckContext) -> Iterator[Change]:
    where = new.label
    if new.required and not old.required:
        yield finding(BECAME_REQUIRED, op, where, f"{_describe(new)} became required")
    elif old.required and not new.required:
        yield finding(BECAME_OPTIONAL, op, where, f"{_describe(new)} became optional")
    if new.deprecated and not old.deprecated:
        yield finding(DEPRECATED, op, where, f"{_describe(new)} deprecated")
    changes = ctx.schema_changes(old.schema, new.schema, "request")
    nested = []
    for change in changes:
        if new.location == "path" and not change.path and change.kind in _NEVER_NULL:
            continue  # a path segment cannot be null: its "nullable" flag means nothing
        if change.path:
            nested.append(change)
        elif change.kind == facts.TYPE:
            generalized = accepts_all(change.new, change.old)  # type: ignore[arg-type]
            r = TYPE_GENERALIZED if generalized else TYPE_CHANGED
            yield finding(r, op, where, f"{_describe(new)} type changed {change.detail}")
        elif change.kind in _ROOT:
            r, template = _ROOT[change.kind]
            yield finding(r, op, where, f"{_describe(new)} {template.format(detail=change.detail)}")
        else:  # object-valued parameters: the request-property rules apply inside
            nested.append(change)
    yield from request_properties.findings_for(nested, op, where, _describe(new))
