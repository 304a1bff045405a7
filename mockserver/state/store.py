"""Where the mock keeps its entities: the interface shared by the memory and sqlite stores.

The app derives collections (``building``, ``building/files``, ...) from the spec's
paths; a store only knows collections, ids, parent links and JSON documents.
Deleting an entity removes everything that hangs below it.
"""

from __future__ import annotations

from typing import Any, Protocol

from contracts.errors import ContractsError

Ref = tuple[str, str]
"""(collection, entity id)"""

MAX_ENTITY_BYTES = 1024 * 1024
"""What one stored entity may hold, as JSON text: a create or update beyond it is a 413."""


class Gone(Exception):
    """A guarded write found its entity, or the parent it goes under, deleted meanwhile (by another
    thread or another process on the sqlite file): nothing was written; the API answers 404."""

    def __init__(self, ref: Ref) -> None:
        super().__init__(f"{ref[0]} '{ref[1]}' no longer exists")
        self.ref = ref


class StoreUnavailable(ContractsError):
    """The store cannot serve (a read-only, locked or damaged file); the message names the file.

    At start-up it is one line and exit 2; at request time a 503 ProblemDetails, never a 500."""


class StateStore(Protocol):
    def get(self, collection: str, entity_id: str) -> dict[str, Any] | None:
        """The stored entity, or None."""

    def put(self, collection: str, entity_id: str, entity: dict[str, Any], parent: Ref | None = None) -> None:
        """Create or replace an entity; ``parent`` links it for listing and cascading deletes."""

    def create(
        self,
        collection: str,
        entity_id: str,
        entity: dict[str, Any],
        parent: Ref | None = None,
        *,
        parent_required: bool = False,
    ) -> bool:
        """Store a new entity; False (and nothing written) when the id is taken, atomically. With
        ``parent_required``, Gone (nothing written) when the parent no longer exists: checked in
        the same transaction, so a concurrent delete of the parent cannot leave an orphan."""

    def update(
        self,
        collection: str,
        entity_id: str,
        entity: dict[str, Any],
        parent: Ref | None = None,
        *,
        parent_required: bool = False,
    ) -> None:
        """Replace an existing entity; Gone (nothing written) when it, or a required parent, no
        longer exists: a write racing a delete never brings the deleted entity back."""

    def delete(self, collection: str, entity_id: str) -> list[Ref]:
        """Remove the entity and all its descendants; returns what was removed (empty if absent)."""

    def list(
        self, collection: str, parent: Ref | None = None, *, offset: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Entities of a collection (only the children of ``parent`` when given), in creation order;
        ``offset``/``limit`` take a slice of that order without loading the rest."""

    def count(self, collection: str, parent: Ref | None = None) -> int:
        """How many entities ``list`` would give without a slice."""

    def find(self, collection: str, field: str, value: Any) -> dict[str, Any] | None:
        """The first entity whose top-level ``field`` equals ``value`` (external id lookups)."""

    def parent_of(self, collection: str, entity_id: str) -> Ref | None:
        """The parent link given at ``put`` time (token scopes walk up this chain)."""

    def reset(self) -> None:
        """Forget everything and give the memory back (the /__mock/reset admin endpoint)."""
