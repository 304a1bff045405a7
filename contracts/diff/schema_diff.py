"""Structural diff of two resolved schemas: a flat list of neutral facts ("enum values removed at x.y").

The facts say what changed, not whether it hurts: the check modules decide that, because the
same fact breaks a client in a request and is harmless in a response (or the other way round).
"""

from __future__ import annotations

from operator import attrgetter

from contracts.diff.fingerprint import fingerprint
from contracts.diff.schema import Schema, show
from contracts.records import record

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)
if TYPE_CHECKING:
    from typing import Any

# Fact kinds.
TYPE = "type"  # types or format differ; old/new are Schema nodes
ENUM_VALUES_REMOVED = "enum-values-removed"
ENUM_VALUES_ADDED = "enum-values-added"
ENUM_ADDED = "enum-added"  # an enum now restricts a value that was free
ENUM_REMOVED = "enum-removed"
NULLABLE_ADDED = "nullable-added"
NULLABLE_REMOVED = "nullable-removed"
PROPERTY_ADDED = "property-added"
PROPERTY_REMOVED = "property-removed"
PROPERTY_REQUIRED = "property-required"  # an existing property became required
PROPERTY_OPTIONAL = "property-optional"
# A property still there, but now readOnly (request) or writeOnly (response); ``required``: in the old.
PROPERTY_HIDDEN = "property-hidden"
TIGHTENED = "tightened"  # a bound, length, pattern or multipleOf accepts fewer values
LOOSENED = "loosened"
VARIANT_ADDED = "variant-added"
VARIANT_REMOVED = "variant-removed"
DEFAULT_CHANGED = "default-changed"
ADDITIONAL_CLOSED = "additional-closed"  # additionalProperties became false
ADDITIONAL_OPENED = "additional-opened"
MAPPING_RETARGETED = "mapping-retargeted"  # a discriminator value now names another schema
MAPPING_REMOVED = "mapping-removed"  # a discriminator value no longer names the schema it named
MAPPING_KINDS = frozenset({MAPPING_RETARGETED, MAPPING_REMOVED})


@record
class SchemaChange:
    """One fact at ``path`` (dotted, ``[]`` for array items, ``*`` for map values, ``""`` at the root)."""

    kind: str
    path: str
    detail: str = ""
    required: bool = False  # property-added: required in the new schema; property-removed: in the old
    closed: bool = False  # property-removed: the new parent schema rejects unknown properties
    old: Schema | None = None  # type: the two nodes, so checks can tell widening from narrowing
    new: Schema | None = None


def join(path: str, part: str) -> str:
    if not path:
        return part
    return f"{path}{part}" if part.startswith("[") else f"{path}.{part}"


# How often one pair of nodes is expanded at different places of one schema. A shared component
# is reported at each place it is used, but densely recursive schemas would unfold exponentially.
MAX_EXPANSIONS = 4


class _Walk:
    """State of one diff: pairs on the current path (cycles) and expansions per pair (budget)."""

    __slots__ = ("direction", "out", "on_path", "expanded")

    def __init__(self, direction: str) -> None:
        self.direction = direction
        self.out: list[SchemaChange] = []
        self.on_path: set[tuple[int, int]] = set()
        self.expanded: dict[tuple[int, int], int] = {}


def diff_schemas(old: Schema | None, new: Schema | None, direction: str) -> list[SchemaChange]:
    """Facts turning ``old`` into ``new``; ``direction`` is "request" or "response" (read/write-only)."""
    walk = _Walk(direction)
    if old is not None and new is not None:
        _diff(old, new, "", walk)
    return walk.out


def _visible(schema: Schema, direction: str) -> dict[str, Schema]:
    hidden = "read_only" if direction == "request" else "write_only"
    return {name: p for name, p in schema.properties.items() if not getattr(p, hidden)}


def _diff(old: Schema, new: Schema, path: str, walk: _Walk) -> None:
    if fingerprint(old) == fingerprint(new):
        return
    pair = (id(old), id(new))
    if pair in walk.on_path:  # a recursive schema met itself again: already being compared further up
        return
    count = walk.expanded.get(pair, 0)
    if count >= MAX_EXPANSIONS:
        return
    walk.expanded[pair] = count + 1
    walk.on_path.add(pair)
    out = walk.out
    try:
        if _type_changed(old, new):
            out.append(SchemaChange(TYPE, path, f"{old.type_text()} -> {new.type_text()}", old=old, new=new))
            if old.types and new.types and not (old.types & new.types):
                return  # a different kind of value: its sub-structure is not comparable
        _diff_nullable(old, new, path, out)
        _diff_enum(old, new, path, out)
        _diff_bounds(old, new, path, out)
        if old.default != new.default and old.default is not None and new.default is not None:
            out.append(SchemaChange(DEFAULT_CHANGED, path, f"{show(old.default)} -> {show(new.default)}"))
        _diff_properties(old, new, path, walk)
        if old.items is not None and new.items is not None:
            _diff(old.items, new.items, f"{path}[]", walk)
        _diff_additional(old, new, path, walk)
        gone: list[Schema] = []
        for olds, news, keyword in _variant_lists(old, new):
            gone += _diff_variants(old, new, path, walk, olds, news, keyword)
        if (
            old.discriminator is not None
            and new.discriminator is not None
            and not (old.discriminator.inherited_by(old) or new.discriminator.inherited_by(new))
        ):
            _diff_mapping(old, new, path, out, gone)
    finally:
        walk.on_path.discard(pair)


