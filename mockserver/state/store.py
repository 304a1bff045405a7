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


class StoreUnavailable(ContractsError):
    """The store cannot serve (a read-only, locked or damaged file); the message names the file.

    At start-up it is one line and exit 2; at request time a 503 ProblemDetails, never a 500."""


class StateStore(Protocol):
    def get(self, collection: str, entity_id: str) -> dict[str, Any] | None:
        """The stored entity, or None."""

    def put(self, collection: str, entity_id: str, entity: dict[str, Any], parent: Ref | None = None) -> None:
        """Create or replace an entity; ``parent`` links it for listing and cascading deletes."""

    def create(
        self, collection: str, entity_id: str, entity: dict[str, Any], parent: Ref | None = None
    ) -> bool:
        """Store a new entity; False (and nothing written) when the id is taken, atomically."""

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
