"""What an authenticated, validated request does: the state step of the pipeline.

One function per derived kind (list, create, read, update, delete, lookup, generated, action).
Stored entities are built from the request data over deterministic generated values and shaped
with ``SpecRuntime.conform`` so every answer validates against the schema of its status code.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from mockserver.auth import in_scope
from mockserver.operations import Operation
from mockserver.problems import MockResponse, problem_response
from mockserver.reference import MISSING
from mockserver.resources import ACCOUNT, Behaviour
from mockserver.runtime import SpecRuntime
from mockserver.state import Ref, StateStore
from mockserver.tokens import Token

DELETED = "~deleted/"


class Refusal(Exception):
    """A 4xx answer decided while handling (missing entity, out of scope, conflict)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass
class Call:
    """One request, as the state step sees it."""

    runtime: SpecRuntime
    store: StateStore
    operation: Operation
    behaviour: Behaviour
    path_values: dict[str, str]
    body: Any
    token: Token | None
    instance: str
    raw_body: bytes = b""
    id_source: Any = None  # a random.Random for deterministic ids (fixtures); None -> uuid4
    base_url: str = ""  # scheme://host the client reached the mock on (for download URLs)
    language: str | None = None  # the Accept-Language header, for catalogue names


def handle(call: Call) -> MockResponse:
    try:
        engine = call.runtime.lifecycle  # the platform's lifecycles answer the operations they own
        special = engine.handlers.get(id(call.operation)) if engine is not None else None
        handler = special or HANDLERS[call.behaviour.kind]
        return handler(call)
    except Refusal as refusal:
        return problem_response(
            refusal.status,
            refusal.detail,
            call.instance,
            operation=call.operation,
            conform=lambda body, schema: call.runtime.conform(body, schema, "problem"),
        )


# -- helpers ---------------------------------------------------------------------------------
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
        return MockResponse(int(success.status))
    shaped = call.runtime.conform(entity, success.schema, call.operation.label)
    return _json(call, shaped)


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
            expected_parent = rt.model.parents.get(collection)
            under = previous if previous is not None and expected_parent == previous[0] else None
            key = store_key(rt, collection, under, value)
            entity = store.get(collection, key)
            if entity is None:
                raise Refusal(404, f"no {collection} with id '{value}'")
            if under is not None and store.parent_of(collection, key) != under:
                raise Refusal(404, f"no {collection} with id '{value}' under {under[0]} '{under[1]}'")
            previous = (collection, key)
            chain.append(previous)
            deepest = entity
        elif store.get(DELETED + collection, "/".join(trail)) is not None:
            raise Refusal(404, f"{collection} '{value}' was deleted")
    return chain, deepest


def _check_scope(call: Call, chain: list[Ref]) -> None:
    token = call.token
    if token is None or token.scope == "account":
        return
    if not chain or not in_scope(token, chain, call.store.parent_of):
        raise Refusal(403, f"the API key '{token.name}' is limited to {token.scope}")


def _body_parents(call: Call, collection: str, body: Any) -> tuple[Ref | None, list[Ref]]:
    """Parents named in the body (``folderId``): each must exist; the one to link under, if any."""
    fields = call.runtime.model.body_parents.get(collection, {})
    if not fields or not isinstance(body, dict):
        return None, []
    link: Ref | None = None
    named: list[Ref] = []
    for field, targets in fields.items():
        value = body.get(field)
        if value is None:
            continue
        if ACCOUNT in targets and value == call.runtime.account_id:
            continue
        found = next((t for t in targets if t != ACCOUNT and call.store.get(t, str(value)) is not None), None)
        if found is None:
            raise Refusal(404, f"{field} '{value}' names no existing {' or '.join(targets)}")
        named.append((found, str(value)))
        if link is None:
            link = (found, str(value))
    return link, named


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


