"""What every kind of operation shares: finding the entities a path names, checking scope and
references, building, keying and storing an entity, and answering with it.

The handlers (``reads``, ``writes``, ``actions``) and the platform's own (``platform/``) are built
from these steps.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from typing import Any

from contracts.platform.leniency import EMPTY_GUID, EMPTY_GUID_PARENT, UNSATISFIABLE_ALLOF
from mockserver.behaviour.call import DELETED, FIXTURE, Call, Refusal
from mockserver.behaviour.catalogue_refs import unknown_reference
from mockserver.behaviour.runtime import SpecRuntime
from mockserver.behaviour.scope import check_scope
from mockserver.spec.leniency import Applied
from mockserver.spec.problems import MockResponse
from mockserver.state.resources import ACCOUNT
from mockserver.state.store import MAX_ENTITY_BYTES, Gone, Ref


def _json(call: Call, value: Any, status: int | None = None) -> MockResponse:
    success = call.operation.success()
    code = status or int(success.status)
    if success.schema is None or value is None:
        return MockResponse(code)
    media = success.media_type or "application/json"
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return MockResponse(code, body, [("Content-Type", f"{media}; charset=utf-8")])


def _respond_entity(call: Call, entity: Any) -> MockResponse:
    success = call.operation.success()
    if success.schema is None:
        response = MockResponse(int(success.status))
        response.leniencies.extend(call.applied)
        return response
    shaped, lenient = call.runtime.shape(entity, success.schema, call.operation.label)
    response = _json(call, shaped)
    response.leniencies.extend(call.applied)
    if lenient:  # a whole Product or Material: valid only as the platform reads the spec
        response.leniencies.append(Applied(UNSATISFIABLE_ALLOF, "response"))
    return response


def _addressed(call: Call) -> tuple[list[Ref], dict[str, Any] | None]:
    """Check every entity the path names exists (and under its parent); the deepest stored one."""
    rt, store = call.runtime, call.store
    chain: list[Ref] = []
    deepest: dict[str, Any] | None = None
    previous: Ref | None = None
    trail: list[str] = []
    for collection, param in call.behaviour.refs:
        value = call.path_values.get(param, "")
        trail.append(value)
        if collection in rt.model.stateful:
            stored_id = rt.storage_id(collection, value, previous)
            entity = store.get(collection, stored_id)
            if entity is None:
                raise Refusal(404, f"no {collection} with id '{value}'")
            expected_parent = rt.model.parents.get(collection)
            if (
                previous is not None
                and expected_parent == previous[0]
                and store.parent_of(collection, stored_id) != previous
            ):
                raise Refusal(404, f"no {collection} with id '{value}' under {previous[0]}")
            previous = (collection, stored_id)
            chain.append(previous)
            deepest = entity
        elif store.get(DELETED + collection, "/".join(trail)) is not None:
            raise Refusal(404, f"{collection} '{value}' was deleted")
    return chain, deepest


def _last_path_value(call: Call) -> str:
    """The value of the path's last parameter (an external id, a file or image name)."""
    return call.path_values.get(call.operation.segments[-1][1:-1], "")


def _path_key(call: Call, ref: Ref) -> str:
    """The key the client used in the path for the stored entity ``ref``."""
    param = next(p for c, p in reversed(call.behaviour.refs) if c == ref[0])
    return call.path_values.get(param, "")


def _check_scope(
    call: Call, chain: list[Ref], named: list[Ref] | None = None, *, moving: Ref | None = None
) -> None:
    """``scope.check_scope`` on the deepest entity of ``chain`` and the body's references."""
    check_scope(call.token, chain[-1] if chain else None, call.store.parent_of, named or (), moving=moving)


