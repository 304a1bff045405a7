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
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from contracts.platform.leniency import UNSATISFIABLE_ALLOF
from mockserver.auth import AuthFailure, at_or_below, check_scope, in_scope, reaches
from mockserver.catalogue_refs import unknown_reference
from mockserver.leniency import Applied
from mockserver.listing import page_of
from mockserver.operations import Operation
from mockserver.problems import MockResponse, problem_response
from mockserver.reference import MISSING
from mockserver.resources import ACCOUNT, Behaviour
from mockserver.runtime import SpecRuntime
from mockserver.state import MAX_ENTITY_BYTES, Ref, StateStore
from mockserver.tokens import Token
from mockserver.validation import UploadedFile

DELETED = "~deleted/"
FIXTURE = "fixture"  # the instance fixtures are created with (mockserver.fixtures): checked at load


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
    files: dict[str, UploadedFile] = field(default_factory=dict)  # multipart file parts by part name
    id_source: Any = None  # a random.Random for deterministic ids (fixtures); None -> uuid4
    base_url: str = ""  # scheme://host the client reached the mock on (for download URLs)
    params: dict[str, Any] = field(default_factory=dict)  # validated query and header parameters
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


def precheck(call: Call) -> MockResponse | None:
    """What every operation checks before it acts, answered as it would be: the entities the path
    names exist, and the token reaches them. ``None`` when they pass (``Prefer: code=`` may then
    force an answer: a forced status never skips a check)."""
    try:
        chain, _ = _addressed(call)
        if chain:
            _check_scope(call, chain)
    except Refusal as refusal:
        return problem_response(
            refusal.status,
            refusal.detail,
            call.instance,
            operation=call.operation,
            conform=lambda body, schema: call.runtime.conform(body, schema, "problem"),
        )
    return None


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
    shaped, lenient = call.runtime.shape(entity, success.schema, call.operation.label)
    response = _json(call, shaped)
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
    """``auth.check_scope`` on the deepest entity of ``chain`` and the body's references."""
    try:
        check_scope(
            call.token, chain[-1] if chain else None, call.store.parent_of, named or (), moving=moving
        )
    except AuthFailure as failure:
        raise Refusal(failure.status, failure.detail) from None


def _body_parents(call: Call, collection: str, body: Any) -> tuple[Ref | None, list[Ref]]:
    """Parents named in the body (``folderId``): each must exist; the one to link under, if any.

    A ``parentId`` naming the account root is returned as ``("account", id)``: the top level.
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
        if ACCOUNT in targets and value == call.runtime.account_id:
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
    is refused before anything is stored (``mockserver.catalogue_refs``)."""
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
            candidate = str(rt.generator.value(converted, source))
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
    call: Call, collection: str, key: str, entity: dict[str, Any], parent: Ref | None, *, new: bool = False
) -> dict[str, Any]:
    """Shape and store ``entity`` under ``key`` (the client-visible key); a new one atomically (409
    when the key is taken, whatever the number of processes on the store)."""
    rt = call.runtime
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
    if not new:
        call.store.put(collection, stored_id, entity, parent)
    elif not call.store.create(collection, stored_id, entity, parent):
        raise Refusal(409, f"{collection} '{key}' already exists")
    return entity


