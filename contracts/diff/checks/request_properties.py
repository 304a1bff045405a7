"""Changes inside the request body schema (and inside object-valued parameters): what clients send."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from contracts.diff import schema_diff as facts
from contracts.diff.checks.base import CheckContext, accepts_all, both_media, finding, located, rule
from contracts.diff.checks.schema_facts import fact_table
from contracts.diff.model import Change, Level
from contracts.diff.spec_model import Operation

ADDED_REQUIRED = rule("request-property-added-required", Level.BREAKING, "a new required request property")
ADDED = rule("request-property-added", Level.INFO, "a new optional request property")
BECAME_REQUIRED = rule(
    "request-property-became-required", Level.BREAKING, "a request property became required"
)
BECAME_OPTIONAL = rule("request-property-became-optional", Level.INFO, "a request property became optional")
REMOVED = rule(
    "request-property-removed",
    Level.WARNING,
    "a request property was removed; extra properties are still allowed, so its value is ignored",
)
REMOVED_STRICT = rule(
    "request-property-removed-strict",
    Level.BREAKING,
    "a request property was removed where additional properties are not allowed: sending it is rejected",
)
TYPE_CHANGED = rule(
    "request-property-type-changed", Level.BREAKING, "a request property's type or format changed"
)
TYPE_GENERALIZED = rule(
    "request-property-type-generalized",
    Level.INFO,
    "a request property's type or format widened (e.g. int32 -> int64); old values still fit",
)
ENUM_VALUE_REMOVED = rule(
    "request-property-enum-value-removed",
    Level.BREAKING,
    "a request property no longer accepts some values (enum values removed or an enum introduced)",
)
ENUM_VALUE_ADDED = rule(
    "request-property-enum-value-added", Level.INFO, "a request property accepts more enum values"
)
BECAME_NON_NULLABLE = rule(
    "request-property-became-non-nullable", Level.BREAKING, "a request property no longer accepts null"
)
BECAME_NULLABLE = rule("request-property-became-nullable", Level.INFO, "a request property now accepts null")
TIGHTENED = rule(
    "request-property-constraint-tightened",
    Level.BREAKING,
    "maximum/minimum/length/items/pattern/multipleOf of a request property tightened",
)
LOOSENED = rule(
    "request-property-constraint-loosened", Level.INFO, "a bound of a request property was relaxed"
)
DEFAULT_CHANGED = rule(
    "request-property-default-changed", Level.WARNING, "the default of an omitted request property changed"
)
VARIANT_REMOVED = rule(
    "request-variant-removed", Level.BREAKING, "a oneOf/anyOf alternative the client may send was removed"
)
VARIANT_ADDED = rule("request-variant-added", Level.INFO, "a new oneOf/anyOf alternative is accepted")
ADDITIONAL_CLOSED = rule(
    "request-additional-properties-closed",
    Level.BREAKING,
    "a request object no longer accepts unknown properties (additionalProperties: false)",
)
ADDITIONAL_OPENED = rule(
    "request-additional-properties-opened", Level.INFO, "a request object now accepts unknown properties"
)
REQUIRED_BECAME_READ_ONLY = rule(
    "request-required-property-became-read-only",
    Level.BREAKING,
    "a required request property became readOnly: the value the client must send is ignored",
)
BECAME_READ_ONLY = rule(
    "request-property-became-read-only",
    Level.WARNING,
    "an optional request property became readOnly: a value the client sends is ignored",
)
MAPPING_CHANGED = rule(
    "request-discriminator-mapping-changed",
    Level.BREAKING,
    "a discriminator value the client sends now names another schema, or none",
)

RULES = [
    ADDED_REQUIRED,
    ADDED,
    BECAME_REQUIRED,
    BECAME_OPTIONAL,
    REMOVED,
    REMOVED_STRICT,
    TYPE_CHANGED,
    TYPE_GENERALIZED,
    ENUM_VALUE_REMOVED,
    ENUM_VALUE_ADDED,
    BECAME_NON_NULLABLE,
    BECAME_NULLABLE,
    TIGHTENED,
    LOOSENED,
    DEFAULT_CHANGED,
    VARIANT_REMOVED,
    VARIANT_ADDED,
    ADDITIONAL_CLOSED,
    ADDITIONAL_OPENED,
    REQUIRED_BECAME_READ_ONLY,
    BECAME_READ_ONLY,
    MAPPING_CHANGED,
]

_SIMPLE = fact_table(
    {
        facts.PROPERTY_REQUIRED: BECAME_REQUIRED,
        facts.PROPERTY_OPTIONAL: BECAME_OPTIONAL,
        facts.ENUM_VALUES_REMOVED: ENUM_VALUE_REMOVED,
        facts.ENUM_ADDED: ENUM_VALUE_REMOVED,
        facts.ENUM_VALUES_ADDED: ENUM_VALUE_ADDED,
        facts.ENUM_REMOVED: ENUM_VALUE_ADDED,
        facts.NULLABLE_REMOVED: BECAME_NON_NULLABLE,
        facts.NULLABLE_ADDED: BECAME_NULLABLE,
        facts.TIGHTENED: TIGHTENED,
        facts.LOOSENED: LOOSENED,
        facts.DEFAULT_CHANGED: DEFAULT_CHANGED,
        facts.VARIANT_REMOVED: VARIANT_REMOVED,
        facts.VARIANT_ADDED: VARIANT_ADDED,
        facts.ADDITIONAL_CLOSED: ADDITIONAL_CLOSED,
        facts.ADDITIONAL_OPENED: ADDITIONAL_OPENED,
    }
)


def findings_for(
    changes: Iterable[facts.SchemaChange],
    operation: str,
    prefix: str,
    root_phrase: str,
    media_types: Iterable[str] = (),
) -> Iterator[Change]:
    """Turn schema facts of a request-side schema into findings located under ``prefix``."""
    media = list(media_types)
    for change in changes:
        location = located(prefix, change.path)
        subject = root_phrase if not change.path else f"{root_phrase}: property `{change.path}`"
        if change.kind == facts.PROPERTY_ADDED:
            r = ADDED_REQUIRED if change.required else ADDED
            text = "required property" if change.required else "optional property"
            yield finding(r, operation, location, f"{root_phrase}: new {text} `{change.path}`", media)
        elif change.kind == facts.PROPERTY_REMOVED:
            r = REMOVED_STRICT if change.closed else REMOVED
            yield finding(r, operation, location, f"{subject} removed", media)
        elif change.kind == facts.PROPERTY_HIDDEN:
            r = REQUIRED_BECAME_READ_ONLY if change.required else BECAME_READ_ONLY
            text = "required property" if change.required else "property"
            message = f"{root_phrase}: {text} `{change.path}` became read-only (a value sent is ignored)"
            yield finding(r, operation, location, message, media)
        elif change.kind in facts.MAPPING_KINDS:
            message = f"{root_phrase}: discriminator `{change.path}` {change.detail}"
            yield finding(MAPPING_CHANGED, operation, location, message, media)
        elif change.kind == facts.TYPE:
            generalized = accepts_all(change.new, change.old)  # type: ignore[arg-type]
            r = TYPE_GENERALIZED if generalized else TYPE_CHANGED
            yield finding(r, operation, location, f"{subject} type changed {change.detail}", media)
        else:
            r, template = _SIMPLE[change.kind]
            yield finding(r, operation, location, f"{subject} {template.format(detail=change.detail)}", media)


def check_operation(old: Operation, new: Operation, ctx: CheckContext) -> Iterator[Change]:
    if old.request_body is None or new.request_body is None:
        return
    for media in both_media(old.request_body.content, new.request_body.content):
        old_schema, new_schema = old.request_body.content[media], new.request_body.content[media]
        changes = ctx.schema_changes(old_schema, new_schema, "request")
        if changes:
            yield from findings_for(changes, new.title, "request", "request body", [media])