def _body_parents(call: Call, collection: str, body: Any) -> tuple[Ref | None, list[Ref]]:
    """Parents named in the body (``folderId``): each must exist; the one to link under, if any.

    A ``parentId`` naming the account root is returned as ``("account", id)``: the top level; so
    is the empty Guid, which NSwag clients send for a Guid they did not set (the platform's
    ``empty-guid-parent`` leniency: the body then names the account's id).
    """
    fields = call.runtime.model.body_parents.get(collection, {})
    if not fields or not isinstance(body, dict):
        return None, []
    link: Ref | None = None
    named: list[Ref] = []
    for name, targets in fields.items():
        value = body.get(name)
        if value is None:
            continue
        account = call.runtime.account_id
        if ACCOUNT in targets and value == EMPTY_GUID and account and call.runtime.lenient:
            body[name] = value = account  # the body was parsed for this request alone
            call.applied.append(Applied(EMPTY_GUID_PARENT, f"body.{name}"))
        if ACCOUNT in targets and value == account:
            found: str | None = ACCOUNT
        else:
            found = next(
                (t for t in targets if t != ACCOUNT and call.store.get(t, str(value)) is not None), None
            )
        if found is None:
            raise Refusal(404, f"{name} '{value}' names no existing {' or '.join(targets)}")
        named.append((found, str(value)))
        if link is None:
            link = (found, str(value))
    return link, named


def _check_catalogue_refs(call: Call, collection: str) -> None:
    """A body naming a folder type, classification method or database the platform does not have
    is refused before anything is stored (``mockserver.behaviour.catalogue_refs``)."""
    if call.instance == FIXTURE:
        return
    problem = unknown_reference(call.runtime, call.store, collection, call.body)
    if problem is not None:
        raise Refusal(404, problem)


def _stored_parent(ref: Ref | None) -> Ref | None:
    """The parent link to store: the account root is no link (the top level)."""
    return None if ref is None or ref[0] == ACCOUNT else ref


def _overlay(entity: dict[str, Any], body: Any, names: set[str]) -> None:
    if isinstance(body, dict):
        for key, value in body.items():
            if key in names:
                entity[key] = value  # the body was parsed for this request alone


def _parent_fields(call: Call, entity: dict[str, Any], names: set[str], chain: list[Ref]) -> None:
    """Fill ``buildingId``-like fields from the entities the path names.

    A field the body uses as a reference of its own (a child's ``commodityId`` under
    ``/commodity/{id}/children``) keeps the body's value.
    """
    names = names - set(call.runtime.model.body_parents.get(call.behaviour.collection or "", {}))
    for collection, value in chain:
        words = collection.split("/")
        singular = [w[:-1] if w.endswith("s") else w for w in words]
        candidates = {f"{singular[-1]}Id", words[-1] + "Id", _camel(singular) + "Id", _camel(words) + "Id"}
        for name in candidates & names:
            entity[name] = value


def _from_references(call: Call, entity: dict[str, Any], names: set[str], refs: list[Ref]) -> None:
    """What a new entity shows of the entities its body references (a child's commodity names)."""
    hooks = call.runtime.model.hooks
    given = call.body if isinstance(call.body, dict) else {}
    for collection, key in refs:
        referenced = call.store.get(collection, key) or {}
        for name in hooks.shown_from_reference & names:
            if name not in given and referenced.get(name) is not None:
                entity[name] = copy.deepcopy(referenced[name])
    verb = call.behaviour.action
    if (
        verb
        and hooks.verb_field in names
        and hooks.verb_field not in given
        and call.behaviour.kind == "create"
    ):
        entity[hooks.verb_field] = verb


