"""Which of a spec's units a ``--jobs`` worker runs together, in which order (``parallel``).

A batch runs in one engine run, in a session of its own, so it must hold what its writes need:
per collection (``/building``, ``/building/{}/files``: a path addressed below it by a
parameter) its creating write (the ``POST`` on the collection) goes with the collection's
operations that have no body (reads, deletes, actions), so a ``DELETE /building/{id}`` finds
the buildings that batch created, as in one process. Each other write with a body (a ``PUT``,
an action with a body: the cases that take longest) is a batch alone; placement creates the
entity it acts on along the resource chain. Measured on v3.0: units of one operation each
left a third of the writes with nothing of their own to act on; whole collections together
made one batch half of the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts.runner.options import RunOptions
from contracts.runner.session import PER_OPERATION_PHASES, operation_labels
from contracts.runner.sharding import STATEFUL_UNIT, in_shard
from contracts.runner.specs import SpecUnderTest


@dataclass
class SpecPlan:
    """One spec's work: its operations (document order) and its batches of units (in hand-out order)."""

    index: int
    spec: SpecUnderTest
    operations: list[str]
    batches: list[list[str]]
    defects: list[Any]
    collections: set[str] = field(default_factory=set)

    def name(self, number: int) -> str:
        """``stateful`` or ``/api/v3.0/building: 15 operation(s)``, for the progress line."""
        units = self.batches[number]
        if units == [STATEFUL_UNIT] or len(units) == 1:
            return units[0]
        return f"{collection_of(units[0], self.collections)}: {len(units)} operation(s)"


def plan_spec(index: int, spec: SpecUnderTest, options: RunOptions) -> SpecPlan:
    """The units of one spec, as a single-process run (or shard) would run them."""
    from contracts.platform.leniency import find_and_repair

    doc, defects = find_and_repair(spec.doc)
    labels = operation_labels(doc, options.writes_allowed, options)
    operations = [label for label in labels if in_shard(spec.version, label, options.shard)]
    collections = collection_paths(doc)
    stateful = "stateful" in options.phases and in_shard(spec.version, STATEFUL_UNIT, options.shard)
    if any(p in PER_OPERATION_PHASES for p in options.phases):
        batches = operation_batches(doc, operations, collections, stateful=stateful)
    else:
        batches = [[STATEFUL_UNIT]] if stateful else []
    return SpecPlan(index, spec, operations, batches, defects, collections)


def operation_batches(
    doc: dict[str, Any], operations: list[str], collections: set[str], *, stateful: bool = False
) -> list[list[str]]:
    """The operations in batches, the longest first (as far as can be told before they run);
    with ``stateful``, the stateful unit right after the collections' creating batches.

    Per collection: its creating write (the ``POST`` on the collection, else its first write
    with a body) with every operation of the collection that has no body (reads, deletes,
    actions), so a ``DELETE /building/{id}`` finds buildings that batch created; each other
    write with a body (a ``PUT``, an action with a body: the cases that take longest) alone.
    A write alone still gets an entity of its own: placement creates one along the chain.

    Why the stateful unit after the creating batches: it draws cases for every operation, so
    it costs half as much on a worker whose schemathesis and hypothesis caches those batches
    warmed (v3.0: 0.5 s against 1.0 s as the first batch), and it is still handed out well
    before the short batches that even out the end.
    """
    grouped: dict[str, list[str]] = {}
    for label in operations:
        grouped.setdefault(collection_of(label, collections), []).append(label)
    creating: list[list[str]] = []
    alone: list[list[str]] = []
    reads: list[list[str]] = []
    for collection, labels in grouped.items():
        bodies = [label for label in labels if _has_body(doc, label)]
        if not bodies:
            reads.append(labels)
            continue
        posts = [b for b in bodies if b.startswith("POST ") and _shape(b.split(" ", 1)[1]) == collection]
        creator = (posts or bodies)[0]
        creating.append([label for label in labels if label == creator or label not in bodies])
        alone += [[label] for label in bodies if label != creator]
    by_size = sorted(creating, key=len, reverse=True)  # stable: document order on ties
    return by_size + ([[STATEFUL_UNIT]] if stateful else []) + alone + sorted(reads, key=len, reverse=True)


def _has_body(doc: dict[str, Any], label: str) -> bool:
    """Whether the operation takes a request body: the writes whose cases take the longest."""
    method, path = label.split(" ", 1)
    operation = ((doc.get("paths") or {}).get(path) or {}).get(method.lower())
    return isinstance(operation, dict) and bool(operation.get("requestBody"))


def _shape(path: str) -> str:
    """A path with every parameter alike: ``/building/{id}`` and ``/building/{buildingId}`` agree."""
    return "/".join("{}" if part.startswith("{") else part for part in path.split("/"))


def collection_paths(doc: dict[str, Any]) -> set[str]:
    """Paths that list or create entities addressed below them by a parameter (``/building``)."""
    shapes = {_shape(path) for path in doc.get("paths") or {}}
    return {shape for shape in shapes if any(other.startswith(shape + "/{") for other in shapes)}


def collection_of(label: str, collections: set[str]) -> str:
    """The longest collection a ``METHOD /path`` belongs to; the path itself when none."""
    path = _shape(label.split(" ", 1)[1])
    found = [c for c in collections if path == c or path.startswith(c + "/")]
    return max(found, key=len) if found else path