def scoped(rt: SpecRuntime, collection: str) -> bool:
    """Whether the keys of ``collection`` are unique only under their parent, as on the platform:
    a child collection whose keys are not uuids (an element's IFC id, an LCA's iso code), so two
    files may hold elements of the same id. Such entities are stored as ``<parent key>/<key>``."""
    if rt.model.parents.get(collection) is None:
        return False
    schema = rt.key_schemas.get(collection)
    return schema is not None and rt._raw_resolve(schema).get("format") != "uuid"


def store_key(rt: SpecRuntime, collection: str, parent: Ref | None, key: str) -> str:
    """The store's key of the entity the API calls ``key`` (see ``scoped``)."""
    return f"{parent[1]}/{key}" if parent is not None and scoped(rt, collection) else key


def api_key(rt: SpecRuntime, collection: str, key: str) -> str:
    """The key the API shows for a store key (the inverse of ``store_key``)."""
    return key.split("/", 1)[1] if "/" in key and scoped(rt, collection) else key


def _new_key(call: Call, collection: str, body: Any, parent: Ref | None) -> str:
    """The store key of a new entity: the client's (409 if taken under the same parent), or a new one."""
    rt = call.runtime
    key_field = rt.key_fields.get(collection)
    wanted = body.get(key_field) if isinstance(body, dict) and key_field else None
    if isinstance(wanted, str) and wanted and _key_ok(rt, collection, wanted):
        key = store_key(rt, collection, parent, wanted)
        if call.store.get(collection, key) is not None:
            raise Refusal(409, f"{collection} '{wanted}' already exists")
        return key
    source = call.id_source or random.Random(uuid.uuid4().int)
    schema = rt.key_schemas.get(collection)
    if schema is not None and rt._raw_resolve(schema).get("format") != "uuid":
        converted = rt.converted(schema, response=False)
        for _ in range(20):  # short keys (2-letter iso codes) may collide
            candidate = store_key(rt, collection, parent, str(rt.generator.value(converted, source)))
            if call.store.get(collection, candidate) is None:
                return candidate
    return str(uuid.UUID(int=source.getrandbits(128), version=4))


def _key_ok(rt: SpecRuntime, collection: str, value: str) -> bool:
    """Whether a client-given key would route (a uuid where the item path wants one)."""
    schema = rt.key_schemas.get(collection)
    if schema is None:
        return "/" not in value
    return rt.schemas.validator(schema, response=False).is_valid(value)


def _store_entity(
    call: Call, collection: str, key: str, entity: dict[str, Any], parent: Ref | None
) -> dict[str, Any]:
    rt = call.runtime
    schema = rt.entity_schema(collection)
    if schema is not None:
        entity = rt.conform(entity, schema, collection, key)
    key_field = rt.key_fields.get(collection)
    if key_field and isinstance(entity, dict):
        entity[key_field] = api_key(rt, collection, key)
    call.store.put(collection, key, entity, parent)
    return entity


# -- kinds -----------------------------------------------------------------------------------
def do_list(call: Call) -> MockResponse:
    chain, _ = _addressed(call)
    collection = call.behaviour.collection or ""
    parent = chain[-1] if chain else None
    token = call.token
    if chain:
        _check_scope(call, chain)
    entities = call.store.list(collection, parent)
    if token is not None and token.scope != "account" and not chain:
        key_field = call.runtime.key_fields.get(collection) or "id"
        entities = [
            e
            for e in entities
            if in_scope(token, [(collection, str(e.get(key_field)))], call.store.parent_of)
        ]
    success = call.operation.success()
    if success.schema is None:
        return MockResponse(int(success.status))
    rt = call.runtime
    validator = rt.schemas.validator(success.schema, response=True)
    if validator.is_valid(entities):
        return _json(call, entities)
    return _json(call, _shape_list(call, entities, success.schema))


def _shape_list(call: Call, entities: list[Any], schema: dict[str, Any]) -> Any:
    rt = call.runtime
    resolved = rt._raw_resolve(schema)
    if resolved.get("type") == "array" and isinstance(resolved.get("items"), dict):
        return [rt.conform(e, resolved["items"], call.operation.label, i) for i, e in enumerate(entities)]
    return rt.conform(entities, schema, call.operation.label)