def _camel(words: list[str]) -> str:
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _new_key(call: Call, collection: str, body: Any, parent: Ref | None) -> str:
    """The client's key when it gives a usable one (taken: a 409 from the store), else a new one."""
    rt = call.runtime
    key_field = rt.key_fields.get(collection)
    wanted = body.get(key_field) if isinstance(body, dict) and key_field else None
    if isinstance(wanted, str) and wanted and _key_ok(rt, collection, wanted):
        return wanted
    source = call.id_source or random.Random(uuid.uuid4().int)
    schema = rt.key_schemas.get(collection)
    if schema is not None and rt._raw_resolve(schema).get("format") != "uuid":
        converted = rt.converted(schema, response=False)
        for _ in range(20):  # short keys (2-letter iso codes) may collide
            candidate = rt.generator.key(converted, source)
            if not candidate or not _key_ok(rt, collection, candidate):
                break  # no pattern to follow: a uuid names the entity
            if call.store.get(collection, rt.storage_id(collection, candidate, parent)) is None:
                return candidate
    return str(uuid.UUID(int=source.getrandbits(128), version=4))


def _key_ok(rt: SpecRuntime, collection: str, value: str) -> bool:
    """Whether a client-given key would route (a uuid where the item path wants one)."""
    schema = rt.key_schemas.get(collection)
    if schema is None:
        return "/" not in value
    return rt.schemas.validator(schema, response=False).is_valid(value)


def _store_entity(
    call: Call,
    collection: str,
    key: str,
    entity: dict[str, Any],
    parent: Ref | None,
    *,
    new: bool = False,
    existing: bool = False,
) -> dict[str, Any]:
    """Shape and store ``entity`` under ``key`` (the client-visible key); a new one atomically (409
    when the key is taken, whatever the number of processes on the store), an ``existing`` one only
    while it still exists. The parent is checked in the same store transaction: a write racing a
    delete of the entity or its parent (another thread, another process) is a 404, never a
    deleted entity brought back or an orphan."""
    rt = call.runtime
    derive = rt.derivers.get(collection)
    if derive is not None and call.instance != FIXTURE:
        entity = derive(call, key, entity, parent)
    schema = rt.entity_schema(collection)
    if schema is not None:
        entity = rt.conform(entity, schema, collection, key)
    key_field = rt.key_fields.get(collection)
    if key_field and isinstance(entity, dict):
        entity[key_field] = key
    size = len(json.dumps(entity, ensure_ascii=False).encode("utf-8"))
    if size > MAX_ENTITY_BYTES:
        raise Refusal(
            413, f"the {collection} would hold {size} bytes; one entity may hold {MAX_ENTITY_BYTES}"
        )
    stored_id = rt.storage_id(collection, key, parent)
    required = parent is not None and parent[0] in rt.model.stateful
    store = call.store
    try:
        if new:
            if not store.create(collection, stored_id, entity, parent, parent_required=required):
                raise Refusal(409, f"{collection} '{key}' already exists")
        elif existing:
            store.update(collection, stored_id, entity, parent, parent_required=required)
        else:
            _upsert(store, collection, stored_id, entity, parent, required)
    except Gone as gone:
        raise Refusal(404, f"no {gone.ref[0]} with id '{gone.ref[1]}' (deleted meanwhile)") from None
    return entity


def _upsert(
    store: Any, collection: str, stored_id: str, entity: dict[str, Any], parent: Ref | None, required: bool
) -> None:
    """Update, or create when absent; each step one transaction that re-checks the parent."""
    for _ in range(3):
        try:
            store.update(collection, stored_id, entity, parent, parent_required=required)
            return
        except Gone as gone:
            if gone.ref != (collection, stored_id):
                raise
        if store.create(collection, stored_id, entity, parent, parent_required=required):
            return
    raise Refusal(409, f"{collection} '{stored_id}' is being written by another request; try again")


def _generated_answer(call: Call, entity: dict[str, Any] | None) -> MockResponse:
    success = call.operation.success()
    if success.schema is None:
        return MockResponse(int(success.status))
    rt = call.runtime
    value = rt.generated_response(call.operation, success.status, call.path_values)
    if isinstance(value, dict) and entity:
        names = rt.property_names(success.schema)
        shared = {k: v for k, v in entity.items() if k in names and k != "id"}
        if shared:
            value = rt.conform(
                {**copy.deepcopy(value), **copy.deepcopy(shared)}, success.schema, call.operation.label
            )
    return _json(call, value)