def _type_changed(old: Schema, new: Schema) -> bool:
    return old.types != new.types or old.format != new.format


def _diff_nullable(old: Schema, new: Schema, path: str, out: list[SchemaChange]) -> None:
    if old.nullable and not new.nullable:
        out.append(SchemaChange(NULLABLE_REMOVED, path))
    elif new.nullable and not old.nullable:
        out.append(SchemaChange(NULLABLE_ADDED, path))


def _values(values: frozenset[Any]) -> str:
    return ", ".join(sorted(show(v) for v in values))


def _diff_enum(old: Schema, new: Schema, path: str, out: list[SchemaChange]) -> None:
    if old.enum == new.enum:
        return
    if old.enum is None:
        out.append(SchemaChange(ENUM_ADDED, path, _values(new.enum or frozenset())))
    elif new.enum is None:
        out.append(SchemaChange(ENUM_REMOVED, path, _values(old.enum)))
    else:
        if old.enum - new.enum:
            out.append(SchemaChange(ENUM_VALUES_REMOVED, path, _values(old.enum - new.enum)))
        if new.enum - old.enum:
            out.append(SchemaChange(ENUM_VALUES_ADDED, path, _values(new.enum - old.enum)))


_KEYWORD = {
    "maximum": "maximum",
    "minimum": "minimum",
    "max_length": "maxLength",
    "min_length": "minLength",
    "max_items": "maxItems",
    "min_items": "minItems",
    "max_properties": "maxProperties",
    "min_properties": "minProperties",
}


def _bound(value: Any) -> str:
    return "none" if value is None else show(value)


# Every keyword _diff_bounds compares, read in one call: most pairs of nodes have equal ones.
_BOUND_KEYWORDS = attrgetter(
    "maximum",
    "max_length",
    "max_items",
    "max_properties",
    "minimum",
    "min_length",
    "min_items",
    "min_properties",
    "exclusive_maximum",
    "exclusive_minimum",
    "pattern",
    "multiple_of",
    "unique_items",
)


def _diff_bounds(old: Schema, new: Schema, path: str, out: list[SchemaChange]) -> None:
    if _BOUND_KEYWORDS(old) == _BOUND_KEYWORDS(new):
        return
    for attr, upper in (
        ("maximum", True),
        ("max_length", True),
        ("max_items", True),
        ("max_properties", True),
        ("minimum", False),
        ("min_length", False),
        ("min_items", False),
        ("min_properties", False),
    ):
        a, b = getattr(old, attr), getattr(new, attr)
        if attr in ("maximum", "minimum"):
            flag = "exclusive_maximum" if upper else "exclusive_minimum"
            ea, eb = getattr(old, flag), getattr(new, flag)
        else:
            ea = eb = False
        if a == b and ea == eb:
            continue
        detail = f"{_KEYWORD[attr]} {_bound(a)}{' (exclusive)' if ea else ''} -> {_bound(b)}"
        detail += " (exclusive)" if eb else ""
        if b is None:
            tighter = False
        elif a is None:
            tighter = True
        elif a == b:
            tighter = eb and not ea
        else:
            tighter = b < a if upper else b > a
        out.append(SchemaChange(TIGHTENED if tighter else LOOSENED, path, detail))
    if old.pattern != new.pattern:
        kind = LOOSENED if new.pattern is None else TIGHTENED
        out.append(SchemaChange(kind, path, f"pattern {old.pattern!r} -> {new.pattern!r}"))
    if old.multiple_of != new.multiple_of:
        kind = LOOSENED if new.multiple_of is None else TIGHTENED
        out.append(
            SchemaChange(kind, path, f"multipleOf {_bound(old.multiple_of)} -> {_bound(new.multiple_of)}")
        )
    if old.unique_items != new.unique_items:
        kind = TIGHTENED if new.unique_items else LOOSENED
        out.append(SchemaChange(kind, path, f"uniqueItems {old.unique_items} -> {new.unique_items}".lower()))


