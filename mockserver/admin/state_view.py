"""What ``GET /__mock/state`` shows: every stored entity per version and collection, linked.

Each entity comes with its parent, its children and the path of its GET, so the console can draw
the tree and let a developer open any entity as the API serves it. Built on demand from the store
(never on the request path of ``/api/...``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from mockserver.behaviour.runtime import SpecRuntime
from mockserver.state.store import Ref, StateStore

SHOWN_FIELDS = ("name", "externalId", "fileName", "status", "isActive", "isDirty")
"""Fields shown next to an entity's id when it has them (a name, and what lifecycles move)."""


def state_view(
    runtimes: dict[str, SpecRuntime], store: StateStore, stores: dict[str, StateStore] | None = None
) -> dict[str, Any]:
    """``{"versions": {version: {"collections": [{"name", "parent", "entities": [...]}]}}}``;
    each version read through its own view of the store (``stores``) when there is one."""
    views = stores or {}
    return {
        "versions": {
            version: _version_view(runtime, views.get(version, store))
            for version, runtime in runtimes.items()
        }
    }


def _version_view(runtime: SpecRuntime, store: StateStore) -> dict[str, Any]:
    model = runtime.model
    collections = sorted(model.stateful, key=lambda c: (c.count("/"), c))
    entities: dict[Ref, dict[str, Any]] = {}
    parents: dict[Ref, Ref | None] = {}
    keys: dict[Ref, str] = {}  # stored ref -> the key the API addresses it by
    for collection in collections:
        key_field = runtime.key_fields.get(collection) or "id"
        for entity, stored_parent in _stored(runtime, store, collection, entities):
            if not isinstance(entity, dict):
                continue
            entity_id = str(entity.get(key_field))
            stored_id = runtime.storage_id(collection, entity_id, stored_parent)
            ref = (collection, stored_id)
            keys[ref] = entity_id
            parents[ref] = store.parent_of(collection, stored_id)
            entities[ref] = {
                "id": entity_id,
                "fields": {
                    k: entity[k] for k in SHOWN_FIELDS if isinstance(entity.get(k), str | int | float)
                },
                "parent": _ref_dict(parents[ref]),
                "children": [],
                "get": None,
            }
    for ref, parent in parents.items():
        if parent in entities:
            entities[parent]["children"].append(_ref_dict(ref))
    for ref, view in entities.items():
        view["get"] = _get_path(runtime, ref, parents, keys)
    return {
        "collections": [
            {
                "name": collection,
                "parent": model.parents.get(collection),
                "entities": [view for ref, view in entities.items() if ref[0] == collection],
            }
            for collection in collections
        ]
    }


def _ref_dict(ref: Ref | None) -> dict[str, str] | None:
    return {"collection": ref[0], "id": ref[1]} if ref is not None else None


def _stored(
    runtime: SpecRuntime, store: StateStore, collection: str, known: dict[Ref, Any]
) -> list[tuple[Any, Ref | None]]:
    """The entities of ``collection`` with the parent each is stored under, where that shapes its
    stored id (children keyed per parent: ``<parent id>/<key>``); parents are listed before."""
    if collection not in runtime.keyed_by_parent:
        return [(entity, None) for entity in store.list(collection)]
    parent_collection = runtime.model.parents.get(collection)
    found: list[tuple[Any, Ref | None]] = []
    for parent in [ref for ref in known if ref[0] == parent_collection]:
        found += [(entity, parent) for entity in store.list(collection, parent)]
    return found


def _get_path(
    runtime: SpecRuntime, ref: Ref, parents: dict[Ref, Ref | None], keys: dict[Ref, str]
) -> str | None:
    """The item GET path of the entity, its path parameters taken from the entity and its ancestors."""
    op = runtime.model.entity_ops.get(ref[0])
    if op is None or op.method != "GET":
        return None
    ids: dict[str, str] = {}
    current: Ref | None = ref
    while current is not None and current[0] not in ids:
        ids[current[0]] = keys.get(current, current[1])
        current = parents.get(current)
    path = op.template
    for collection, param in runtime.model.behaviours[id(op)].refs:
        if collection not in ids:
            return None
        path = path.replace("{" + param + "}", quote(ids[collection], safe=""), 1)
    return path