def do_create(call: Call) -> MockResponse:
    rt = call.runtime
    chain, _ = _addressed(call)
    collection = call.behaviour.collection or ""
    body_parent, named = _body_parents(call, collection, call.body)
    parent = chain[-1] if chain else body_parent
    if call.token is not None and call.token.scope != "account":
        _check_scope(call, chain + named)
    key = _new_key(call, collection, call.body, parent)
    schema = rt.entity_schema(collection) or call.operation.success().schema or {}
    names = rt.property_names(schema)
    entity = rt.entity_template(collection, schema) if schema else {}
    if not isinstance(entity, dict):
        entity = {}
    _overlay(entity, call.body, names)
    _parent_fields(call, entity, names, chain)
    _from_references(call, entity, names, [ref for ref in named if ref != parent])
    entity = _store_entity(call, collection, key, entity, parent)
    for deleted in call.store.list(DELETED + collection, parent):
        call.store.delete(DELETED + collection, str(deleted.get("key")))
    response = _respond_entity(call, entity)
    item = rt.model.entity_ops.get(collection)
    if item is not None and item.method == "GET" and item.segments[:-1] == call.operation.segments:
        location = quote(api_key(rt, collection, key), safe="")
        response.headers.append(("Location", f"{call.instance.rstrip('/')}/{location}"))
    return response


def do_read(call: Call) -> MockResponse:
    chain, entity = _addressed(call)
    _check_scope(call, chain)
    return _respond_entity(call, entity)


def do_update(call: Call) -> MockResponse:
    rt = call.runtime
    collection = call.behaviour.collection or ""
    chain, entity = _addressed(call)
    if call.behaviour.id_in_body:
        key_field = rt.key_fields.get(collection) or "id"
        key = call.body.get(key_field) if isinstance(call.body, dict) else None
        if not isinstance(key, str) or not key:
            raise Refusal(404, f"the body names no {collection} ({key_field} is missing)")
        entity = call.store.get(collection, key)
        if entity is None:
            raise Refusal(404, f"no {collection} with id '{key}'")
        parent = call.store.parent_of(collection, key)
        chain = [*chain, (collection, key)]
    else:
        key = chain[-1][1]
        parent = call.store.parent_of(collection, key)
    body_parent, named = _body_parents(call, collection, call.body)
    _check_scope(call, chain + named)
    if body_parent is not None and (parent is None or parent[0] == body_parent[0]):
        parent = body_parent
    assert entity is not None
    schema = rt.entity_schema(collection) or {}
    names = rt.property_names(schema)
    key_field = rt.key_fields.get(collection)
    _overlay(entity, call.body, names)
    if key_field:
        entity[key_field] = api_key(rt, collection, key)
    _parent_fields(call, entity, names, chain[:-1])
    entity = _store_entity(call, collection, key, entity, parent)
    return _respond_entity(call, entity)


def do_delete(call: Call) -> MockResponse:
    chain, _ = _addressed(call)
    collection = call.behaviour.collection or ""
    if collection in call.runtime.model.stateful:
        _check_scope(call, chain)
        call.store.delete(*chain[-1])
    else:
        if chain:
            _check_scope(call, chain)
        elif call.token is not None and call.token.scope != "account":
            raise Refusal(403, f"the API key '{call.token.name}' is limited to {call.token.scope}")
        trail = "/".join(call.path_values.get(p, "") for _, p in call.behaviour.refs)
        parent = chain[-1] if chain else None
        call.store.put(DELETED + collection, trail, {"key": trail}, parent)
    return _generated_answer(call, None)


def do_lookup(call: Call) -> MockResponse:
    chain, _ = _addressed(call)
    collection = call.behaviour.collection or ""
    value = call.path_values.get(call.operation.segments[-1][1:-1], "")
    if chain:
        found = next(
            (e for e in call.store.list(collection, chain[-1]) if e.get("externalId") == value), None
        )
    else:
        found = call.store.find(collection, "externalId", value)
    if found is None:
        raise Refusal(404, f"no {collection} with externalId '{value}'")
    key_field = call.runtime.key_fields.get(collection) or "id"
    _check_scope(call, [(collection, str(found.get(key_field)))])
    return _respond_entity(call, found)


