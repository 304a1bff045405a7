"""Answers served from bytes: each listed entity kept encoded as its answer, a list joined from them.

Why: a list used to decode every stored entity, validate the whole answer and encode it again, so
its cost grew by tens of microseconds per entity. ``EncodedStore`` wraps the app's store and keeps,
per listed collection (and parent, and answer shape), each entity's encoded answer next to its key,
so a list is a slice and a ``b", ".join`` (byte for byte what ``json.dumps`` of the list gives) and
a scoped token filters on the keys, not on decoded entities. A read by id keeps its answer the same
way (``answer``).

What is cached is trusted only while the store's change counter of the collection
(``generation``: the memory store's own, the sqlite file's kept by triggers, so writes of other
threads, apps and processes count) is the one it was built at; a store without a counter is
passed through and answers take the decoding path. A list found stale is rebuilt from the one
before it: each listed entity whose stored JSON text is the one its entry was built from keeps
that entry (the same bytes object), so a write costs the list its own entities' decoding, shaping
and encoding, not every entity's. Which entities changed is told by comparing stored texts, not by
watching writes, so a write of another process on the sqlite file is seen the same way. Writes
passing through drop the cached reads by id of the collections they touch, and the lists below a
deleted entity.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from mockserver.state.memory_store import MemoryStore
from mockserver.state.store import Ref, StateStore

Entry = tuple[str, bytes]
"""(the entity's key, for scope filtering; its encoded answer)"""
Built = tuple[str, bytes, "int | None"]
"""An entry as built, and what it depends on: None when on its stored entity alone, else the place
in the list it was built for (a value generated to conform it is seeded by the place); it is reused
only where that holds. An entry depending on other entities is given a place it never has (-1)."""
Build = Callable[[list[dict[str, Any]], "Sequence[int] | None"], "Sequence[Built] | None"]
"""Encodes entities of a list (decoded once), given their places in it (None: they are the whole
list); None when the answer cannot be cached per entity (for a part: the whole list is asked next)."""
Source = tuple[str, "int | None", Entry]
"""What an entry was built from: (the stored JSON text, the place it depends on, the entry)"""
Answer = Callable[[], "tuple[bytes, Any] | None"]
"""Encodes one entity's answer: (its bytes, what else the answer carries), None when not cacheable."""

MAX_CACHED_BYTES = 64 * 1024 * 1024
"""Encoded answers kept at most: past it the cache starts over (a bound on memory, not a tuning)."""


def joined(entries: Sequence[Entry]) -> bytes:
    """The JSON array of the entries' answers: byte for byte ``json.dumps`` of the list."""
    return b"[" + b", ".join(e[1] for e in entries) + b"]"


class Listing(tuple[Entry, ...]):
    """A cached list's entries. The answer of the whole list is joined once and then shared: every
    request for an unchanged list answers the same bytes object (no 700 kB join, allocation and
    page faults per request of a 400-building list), and the request log keeps one copy of it."""

    sources: dict[str, Source]
    """Entity id -> what its entry was built from: the next build of the list reuses what still holds."""

    def answer(self, start: int, stop: int) -> bytes:
        if start > 0 or stop < len(self):
            return joined(self[start:stop])
        whole: bytes | None = self.__dict__.get("whole")
        if whole is None:  # two threads may both join it once: the same bytes either way
            whole = self.__dict__["whole"] = joined(self)
        return whole


ENTRY_OVERHEAD = 200
"""Bytes an entry takes beside its answer (its tuples, key, place in ``sources``), counted too."""

BUILDERS = 8
"""Locks a list's build takes (by its key's hash): builds of different lists mostly run side by side."""

Key = tuple[str, str, Any, Hashable]
"""("list" or "one", collection, the list's parent or the entity's id, answer shape)"""


class EncodedStore:
    """A StateStore that also keeps the encoded answers given from it, per change of a collection."""

    def __init__(self, inner: StateStore) -> None:
        self.inner = inner
        self.local = type(inner) is MemoryStore
        """Only this process writes ``inner`` (``platform.jobs`` keeps its queue of due jobs then)."""
        self._generation: Callable[[str], int] | None = getattr(inner, "generation", None)
        self._stored: Callable[[str, Ref | None], list[tuple[str, str]]] | None = getattr(
            inner, "stored", None
        )
        self._lock = threading.Lock()
        self._cached: dict[Key, tuple[int, Any, int]] = {}  # key -> (generation, value, bytes)
        self._keys: dict[str, set[Key]] = {}  # collection -> its cached keys
        self._bytes = 0
        self._builders = tuple(threading.Lock() for _ in range(BUILDERS))

    # -- the cache -------------------------------------------------------------------------
    def entries(self, collection: str, parent: Ref | None, shape: Hashable, build: Build) -> Listing | None:
        """The encoded entries of a whole list, from the cache or built now; None when not cached."""
        if self._generation is None:
            return None
        key = ("list", collection, parent, shape)
        found = self._cached.get(key)
        if found is not None and found[0] == self._generation(collection):
            return found[1]  # type: ignore[no-any-return]
        # One build of a list at a time: the crowd of requests finding it stale at once (fifty
        # clients after a write) waits for that build instead of each decoding the whole list side
        # by side (on sqlite, whose reads release the GIL, that was 140 MB of RSS instead of 80).
        with self._builders[hash(key) % BUILDERS]:
            generation = self._generation(collection)  # read first: what is listed next is as new
            found = self._cached.get(key)
            if found is not None and found[0] == generation:
                return found[1]  # type: ignore[no-any-return]
            entries = self._build(collection, parent, build, found[1].sources if found else {})
            if entries is None:
                return None
            size = 2 * sum(len(e[1]) for e in entries)  # the entries and, once asked, their join
            size += ENTRY_OVERHEAD * len(entries)
            if not self.local:  # the memory store's texts are its own objects, the sqlite file's copies
                size += sum(len(source[0]) for source in entries.sources.values())
            self._keep(collection, key, generation, entries, size)
            return entries

    def _build(
        self, collection: str, parent: Ref | None, build: Build, sources: dict[str, Source]
    ) -> Listing | None:
        """The list as stored now: the entries of ``sources`` whose text and place still hold, the
        others built (created or changed entities); deleted ones are gone, the store's order kept."""
        if self._stored is None:  # a store that cannot give its texts: every entity built
            built = build(self.inner.list(collection, parent), None)
            if built is None:
                return None
            listing = Listing(b[:2] for b in built)
            listing.sources = {}
            return listing
        stored = self._stored(collection, parent)
        entries: list[Entry | None] = []
        kept: dict[str, Source] = {}
        places: list[int] = []
        for place, (entity_id, text) in enumerate(stored):
            source = sources.get(entity_id)
            if source is not None and source[0] == text and source[1] in (None, place):
                entries.append(source[2])
                kept[entity_id] = source
            else:
                entries.append(None)
                places.append(place)
        if places:
            whole = len(places) == len(stored)
            texts = [stored[place][1] for place in places]
            built = build(json.loads("[" + ",".join(texts) + "]"), None if whole else places)
            if built is None:
                return None if whole else self._build(collection, parent, build, {})
            for place, text, (entity_key, body, depends) in zip(places, texts, built, strict=True):
                entries[place] = entry = (entity_key, body)
                kept[stored[place][0]] = (text, depends, entry)
        listing = Listing(entries)  # type: ignore[arg-type]
        listing.sources = kept
        return listing

    def answer(
        self, collection: str, entity_id: str, shape: Hashable, build: Answer
    ) -> tuple[bytes, Any] | None:
        """One entity's encoded answer, from the cache or built now (the caller has just read the
        entity, at this generation or a newer one); None when not cached."""
        if self._generation is None:
            return None
        key = ("one", collection, entity_id, shape)
        generation = self._generation(collection)
        found = self._cached.get(key)
        if found is not None and found[0] == generation:
            return found[1]  # type: ignore[no-any-return]
        built = build()
        if built is not None:
            self._keep(collection, key, generation, built, len(built[0]))
        return built

    def _keep(self, collection: str, key: Key, generation: int, value: Any, size: int) -> None:
        with self._lock:
            if self._bytes + size > MAX_CACHED_BYTES:
                self._forget_all()
            old = self._cached.get(key)
            if old is not None:
                self._bytes -= old[2]
            self._cached[key] = (generation, value, size)
            self._keys.setdefault(collection, set()).add(key)
            self._bytes += size

    def _changed(self, collections: Sequence[str], removed: Sequence[Ref] = ()) -> None:
        """Drop the reads by id of ``collections`` and the lists below a ``removed`` entity; the
        other lists stay, stale, for their next build to reuse the entries of unchanged entities."""
        gone = set(removed)
        with self._lock:
            for collection in list(self._keys) if gone else collections:
                keys = self._keys[collection] if gone else self._keys.get(collection, set())
                touched = collection in collections
                for key in [
                    k for k in keys if (k[0] == "one" and touched) or (k[0] == "list" and k[2] in gone)
                ]:
                    keys.discard(key)
                    dropped = self._cached.pop(key, None)
                    if dropped is not None:
                        self._bytes -= dropped[2]

    def _forget_all(self) -> None:
        self._cached, self._keys, self._bytes = {}, {}, 0

    # -- StateStore ------------------------------------------------------------------------
    def get(self, collection: str, entity_id: str) -> dict[str, Any] | None:
        return self.inner.get(collection, entity_id)

    def put(self, collection: str, entity_id: str, entity: dict[str, Any], parent: Ref | None = None) -> None:
        try:
            self.inner.put(collection, entity_id, entity, parent)
        finally:
            self._changed([collection])

    def create(
        self,
        collection: str,
        entity_id: str,
        entity: dict[str, Any],
        parent: Ref | None = None,
        *,
        parent_required: bool = False,
    ) -> bool:
        try:
            return self.inner.create(collection, entity_id, entity, parent, parent_required=parent_required)
        finally:
            self._changed([collection])

    def update(
        self,
        collection: str,
        entity_id: str,
        entity: dict[str, Any],
        parent: Ref | None = None,
        *,
        parent_required: bool = False,
    ) -> None:
        try:
            self.inner.update(collection, entity_id, entity, parent, parent_required=parent_required)
        finally:
            self._changed([collection])

    def delete(self, collection: str, entity_id: str) -> list[Ref]:
        removed: list[Ref] = []
        try:
            removed = self.inner.delete(collection, entity_id)
            return removed
        finally:
            self._changed(sorted({collection, *(ref[0] for ref in removed)}), removed)

    def list(
        self, collection: str, parent: Ref | None = None, *, offset: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return self.inner.list(collection, parent, offset=offset, limit=limit)

    def count(self, collection: str, parent: Ref | None = None) -> int:
        return self.inner.count(collection, parent)

    def find(self, collection: str, field: str, value: Any) -> dict[str, Any] | None:
        return self.inner.find(collection, field, value)

    def parent_of(self, collection: str, entity_id: str) -> Ref | None:
        return self.inner.parent_of(collection, entity_id)

    def reset(self) -> None:
        try:
            self.inner.reset()
        finally:
            with self._lock:
                self._forget_all()

    def __len__(self) -> int:
        return len(self.inner)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> Any:  # close() and whatever else the inner store offers
        return getattr(self.inner, name)