# -- kinds -----------------------------------------------------------------------------------
def do_list(call: Call) -> MockResponse:
    chain, _ = _addressed(call)
    collection = call.behaviour.collection or ""
    parent = chain[-1] if chain else None
    token = call.token
    if chain:
        _check_scope(call, chain)
    scoped = token is not None and token.scope != "account" and not chain
    if scoped:
        key_field = call.runtime.key_fields.get(collection) or "id"
        visible = [
            e
            for e in call.store.list(collection, parent)
            if in_scope(token, [(collection, str(e.get(key_field)))], call.store.parent_of)  # type: ignore[arg-type]
        ]
        page = page_of(call.operation, call.params, len(visible))
        entities = visible[page.offset : page.offset + page.limit]
    else:
        page = page_of(call.operation, call.params, call.store.count(collection, parent))
        entities = call.store.list(collection, parent, offset=page.offset, limit=page.limit)
    success = call.operation.success()
    if success.schema is None:
        return MockResponse(int(success.status), headers=page.headers())
    rt = call.runtime
    validator = rt.schemas.validator(success.schema, response=True)
    if not validator.is_valid(entities):
        entities = _shape_list(call, entities, success.schema)
    response = _json(call, entities)
    response.headers.extend(page.headers())
    return response


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
    target = chain[-1] if chain else body_parent
    _check_scope(call, [target] if target else [], named)
    _check_catalogue_refs(call, collection)
    parent = _stored_parent(target)
    key = _new_key(call, collection, call.body, parent)
    schema = rt.entity_schema(collection) or call.operation.success().schema or {}
    names = rt.property_names(schema)
    entity = rt.entity_template(collection, schema, call.body) if schema else {}
    if not isinstance(entity, dict):
        entity = {}
    _overlay(entity, call.body, names)
    _parent_fields(call, entity, names, chain)
    _from_references(call, entity, names, [ref for ref in named if ref != parent])
    entity = _store_entity(call, collection, key, entity, parent, new=True)
    for deleted in call.store.list(DELETED + collection, parent):
        call.store.delete(DELETED + collection, str(deleted.get("key")))
    response = _respond_entity(call, entity)
    item = rt.model.entity_ops.get(collection)
    if item is not None and item.method == "GET" and item.segments[:-1] == call.operation.segments:
        response.headers.append(("Location", f"{call.instance.rstrip('/')}/{quote(key, safe='')}"))
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
        stored_id = rt.storage_id(collection, key, chain[-1] if chain else None)
        entity = call.store.get(collection, stored_id)
        if entity is None:
            raise Refusal(404, f"no {collection} with id '{key}'")
        chain = [*chain, (collection, stored_id)]
    else:
        key = _path_key(call, chain[-1])
    addressed = chain[-1]
    parent = call.store.parent_of(*addressed)
    body_parent, named = _body_parents(call, collection, call.body)
    _check_scope(call, [addressed], named, moving=addressed)
    _check_catalogue_refs(call, collection)
    if body_parent is not None and (
        parent is None or parent[0] == body_parent[0] or body_parent[0] == ACCOUNT
    ):
        parent = _stored_parent(body_parent)
        if at_or_below(parent, addressed, call.store.parent_of):
            raise Refusal(409, f"a {collection} cannot be moved below itself")
    assert entity is not None
    schema = rt.entity_schema(collection) or {}
    names = rt.property_names(schema)
    key_field = rt.key_fields.get(collection)
    _overlay(entity, call.body, names)
    if key_field:
        entity[key_field] = key
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
    value = _last_path_value(call)
    parent = chain[-1] if chain else None
    key_field = call.runtime.key_fields.get(collection) or "id"

    def ref_of(entity: dict[str, Any]) -> Ref:
        return (collection, call.runtime.storage_id(collection, str(entity.get(key_field)), parent))

    if call.token is None or call.token.scope == "account":
        found = (
            next((e for e in call.store.list(collection, parent) if e.get("externalId") == value), None)
            if chain
            else call.store.find(collection, "externalId", value)
        )
        matches = [found] if found is not None else []
    else:  # scoped before matching: an entity out of scope with the same externalId is not the one
        matches = [e for e in call.store.list(collection, parent) if e.get("externalId") == value]
        reachable = [e for e in matches if reaches(call.token, ref_of(e), call.store.parent_of)]
        matches = reachable or matches
    if not matches:
        raise Refusal(404, f"no {collection} with externalId '{value}'")
    _check_scope(call, [ref_of(matches[0])])
    return _respond_entity(call, matches[0])


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
        collection, stored_id = chain[-1]
        key = _path_key(call, chain[-1])
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
        entity = _store_entity(call, collection, key, changed, call.store.parent_of(collection, stored_id))
    return _generated_answer(call, entity)


def _clear(call: Call, owner: Ref) -> None:
    """``DELETE .../children/clear``: remove every entity of the sibling collection under ``owner``."""
    target = (call.behaviour.collection or "").rsplit("/", 1)[0]
    key_field = call.runtime.key_fields.get(target)
    if target in call.runtime.model.stateful and key_field:
        for entity in call.store.list(target, owner):
            call.store.delete(target, call.runtime.storage_id(target, str(entity.get(key_field)), owner))


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
            stored_id = rt.storage_id(target, key, owner)
            existing = call.store.get(target, stored_id)
            if existing is not None and call.store.parent_of(target, stored_id) != owner:
                failures.append(f"{key}: the id is taken by an element of another file")
                continue
            entity = (
                copy.deepcopy(existing) if existing is not None else rt.entity_template(target, schema, item)
            )
            _overlay(entity, item, names)
            _parent_fields(call, entity, names, chain)
            _store_entity(call, target, key, entity, owner)
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
