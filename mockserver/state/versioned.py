"""One served version's view of the store the versions share: its own collections where two clash.

Two versions served together (v3.0 build 7980 and v4.0 both have ``database``) derive collections
of the same name from their paths, with different schemas and different children. Kept under
one name, v4.0 would list v3.0's databases, skip seeding its own fixtures (the collection is not
empty) and delete v3.0's products with a database. So a collection that more than one served
version holds is kept per version (``v4.0:database``); every other collection, and every
collection of a mock serving one version, keeps its plain name, so a store file reads the same.
Entities the platform shares across versions (the account, the standard databases) come from
the same reference data and carry the same ids in both versions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mockserver.state.store import Gone, Ref, StateStore

SEPARATOR = ":"


def clashing(collections_by_version: dict[str, Iterable[str]]) -> frozenset[str]:
    """The collections more than one version holds (kept per version)."""
    seen: dict[str, int] = {}
    for collections in collections_by_version.values():
        for collection in set(collections):
            seen[collection] = seen.get(collection, 0) + 1
    return frozenset(c for c, count in seen.items() if count > 1)


def parent_of_any(stores: dict[str, Any], fallback: StateStore) -> Callable[[str, str], Ref | None]:
    """A ``parent_of`` for readers of every version at once (the admin's scope checks): each
    version's view is asked in turn, so an entity of a collection kept per version is found."""
    views = [store for store in stores.values() if isinstance(store, VersionView)]
    if not views:
        return fallback.parent_of

    versions = {view.version for view in views}

    def parent_of(collection: str, entity_id: str) -> Ref | None:
        for view in views:
            found = view.parent_of(collection, entity_id)
            if found is not None:  # a parent kept per version: named as that version names it
                version, separator, name = found[0].partition(SEPARATOR)
                return (name, found[1]) if separator and version in versions else found
        return None

    return parent_of


class VersionView:
    """A StateStore over ``base`` in which the ``separate`` collections are this version's own."""

    def __init__(self, base: StateStore, version: str, separate: frozenset[str]) -> None:
        self.base = base
        self.version = version
        self.separate = separate
        self._prefix = version + SEPARATOR

    @property
    def inner(self) -> VersionView:
        """The same view over the store below ``base`` (the raw store under a ``LiveStore``)."""
        return VersionView(getattr(self.base, "inner", self.base), self.version, self.separate)

    def stored_name(self, collection: str) -> str:
        return self._prefix + collection if collection in self.separate else collection

    def _ref(self, ref: Ref | None) -> Ref | None:
        return (self.stored_name(ref[0]), ref[1]) if ref is not None else None

    def _own(self, ref: Ref) -> Ref:
        name = ref[0]
        if name.startswith(self._prefix) and name[len(self._prefix) :] in self.separate:
            return (name[len(self._prefix) :], ref[1])
        return ref

    # -- StateStore ------------------------------------------------------------------------
    def get(self, collection: str, entity_id: str) -> dict[str, Any] | None:
        return self.base.get(self.stored_name(collection), entity_id)

    def put(self, collection: str, entity_id: str, entity: dict[str, Any], parent: Ref | None = None) -> None:
        self.base.put(self.stored_name(collection), entity_id, entity, self._ref(parent))

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
            return self.base.create(
                self.stored_name(collection),
                entity_id,
                entity,
                self._ref(parent),
                parent_required=parent_required,
            )
        except Gone as gone:
            raise Gone(self._own(gone.ref)) from None

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
            self.base.update(
                self.stored_name(collection),
                entity_id,
                entity,
                self._ref(parent),
                parent_required=parent_required,
            )
        except Gone as gone:
            raise Gone(self._own(gone.ref)) from None

    def delete(self, collection: str, entity_id: str) -> list[Ref]:
        return [self._own(ref) for ref in self.base.delete(self.stored_name(collection), entity_id)]

    def list(
        self, collection: str, parent: Ref | None = None, *, offset: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        return self.base.list(self.stored_name(collection), self._ref(parent), offset=offset, limit=limit)

    def count(self, collection: str, parent: Ref | None = None) -> int:
        return self.base.count(self.stored_name(collection), self._ref(parent))

    def find(self, collection: str, field: str, value: Any) -> dict[str, Any] | None:
        return self.base.find(self.stored_name(collection), field, value)

    def parent_of(self, collection: str, entity_id: str) -> Ref | None:
        parent = self.base.parent_of(self.stored_name(collection), entity_id)
        return self._own(parent) if parent is not None else None

    def reset(self) -> None:
        self.base.reset()

    def entries(self, collection: str, parent: Ref | None, shape: Any, build: Any) -> Any:
        """The encoded entries of a list (``state.encoded``) of this version's collection."""
        entries = getattr(self.base, "entries", None)
        return entries(self.stored_name(collection), self._ref(parent), shape, build) if entries else None

    def answer(self, collection: str, entity_id: str, shape: Any, build: Any) -> Any:
        """One encoded answer (``state.encoded``) of this version's collection."""
        answer = getattr(self.base, "answer", None)
        return answer(self.stored_name(collection), entity_id, shape, build) if answer else None

    def track(self, collection: str, key_field: str) -> None:
        self.base.track(self.stored_name(collection), key_field)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:  # clock, jobs, close, ... of the store below
        return getattr(self.base, name)
