"""``mock --fixtures-from FILE``: the entities a recorded session saw, as the mock's state.

Each successful JSON answer is routed to its operation; the derived behaviour says which
collection it shows: item reads, lookups, creates and updates show one entity, lists show many,
deletes remove one. Later answers win (a full item read overrides a list's summary), parents
come from the path (``/building/{id}/files``) or from the body (``folderId``), as for creates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from contracts.har import HarEntry
from mockserver.resources import ACCOUNT
from mockserver.router import Router
from mockserver.runtime import SpecRuntime
from mockserver.state import Ref, StateStore

ONE = frozenset({"read", "lookup", "create", "update"})


@dataclass
class RecordedEntity:
    collection: str
    key: str
    entity: dict[str, Any]
    parent: Ref | None


def entities_from_recording(
    entries: list[HarEntry], runtimes: dict[str, SpecRuntime]
) -> dict[str, list[RecordedEntity]]:
    """Per version, the entities the recording shows at its end, in first-seen order."""
    router = Router({version: runtime.operations for version, runtime in runtimes.items()})
    found: dict[str, dict[tuple[str, str], RecordedEntity]] = {version: {} for version in runtimes}
    for entry in entries:
        segments = [unquote(part) for part in entry.path.strip("/").split("/")]
        match = router.match(entry.method, segments)
        if match.operation is None or not 200 <= entry.status < 300:
            continue
        runtime = runtimes[match.operation.version]
        behaviour = runtime.model.behaviours[id(match.operation)]
        collection = behaviour.collection
        if collection is None or collection not in runtime.model.stateful:
            continue
        values = match.path_values or {}
        seen = found[match.operation.version]
        if behaviour.kind == "delete":
            key = values.get(behaviour.refs[-1][1]) if behaviour.refs else None
            seen.pop((collection, str(key)), None)
            continue
        body = _json(entry)
        if behaviour.kind in ONE and isinstance(body, dict):
            items = [body]
        elif behaviour.kind == "list":
            items = _listed(body)
        else:
            continue
        own = behaviour.kind not in ("create", "list")  # the path's last entity is this one
        parent = _path_parent(runtime, collection, behaviour.refs, values, own)
        for item in items:
            _add(runtime, seen, collection, item, parent)
    for version, seen in found.items():
        for recorded in seen.values():
            if recorded.parent is None:
                recorded.parent = _body_parent(runtimes[version], recorded, seen)
    return {version: list(seen.values()) for version, seen in found.items()}


def seed_recorded(store: StateStore, entities: list[RecordedEntity]) -> int:
    for recorded in entities:
        store.put(recorded.collection, recorded.key, recorded.entity, recorded.parent)
    return len(entities)


def apply_recording(app: Any, entries: list[HarEntry]) -> int:
    """Replace the app's state by the recording's entities; returns how many were seeded."""
    state = app.extensions["mockserver"]
    found = entities_from_recording(entries, state["runtimes"])
    state["store"].reset()
    return sum(seed_recorded(state["store"], entities) for entities in found.values())


def _add(
    runtime: SpecRuntime,
    seen: dict[tuple[str, str], RecordedEntity],
    collection: str,
    item: Any,
    parent: Ref | None,
) -> None:
    key_field = runtime.key_fields.get(collection) or "id"
    if not isinstance(item, dict) or item.get(key_field) in (None, ""):
        return
    key = str(item[key_field])
    known = seen.get((collection, key))
    if known is not None:
        known.entity = {**known.entity, **item}
        known.parent = parent or known.parent
        return
    seen[(collection, key)] = RecordedEntity(collection, key, dict(item), parent)


def _path_parent(
    runtime: SpecRuntime, collection: str, refs: list[tuple[str, str]], values: dict[str, str], own: bool
) -> Ref | None:
    chain = refs[:-1] if own and refs else refs
    expected = runtime.model.parents.get(collection)
    for ref_collection, param in reversed(chain):
        if ref_collection == expected and param in values:
            return (ref_collection, values[param])
    return None


def _body_parent(
    runtime: SpecRuntime, recorded: RecordedEntity, seen: dict[tuple[str, str], RecordedEntity]
) -> Ref | None:
    """A parent named in the entity (``folderId``), when the recording shows that parent too."""
    for field, targets in runtime.model.body_parents.get(recorded.collection, {}).items():
        value = recorded.entity.get(field)
        for target in targets:
            if target != ACCOUNT and (target, str(value)) in seen:
                return (target, str(value))
    return None


def _json(entry: HarEntry) -> Any:
    import json

    if not entry.response_body or "json" not in entry.response_type.lower():
        return None
    try:
        return json.loads(entry.response_body)
    except (ValueError, RecursionError):
        return None


def _listed(body: Any) -> list[Any]:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):  # a page wrapper: the first list-valued field holds the items
        return next((v for v in body.values() if isinstance(v, list)), [])
    return []
