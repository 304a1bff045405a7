"""The ``action`` kind: a verb on an entity (``.../clear``, ``.../batch``, an effect the spec's
hooks name); the platform's own lifecycles answer the actions they own (``platform/lifecycle.py``).
"""

from __future__ import annotations

import copy
import json

from mockserver.behaviour.call import Call, Refusal
from mockserver.behaviour.entities import (
    _addressed,
    _check_scope,
    _generated_answer,
    _json,
    _overlay,
    _parent_fields,
    _path_key,
    _store_entity,
)
from mockserver.spec.problems import MockResponse
from mockserver.state.store import Ref


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
    declared = rt.property_names(call.operation.success().schema or {})
    if isinstance(value, dict) and "failures" in declared:
        value["failures"] = failures
        return _json(call, value)
    return response
