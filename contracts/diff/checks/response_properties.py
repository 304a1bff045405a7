"""Changes inside response schemas: what clients read."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.diff import schema_diff as facts
from contracts.diff.checks.base import (
    CheckContext,
    accepts_all,
    both_media,
    finding,
    located,
    response_pairs,
    rule,
)
from contracts.diff.checks.schema_facts import fact_table
from contracts.diff.model import Change, Level
from contracts.diff.spec_model import Operation

REMOVED = rule("response-property-removed", Level.BREAKING, "a response property was removed")
ADDED = rule("response-property-added", Level.INFO, "a response property was added")
TYPE_CHANGED = rule(
    "response-property-type-changed", Level.BREAKING, "a response property's type or format changed"
)
TYPE_SPECIALIZED = rule(
    "response-property-type-specialized",
    Level.INFO,
    "a response property's type or format narrowed (e.g. int64 -> int32); clients still read it",
)
BECAME_NULLABLE = rule(
    "response-property-became-nullable", Level.BREAKING, "a response property may now be null"
)
BECAME_NON_NULLABLE = rule(
    "response-property-became-non-nullable", Level.INFO, "a response property is no longer null"
)
ENUM_VALUE_ADDED = rule(
    "response-property-enum-value-added",
    Level.BREAKING,
    "a response property may hold new enum values (or any value once its enum is dropped)",
)
ENUM_VALUE_REMOVED = rule(
    "response-property-enum-value-removed", Level.INFO, "a response property holds fewer enum values"
)
REQUIRED_BECAME_OPTIONAL = rule(
    "response-required-property-became-optional",
    Level.BREAKING,
    "a response property that was always present may now be missing",
)
BECAME_REQUIRED = rule(
    "response-property-became-required", Level.INFO, "a response property is now always present"
)
LOOSENED = rule(
    "response-property-constraint-loosened",
    Level.BREAKING,
    "a bound of a response property was relaxed: clients may get values outside the old range",
)
TIGHTENED = rule(
    "response-property-constraint-tightened", Level.INFO, "a bound of a response property tightened"
)
VARIANT_ADDED = rule(
    "response-variant-added", Level.BREAKING, "a response may hold a new oneOf/anyOf alternative"
)
VARIANT_REMOVED = rule(
    "response-variant-removed", Level.INFO, "a oneOf/anyOf alternative is no longer returned"
)
DEFAULT_CHANGED = rule("response-property-default-changed", Level.INFO, "the documented default changed")
BECAME_WRITE_ONLY = rule(
    "response-property-became-write-only",
    Level.BREAKING,
    "a response property became writeOnly: it is no longer returned",
)
MAPPING_CHANGED = rule(
    "response-discriminator-mapping-changed",
    Level.BREAKING,
    "a discriminator value in a response now names another schema, or none",
)

RULES = [
    REMOVED,
    ADDED,
    TYPE_CHANGED,
    TYPE_SPECIALIZED,
    BECAME_NULLABLE,
    BECAME_NON_NULLABLE,
    ENUM_VALUE_ADDED,
    ENUM_VALUE_REMOVED,
    REQUIRED_BECAME_OPTIONAL,
    BECAME_REQUIRED,
    LOOSENED,
    TIGHTENED,
    VARIANT_ADDED,
    VARIANT_REMOVED,
    DEFAULT_CHANGED,
    BECAME_WRITE_ONLY,
    MAPPING_CHANGED,
]

_SIMPLE = fact_table(
    {
        facts.PROPERTY_OPTIONAL: REQUIRED_BECAME_OPTIONAL,
        facts.PROPERTY_REQUIRED: BECAME_REQUIRED,
        facts.NULLABLE_ADDED: BECAME_NULLABLE,
        facts.NULLABLE_REMOVED: BECAME_NON_NULLABLE,
        facts.ENUM_VALUES_ADDED: ENUM_VALUE_ADDED,
        facts.ENUM_REMOVED: ENUM_VALUE_ADDED,
        facts.ENUM_VALUES_REMOVED: ENUM_VALUE_REMOVED,
        facts.ENUM_ADDED: ENUM_VALUE_REMOVED,
        facts.LOOSENED: LOOSENED,
        facts.TIGHTENED: TIGHTENED,
        facts.VARIANT_ADDED: VARIANT_ADDED,
        facts.VARIANT_REMOVED: VARIANT_REMOVED,
        facts.DEFAULT_CHANGED: DEFAULT_CHANGED,
    },
    wording={facts.PROPERTY_OPTIONAL: "no longer required"},
)
# additionalProperties opening or closing does not change what a client reads: not reported.
_SILENT = {facts.ADDITIONAL_CLOSED, facts.ADDITIONAL_OPENED}


def check_operation(old: Operation, new: Operation, ctx: CheckContext) -> Iterator[Change]:
    op = new.title
    for old_status, status in response_pairs(old, new):
        before, response = old.responses[old_status], new.responses[status]
        prefix = f"response.{status}"
        root_phrase = f"response {status} body"
        for media in both_media(before.content, response.content):
            changes = ctx.schema_changes(before.content[media], response.content[media], "response")
            for change in changes:
                if change.kind in _SILENT:
                    continue
                location = located(prefix, change.path)
                subject = root_phrase if not change.path else f"{root_phrase}: property `{change.path}`"
                if change.kind == facts.PROPERTY_REMOVED:
                    yield finding(REMOVED, op, location, f"{subject} removed", [media])
                elif change.kind == facts.PROPERTY_ADDED:
                    yield finding(ADDED, op, location, f"{subject} added", [media])
                elif change.kind == facts.PROPERTY_HIDDEN:
                    text = f"{subject} became write-only (no longer returned)"
                    yield finding(BECAME_WRITE_ONLY, op, location, text, [media])
                elif change.kind in facts.MAPPING_KINDS:
                    text = f"{root_phrase}: discriminator `{change.path}` {change.detail}"
                    yield finding(MAPPING_CHANGED, op, location, text, [media])
                elif change.kind == facts.TYPE:
                    narrowed = accepts_all(change.old, change.new)  # type: ignore[arg-type]
                    r = TYPE_SPECIALIZED if narrowed else TYPE_CHANGED
                    yield finding(r, op, location, f"{subject} type changed {change.detail}", [media])
                else:
                    r, template = _SIMPLE[change.kind]
                    yield finding(
                        r, op, location, f"{subject} {template.format(detail=change.detail)}", [media]
                    )
