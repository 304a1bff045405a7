"""Structural fingerprints of resolved schemas, so equal sub-trees are skipped without walking them.

Schemas can be recursive, so "equal" means bisimilar: the same local keywords and, property by
property, children that are equal again. The fingerprints of both specs of a diff are computed
together by partition refinement, which makes them comparable across the two documents, exact
(whatever the component names or how a cycle is unrolled) and linear in practice.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from contracts.diff.schema import KEYWORDS, Schema

_KEYWORDS = attrgetter(*KEYWORDS)  # read in one call (C) rather than one by one


def _local(s: Schema) -> int:
    """Everything compared on the node itself (children only by their keys)."""
    additional = s.additional if not isinstance(s.additional, Schema) else "schema"
    d = s.discriminator
    return hash(
        (
            _KEYWORDS(s),
            tuple(sorted(s.properties)),
            additional,
            s.items is not None,
            len(s.one_of),
            len(s.any_of),
            (d.property_name, tuple(sorted(d.targets))) if d is not None else None,
        )
    )


def _children(s: Schema) -> list[Schema]:
    out = [*s.properties.values()]
    if s.items is not None:
        out.append(s.items)
    if isinstance(s.additional, Schema):
        out.append(s.additional)
    if s.one_of:
        out.extend(s.one_of)
    if s.any_of:
        out.extend(s.any_of)
    if s.discriminator is not None:
        out.extend(s.discriminator.targets.values())
    return out


def _post_order(nodes: list[Schema]) -> tuple[list[Schema], set[int]]:
    """Every node reachable from ``nodes``, children first, and the ids of the nodes on or above
    a cycle (iterative: any depth)."""
    order: list[Schema] = []
    state: dict[int, int] = {}  # 1: on the DFS stack, 2: finished
    cyclic: set[int] = set()
    for start in nodes:
        if id(start) in state:
            continue
        stack = [(start, iter(_children(start)))]
        state[id(start)] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[id(node)] = 2
                order.append(node)
                if id(node) in cyclic and stack:
                    cyclic.add(id(stack[-1][0]))
                continue
            seen = state.get(id(child))
            if seen == 1:  # back to a node on the stack: a cycle
                cyclic.add(id(node))
            elif seen == 2:
                if id(child) in cyclic:
                    cyclic.add(id(node))
            else:
                state[id(child)] = 1
                stack.append((child, iter(_children(child))))
    return order, cyclic


def _combined(n: Schema, cls: dict[int, int]) -> int:
    props = tuple(sorted([(name, cls[id(p)]) for name, p in n.properties.items()])) if n.properties else ()
    additional = cls[id(n.additional)] if isinstance(n.additional, Schema) else 0
    items = cls[id(n.items)] if n.items is not None else 0
    one_of = tuple(sorted([cls[id(v)] for v in n.one_of])) if n.one_of else ()
    any_of = tuple(sorted([cls[id(v)] for v in n.any_of])) if n.any_of else ()
    d = n.discriminator
    mapping = tuple(sorted([(v, cls[id(t)]) for v, t in d.targets.items()])) if d is not None else ()
    return hash((cls[id(n)], props, items, additional, one_of, any_of, mapping))


def assign_fingerprints(roots: Iterable[Schema]) -> None:
    """Set ``fp`` on every node reachable from ``roots``: equal ``fp`` <=> structurally equal.

    Nodes that reach no cycle are hashed bottom-up, children first (linear, however deep);
    only the nodes on or above a cycle go through partition refinement, jointly.
    """
    order, cyclic = _post_order(list(roots))
    nodes = order  # every node reachable from the roots, children first
    cls = {id(n): _local(n) for n in nodes}
    for n in order:
        if id(n) not in cyclic:
            cls[id(n)] = _combined(n, cls)
    looping = [n for n in nodes if id(n) in cyclic]
    classes = len({cls[id(n)] for n in looping})
    for _ in range(len(looping) + 1):
        refined = {id(n): _combined(n, cls) for n in looping}
        count = len(set(refined.values()))
        cls.update(refined)
        if count == classes:  # the partition is stable
            break
        classes = count
    for n in nodes:
        n.fp = cls[id(n)]


def fingerprint(schema: Schema) -> int:
    """The node's fingerprint (computed on the spot for nodes outside a diff)."""
    if schema.fp is None:
        assign_fingerprints([schema])
    assert schema.fp is not None
    return schema.fp