def _diff_properties(old: Schema, new: Schema, path: str, walk: _Walk) -> None:
    out = walk.out
    old_props, new_props = _visible(old, walk.direction), _visible(new, walk.direction)
    if not old_props and not new_props:
        return
    for name, prop in old_props.items():
        new_prop = new_props.get(name)
        required = (name in old.required, name in new.required)
        if (
            new_prop is not None
            and required[0] == required[1]
            and prop.fp is not None
            and prop.fp == new_prop.fp
        ):
            continue  # the same sub-tree, equally required (most properties): nothing to say
        here = join(path, name)
        if new_prop is None and name in new.properties:  # still there, but only the other way
            out.append(SchemaChange(PROPERTY_HIDDEN, here, required=required[0]))
            continue
        if new_prop is None:
            out.append(
                SchemaChange(PROPERTY_REMOVED, here, required=required[0], closed=new.additional is False)
            )
            continue
        if required[1] and not required[0]:
            out.append(SchemaChange(PROPERTY_REQUIRED, here))
        elif required[0] and not required[1]:
            out.append(SchemaChange(PROPERTY_OPTIONAL, here))
        _diff(prop, new_prop, here, walk)
    for name in new_props:
        if name not in old_props:
            out.append(SchemaChange(PROPERTY_ADDED, join(path, name), required=name in new.required))


def _diff_additional(old: Schema, new: Schema, path: str, walk: _Walk) -> None:
    out = walk.out
    if isinstance(old.additional, Schema) and isinstance(new.additional, Schema):
        _diff(old.additional, new.additional, join(path, "*"), walk)
        return
    old_open, new_open = old.additional is not False, new.additional is not False
    if old_open and not new_open:
        out.append(SchemaChange(ADDITIONAL_CLOSED, path))
    elif new_open and not old_open:
        out.append(SchemaChange(ADDITIONAL_OPENED, path))


def _variant_lists(old: Schema, new: Schema) -> list[tuple[list[Schema], list[Schema], str]]:
    """The alternatives to pair: oneOf with oneOf, anyOf with anyOf; a plain switch of keyword
    (``oneOf`` -> ``anyOf`` over the same variants) pairs the two lists, so it is no change."""
    if old.one_of and not old.any_of and new.any_of and not new.one_of:
        return [(old.one_of, new.any_of, "anyOf")]
    if old.any_of and not old.one_of and new.one_of and not new.any_of:
        return [(old.any_of, new.one_of, "oneOf")]
    return [(old.one_of, new.one_of, "oneOf"), (old.any_of, new.any_of, "anyOf")]


def _diff_variants(
    old: Schema, new: Schema, path: str, walk: _Walk, olds: list[Schema], news: list[Schema], keyword: str
) -> list[Schema]:
    """Pair and compare the alternatives; the old ones left without a partner (removed) are returned."""
    out = walk.out
    if not olds and not news:
        return []
    left = list(enumerate(olds))
    right = list(enumerate(news))
    pairs: list[tuple[int, Schema, int, Schema]] = []
    # Pair equal variants first, then variants with the same label, then by position.
    for matcher in (
        lambda o, n: fingerprint(o) == fingerprint(n),
        lambda o, n: old.label(o, -1) == new.label(n, -2),
        lambda o, n: True,
    ):
        for oi, ov in list(left):
            for ni, nv in right:
                if matcher(ov, nv):
                    pairs.append((oi, ov, ni, nv))
                    left.remove((oi, ov))
                    right.remove((ni, nv))
                    break
    for _oi, ov, ni, nv in pairs:
        _diff(ov, nv, join(path, f"{keyword}[{new.label(nv, ni)}]"), walk)
    for oi, ov in left:
        out.append(SchemaChange(VARIANT_REMOVED, join(path, f"{keyword}[{old.label(ov, oi)}]")))
    for ni, nv in right:
        out.append(SchemaChange(VARIANT_ADDED, join(path, f"{keyword}[{new.label(nv, ni)}]")))
    return [ov for _oi, ov in left]


def _diff_mapping(old: Schema, new: Schema, path: str, out: list[SchemaChange], gone: list[Schema]) -> None:
    """Discriminator values that now name another schema, or none while their schema is still
    there (an alternative removed with its value is a removed alternative, said once)."""
    before, after = old.mapping(), new.mapping()
    if not before:
        return
    here = join(path, new.discriminator.property_name)  # type: ignore[union-attr]
    for value, target in before.items():
        now = after.get(value)
        if now is None:
            if not any(target is g for g in gone):
                detail = f"value `{value}` no longer maps to {_named(target)}"
                out.append(SchemaChange(MAPPING_REMOVED, here, detail))
        elif now.name != target.name and fingerprint(now) != fingerprint(target):
            detail = f"value `{value}` now maps to {_named(now)} (was {_named(target)})"
            out.append(SchemaChange(MAPPING_RETARGETED, here, detail))


def _named(schema: Schema) -> str:
    return f"`{schema.name}`" if schema.name else "an inline schema"
