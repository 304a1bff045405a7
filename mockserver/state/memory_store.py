"""In-process state store: the default for ``create_app`` and ``--store memory``.

One lock guards everything, so concurrent requests served by several waitress threads see
consistent parent links and cascades. Entities are kept as JSON text: a caller that mutates a
returned dict cannot change what is stored, and ``json.loads`` copies several times faster than
``copy.deepcopy`` (this is the hot path of every GET). Each collection counts its writes
(``generation``), so a cache of answers in front of it (``state.encoded``) knows when it is stale,
whichever app sharing the store wrote.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

from mockserver.state.blobs import BlobFolder
from mockserver.state.store import Gone, Ref


class MemoryStore:
    """Thread-safe implementation of :class:`mockserver.state.store.StateStore` kept in dicts."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._entities: dict[str, dict[str, str]] = {}
        self._parents: dict[Ref, Ref | None] = {}
        self._children: dict[Ref, dict[Ref, None]] = {}
        self._counter = itertools.count(1)
        self._generations: dict[str, int] = {}
        self._base = 0  # what a collection not written since the last reset counts
        self.blobs = BlobFolder()  # upload bytes, in a temporary folder (mockserver.state.blobs)

    def get(self, collection: str, entity_id: str) -> dict[str, Any] | None:
        with self._lock:
            entity = self._entities.get(collection, {}).get(entity_id)
        return json.loads(entity) if entity is not None else None

    def put(self, collection: str, entity_id: str, entity: dict[str, Any], parent: Ref | None = None) -> None:
        text = json.dumps(entity, ensure_ascii=False)
        with self._lock:
            self._store(collection, entity_id, text, parent)

    def create(
        self,
        collection: str,
        entity_id: str,
        entity: dict[str, Any],
        parent: Ref | None = None,
        *,
        parent_required: bool = False,
    ) -> bool:
        text = json.dumps(entity, ensure_ascii=False)
        with self._lock:
            if entity_id in self._entities.get(collection, {}):
                return False
            self._check_parent(parent, parent_required)
            self._store(collection, entity_id, text, parent)
            return True

    def update(
        self,
        collection: str,
        entity_id: str,
        entity: dict[str, Any],
        parent: Ref | None = None,
        *,
        parent_required: bool = False,
    ) -> None:
        text = json.dumps(entity, ensure_ascii=False)
        with self._lock:
            if entity_id not in self._entities.get(collection, {}):
                raise Gone((collection, entity_id))
            self._check_parent(parent, parent_required)
            self._store(collection, entity_id, text, parent)

    def _check_parent(self, parent: Ref | None, required: bool) -> None:
        if required and parent is not None and parent[1] not in self._entities.get(parent[0], {}):
            raise Gone(parent)

    def generation(self, collection: str) -> int:
        """A number that changes whenever an entity of the collection is written or removed: never
        the same for two states of the collection (it only grows, across resets too)."""
        return self._generations.get(collection, self._base)

    def _store(self, collection: str, entity_id: str, text: str, parent: Ref | None) -> None:
        ref = (collection, entity_id)
        self._generations[collection] = next(self._counter)
        self._entities.setdefault(collection, {})[entity_id] = text
        old_parent = self._parents.get(ref)
        if ref in self._parents and old_parent == parent:
            return
        if old_parent is not None:
            self._children.get(old_parent, {}).pop(ref, None)
        self._parents[ref] = parent
        if parent is not None:
            self._children.setdefault(parent, {})[ref] = None

    def delete(self, collection: str, entity_id: str) -> list[Ref]:
        root = (collection, entity_id)
        with self._lock:
            if entity_id not in self._entities.get(collection, {}):
                return []
            removed: list[Ref] = []
            pending = [root]
            while pending:
                ref = pending.pop()
                removed.append(ref)
                self._generations[ref[0]] = next(self._counter)
                pending.extend(self._children.pop(ref, {}))
                self._entities.get(ref[0], {}).pop(ref[1], None)
                parent = self._parents.pop(ref, None)
                if parent is not None and ref == root:
                    self._children.get(parent, {}).pop(ref, None)
            return removed

    def list(
        self, collection: str, parent: Ref | None = None, *, offset: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        with self._lock:
            texts = self._texts(collection, parent)
        end = None if limit is None else offset + limit
        return json.loads("[" + ",".join(texts[offset:end]) + "]")

    def stored(self, collection: str, parent: Ref | None = None) -> list[tuple[str, str]]:
        """What ``list`` gives, as kept: (id, JSON text) pairs, nothing decoded. A text is replaced,
        never changed, by a write: the same text object is the same entity (``state.encoded``)."""
        with self._lock:
            entities = self._entities.get(collection)
            if not entities:
                return []
            if parent is None:
                return list(entities.items())
            children = self._children.get(parent, {})
            return [(r[1], entities[r[1]]) for r in children if r[0] == collection and r[1] in entities]

    def count(self, collection: str, parent: Ref | None = None) -> int:
        with self._lock:
            if parent is None:
                return len(self._entities.get(collection, {}))
            return len(self._texts(collection, parent))

    def _texts(self, collection: str, parent: Ref | None) -> list[str]:
        entities = self._entities.get(collection)
        if not entities:
            return []
        if parent is None:
            return list(entities.values())
        children = self._children.get(parent, {})
        return [entities[ref[1]] for ref in children if ref[0] == collection and ref[1] in entities]

    def find(self, collection: str, field: str, value: Any) -> dict[str, Any] | None:
        with self._lock:
            texts = list(self._entities.get(collection, {}).values())
        for text in texts:
            entity = json.loads(text)
            if entity.get(field) == value:
                return entity
        return None

    def parent_of(self, collection: str, entity_id: str) -> Ref | None:
        with self._lock:
            return self._parents.get((collection, entity_id))

    def reset(self) -> None:
        """Drop every reference (new dicts, not cleared ones: a cleared dict keeps its table size)."""
        with self._lock:
            self._entities = {}
            self._parents = {}
            self._children = {}
            self._generations, self._base = {}, next(self._counter)
        self.blobs.clear()
