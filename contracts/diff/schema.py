"""Resolved JSON schema nodes: what two specs are compared on, and how ``allOf`` members combine.

Two specs are compared on these objects, never on raw dicts, so renaming a component,
reordering keys or reformatting JSON as YAML changes nothing. contracts.diff.schema_resolver
builds them from a document.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)
if TYPE_CHECKING:
    from typing import Any

# Keywords that narrow or widen the accepted values; compared by contracts.diff.schema_diff.
UPPER_BOUNDS = ("maximum", "max_length", "max_items", "max_properties")
LOWER_BOUNDS = ("minimum", "min_length", "min_items", "min_properties")


def freeze(value: Any) -> Any:
    """A hashable, order-independent stand-in for a JSON value (enum members, defaults)."""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, bool) or value is None:
        return ("json", value)
    return value


def show(value: Any) -> str:
    """A frozen JSON value as the user wrote it."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "json":
        return json.dumps(value[1])
    return json.dumps(value)


# The keywords a node holds itself (its children aside), each compared as a value; the
# fingerprints (contracts.diff.fingerprint) hash them together.
KEYWORDS = (
    "types",
    "format",
    "enum",
    "nullable",
    "required",
    "minimum",
    "maximum",
    "exclusive_minimum",
    "exclusive_maximum",
    "min_length",
    "max_length",
    "min_items",
    "max_items",
    "min_properties",
    "max_properties",
    "pattern",
    "multiple_of",
    "unique_items",
    "default",
    "read_only",
    "write_only",
    "deprecated",
)


class Schema:
    """One resolved schema node; shared (and possibly cyclic) when reached through the same ``$ref``."""

    __slots__ = (
        *KEYWORDS,
        "properties",
        "additional",
        "items",
        "one_of",
        "any_of",
        "name",
        "variant_labels",
        "discriminator",
        "fp",
    )

    def __init__(self) -> None:
        self.types: frozenset[str] = frozenset()
        self.format: str | None = None
        self.enum: frozenset[Any] | None = None
        self.nullable = False
        self.properties: dict[str, Schema] = {}
        self.required: frozenset[str] = frozenset()
        # None: not said (any extra property allowed); False: closed; True or a Schema: allowed.
        self.additional: bool | Schema | None = None
        self.items: Schema | None = None
        self.one_of: list[Schema] = []
        self.any_of: list[Schema] = []
        self.minimum: float | None = None
        self.maximum: float | None = None
        self.exclusive_minimum = False
        self.exclusive_maximum = False
        self.min_length: int | None = None
        self.max_length: int | None = None
        self.min_items: int | None = None
        self.max_items: int | None = None
        self.min_properties: int | None = None
        self.max_properties: int | None = None
        self.pattern: str | None = None
        self.multiple_of: float | None = None
        self.unique_items = False
        self.default: Any = None
        self.read_only = False
        self.write_only = False
        self.deprecated = False
        self.name: str | None = None  # component name, for labels only (never compared)
        self.variant_labels: dict[int, str] = {}  # id(variant) -> discriminator value, for labels only
        self.discriminator: Discriminator | None = None
        self.fp: int | None = None

    def label(self, variant: Schema, index: int) -> str:
        return self.variant_labels.get(id(variant)) or variant.name or str(index)

    def type_text(self) -> str:
        text = "|".join(sorted(self.types)) or "any"
        return f"{text} ({self.format})" if self.format else text

    def mapping(self) -> dict[str, Schema]:
        """Discriminator value -> the schema a client reads it as: the explicit ``mapping``, and each
        named alternative under its own name where no explicit value claims that name (implicit)."""
        d = self.discriminator
        if d is None:
            return {}
        out = dict(d.targets)
        for variant in self.one_of + self.any_of:
            if variant.name and variant.name not in out:
                out[variant.name] = variant
        return out


class Discriminator:
    """``discriminator: {propertyName, mapping}``; shared by every node that merges it in (``allOf``).

    ``targets`` is filled once the whole document is read (SchemaResolver.finish): building a
    target while the schema that names it is half-built would merge a half-built node.
    """

    __slots__ = ("property_name", "refs", "targets", "owner")

    def __init__(self, property_name: str, refs: dict[str, str], owner: Schema) -> None:
        self.property_name = property_name
        self.refs = refs  # value -> local $ref of its schema
        self.targets: dict[str, Schema] = {}
        self.owner = owner  # the node that declares it

    def inherited_by(self, schema: Schema) -> bool:
        """True for a subtype that merged its base's discriminator in (``allOf: [Base]``) and is
        one of its targets: the mapping is the base's, said where the base is used."""
        return schema is not self.owner and any(schema is t for t in self.targets.values())


def _tighter(a: float | None, b: float | None, pick: Any) -> float | None:
    if a is None:
        return b
    return a if b is None else pick(a, b)


def merge_into(target: Schema, part: Schema) -> None:
    """Fold one ``allOf`` member (or an aliased ``$ref``) into ``target``: the intersection of both."""
    if part is target:
        return
    if part.types:
        both = target.types & part.types
        target.types = both or (target.types or part.types)
    target.format = target.format or part.format
    if part.enum is not None:
        target.enum = part.enum if target.enum is None else target.enum & part.enum
    for name, prop in part.properties.items():
        mine = target.properties.get(name)
        if mine is None or mine is prop:
            target.properties[name] = prop
        else:
            merged = Schema()
            merge_into(merged, mine)
            merge_into(merged, prop)
            merged.nullable = mine.nullable and prop.nullable
            target.properties[name] = merged
    target.required = target.required | part.required
    if part.additional is False or target.additional is None:
        target.additional = part.additional if target.additional is not False else False
    target.items = target.items or part.items
    target.one_of = target.one_of + part.one_of
    target.any_of = target.any_of + part.any_of
    target.variant_labels = {**part.variant_labels, **target.variant_labels}
    if target.discriminator is None:
        target.discriminator = part.discriminator
    for attr in ("minimum", "min_length", "min_items", "min_properties"):
        setattr(target, attr, _tighter(getattr(target, attr), getattr(part, attr), max))
    for attr in ("maximum", "max_length", "max_items", "max_properties"):
        setattr(target, attr, _tighter(getattr(target, attr), getattr(part, attr), min))
    target.exclusive_minimum |= part.exclusive_minimum
    target.exclusive_maximum |= part.exclusive_maximum
    target.pattern = target.pattern or part.pattern
    target.multiple_of = target.multiple_of or part.multiple_of
    target.unique_items |= part.unique_items
    if target.default is None:
        target.default = part.default
    target.read_only |= part.read_only
    target.write_only |= part.write_only
    target.deprecated |= part.deprecated
    if not target.nullable:
        target.nullable = part.nullable
    target.name = target.name or part.name
