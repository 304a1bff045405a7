"""Structural hashes of resolved schemas, so equal sub-trees are skipped without walking them.

Cycles are hashed by their distance back up the walk, which makes two recursive
schemas of the same shape hash alike whatever their component names.
"""

from __future__ import annotations

from contracts.diff.schema import Schema

_NO_BACKREF = 1 << 30


def fingerprint(schema: Schema) -> int:
    """A hash of everything the diff compares (not names, descriptions or examples)."""
    if schema.fp is not None:
        return schema.fp
    return _walk(schema, {})[0]


def _walk(s: Schema, stack: dict[int, int]) -> tuple[int, int]:
    """Return (hash, shallowest ancestor depth referenced by a cycle inside this sub-tree)."""
    if s.fp is not None:
        return s.fp, _NO_BACKREF
    depth = len(stack)
    if id(s) in stack:
        ancestor = stack[id(s)]
        return hash(("cycle", depth - ancestor)), ancestor
    stack[id(s)] = depth
    lowest = _NO_BACKREF

    def child(node: Schema | None) -> int:
        nonlocal lowest
        if node is None:
            return 0
        value, back = _walk(node, stack)
        lowest = min(lowest, back)
        return value

    props = tuple(sorted((name, child(p)) for name, p in s.properties.items()))
    additional = s.additional if not isinstance(s.additional, Schema) else ("schema", child(s.additional))
    one_of = tuple(sorted(child(v) for v in s.one_of))
    any_of = tuple(sorted(child(v) for v in s.any_of))
    value = hash(
        (
            s.types,
            s.format,
            s.enum,
            s.nullable,
            props,
            s.required,
            additional,
            child(s.items),
            one_of,
            any_of,
            s.minimum,
            s.maximum,
            s.exclusive_minimum,
            s.exclusive_maximum,
            s.min_length,
            s.max_length,
            s.min_items,
            s.max_items,
            s.min_properties,
            s.max_properties,
            s.pattern,
            s.multiple_of,
            s.unique_items,
            s.default,
            s.read_only,
            s.write_only,
            s.deprecated,
        )
    )
    del stack[id(s)]
    if lowest >= depth:  # no cycle leaves this sub-tree: the hash is context-free, keep it
        s.fp = value
        lowest = _NO_BACKREF
    return value, lowest