def do_generated(call: Call) -> MockResponse:
    chain, entity = _addressed(call)
    if chain:
        _check_scope(call, chain)
    answer = call.runtime.reference_answer(call.operation, call.path_values, call.language)
    if answer is not MISSING:
        return _json(call, answer)
    return _generated_answer(call, entity)


def do_action(call: Call) -> MockResponse:
    rt = call.runtime
    chain, entity = _addressed(call)
    if chain:
        _check_scope(call, chain)
    elif call.token is not None and call.token.scope != "account":
        raise Refusal(403, f"the API key '{call.token.name}' is limited to {call.token.scope}")
    if call.behaviour.action in rt.model.hooks.clear_actions and chain:
        _clear(call, chain[-1])
    if call.behaviour.action in rt.model.hooks.batch_actions and chain:
        return _upsert_batch(call, chain)
    effects = rt.model.hooks.action_effects.get(call.behaviour.action or "")
    if effects and chain and entity is not None:
        collection, key = chain[-1]
        changed = copy.deepcopy(entity)
        for field, value in effects.items():
            try:
                changed[field] = value.format(**call.path_values) if isinstance(value, str) else value
            except (KeyError, IndexError, ValueError):
                continue
        schema = rt.entity_schema(collection) or {}
        names = rt.property_names(schema)
        for field in list(changed):
            if field not in entity and field not in names:
                del changed[field]
        entity = _store_entity(call, collection, key, changed, call.store.parent_of(collection, key))
    return _generated_answer(call, entity)


def _clear(call: Call, owner: Ref) -> None:
    """``DELETE .../children/clear``: remove every entity of the sibling collection under ``owner``."""
    target = (call.behaviour.collection or "").rsplit("/", 1)[0]
    key_field = call.runtime.key_fields.get(target)
    if target in call.runtime.model.stateful and key_field:
        for entity in call.store.list(target, owner):
            call.store.delete(target, str(entity.get(key_field)))


def _upsert_batch(call: Call, chain: list[Ref]) -> MockResponse:
    """``POST .../elements/batch``: each item of the array body is created or updated by its key
    under the addressed entity. An item that cannot be stored (a key that is unique across
    parents, taken under another one) is reported in the answer's ``failures`` list, as the
    platform reports items it rejects, instead of failing the whole batch."""
    rt = call.runtime
    target = (call.behaviour.collection or "").rsplit("/", 1)[0]
    key_field = rt.key_fields.get(target)
    failures: list[str] = []
    if target in rt.model.stateful and key_field and isinstance(call.body, list):
        schema = rt.entity_schema(target) or {}
        names = rt.property_names(schema)
        owner = chain[-1]
        for item in call.body:
            key = item.get(key_field) if isinstance(item, dict) else None
            if not isinstance(key, str) or not key:
                continue  # the schema validated the body; an item without its key names nothing
            stored_as = store_key(rt, target, owner, key)
            existing = call.store.get(target, stored_as)
            if existing is not None and call.store.parent_of(target, stored_as) != owner:
                failures.append(f"{key}: the id is taken under another {owner[0]}")
                continue
            entity = copy.deepcopy(existing) if existing is not None else rt.entity_template(target, schema)
            _overlay(entity, item, names)
            _parent_fields(call, entity, names, chain)
            _store_entity(call, target, stored_as, entity, owner)
    response = _generated_answer(call, None)
    value = json.loads(response.body) if response.body else None
    if isinstance(value, dict) and isinstance(value.get("failures"), list):
        value["failures"] = failures
        return _json(call, value)
    return response


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


HANDLERS = {
    "list": do_list,
    "create": do_create,
    "read": do_read,
    "update": do_update,
    "delete": do_delete,
    "lookup": do_lookup,
    "generated": do_generated,
    "action": do_action,
}
