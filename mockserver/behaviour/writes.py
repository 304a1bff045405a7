"""The kinds that write an entity: ``create`` (keyed, linked under its parent, 409 on a taken key),
``update`` (also a move to another parent) and ``delete``.
"""

from __future__ import annotations

from urllib.parse import quote

from mockserver.behaviour.call import DELETED, FIXTURE, Call, Refusal
from mockserver.behaviour.entities import (
    _addressed,
    _body_parents,
    _check_catalogue_refs,
    _check_scope,
    _from_references,
    _generated_answer,
    _new_key,
    _overlay,
    _parent_fields,
    _path_key,
    _respond_entity,
    _store_entity,
    _stored_parent,
)
from mockserver.behaviour.scope import at_or_below
from mockserver.spec.problems import MockResponse
from mockserver.state.resources import ACCOUNT


def do_create(call: Call) -> MockResponse:
    rt = call.runtime
    chain, _ = _addressed(call)
    collection = call.behaviour.collection or ""
    body_parent, named = _body_parents(call, collection, call.body)
    target = chain[-1] if chain else body_parent
    _check_scope(call, [target] if target else [], named)
    if not chain and body_parent is None and call.raw_body:  # no body at all: as the spec allows
        _require_parent(call, collection)
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


def _require_parent(call: Call, collection: str) -> None:
    """A top-level create whose body is the only place its parent can come from must name one
    (a v4.0 commodity belongs to a database): 422, rather than an entity under a made-up id."""
    fields = call.runtime.model.body_parents.get(collection, {})
    owners = {name: targets for name, targets in fields.items() if ACCOUNT not in targets}
    if owners and call.instance != FIXTURE:
        name, targets = next(iter(owners.items()))
        raise Refusal(
            422, f"the body names no {name}: a {collection} belongs to a {targets[0]}; name an existing one"
        )


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
    entity = _store_entity(call, collection, key, entity, parent, existing=True)
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
