"""``mock --fixtures-from FILE``: the entities a recorded session saw, as the mock's state.

Each successful JSON answer is routed to its operation; the derived behaviour says which
collection it shows: item reads, lookups, creates and updates show one entity, lists show many,
deletes remove one. Later answers win (a full item read overrides a list's summary), parents
come from the path (``/building/{id}/files``) or from the body (``folderId``), as for creates.

The entities of the platform's fixture sections (folders, buildings, files, ...) become a
fixtures document in ``replace`` mode (``mockserver.user_fixtures``): the mock checks and
creates them like any fixtures file, keeps the platform's reference data and generates nothing
else. The recorded account is the mock's account. Entities of other collections are stored as
recorded once the app is built.
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


@dataclass
class RecordedFixtures:
    """A recording split into a fixtures document and the entities no fixture section covers."""

    fixtures: Any  # mockserver.user_fixtures.Fixtures
    others: dict[str, list[RecordedEntity]]

    @property
    def count(self) -> int:
        planned = sum(len(e) for plan in self.fixtures.versions.values() for e in plan.values())
        return planned + sum(len(found) for found in self.others.values())


def recorded_fixtures(
    entries: list[HarEntry], docs: dict[str, dict[str, Any]], source: str, seed: int = 0
) -> RecordedFixtures:
    """The recording's entities as ``create_app(..., fixtures=...)`` takes them, per served spec.

    ``seed`` must be the app's: the recorded account's id becomes the mock's account id.
    """
    from contracts.platform.catalogue import links
    from contracts.spec_loader import build_label
    from mockserver.user_fixtures import load_fixtures

    runtimes = {version: SpecRuntime(doc, version, build_label(doc), seed) for version, doc in docs.items()}
    found = entities_from_recording(entries, runtimes)
    mapping: dict[str, Any] = {"mode": "replace"}
    others: dict[str, list[RecordedEntity]] = {}
    for version, entities in found.items():
        sections = {link.collection: (name, link) for name, link in links(version).items()}
        account = (_recorded_account(entries, version), runtimes[version].account_id or ACCOUNT)
        plan: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in sections.values()}
        for recorded in entities:
            if recorded.collection not in sections:
                others.setdefault(version, []).append(recorded)
                continue
            name, link = sections[recorded.collection]
            plan[name].append(_entry(recorded, link, account, found[version]))
        if any(plan.values()):
            mapping[version] = {name: items for name, items in plan.items() if items}
    return RecordedFixtures(load_fixtures(mapping, source), others)


def _entry(
    recorded: RecordedEntity, link: Any, account: str | None, known: list[RecordedEntity]
) -> dict[str, Any]:
    """One fixtures entry: the recorded fields, its parent named, the recorded account as ``account``."""
    entry = dict(recorded.entity)
    if link.parent and entry.get(link.parent) in (None, "") and recorded.parent is not None:
        entry[link.parent] = recorded.parent[1]
    ids = {(e.collection, e.key) for e in known}
    for field_name, targets in link.refs.items():
        value = entry.get(field_name)
        if ACCOUNT in targets and value is not None:
            named = any((t, str(value)) in ids for t in targets if t != ACCOUNT)
            if value == account[0] or not named:
                entry[field_name] = account[1]
    return entry


def _recorded_account(entries: list[HarEntry], version: str) -> str | None:
    for entry in entries:
        if (
            entry.method == "GET"
            and entry.path.rstrip("/") == f"/api/{version}/account"
            and entry.status == 200
        ):
            body = _json(entry)
            if isinstance(body, dict) and isinstance(body.get("id"), str):
                return body["id"]
    return None


def store_others(app: Any, others: dict[str, list[RecordedEntity]]) -> int:
    """Entities no fixture section covers, stored as recorded."""
    store = app.extensions["mockserver"]["store"]
    return sum(seed_recorded(store, entities) for entities in others.values())


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
