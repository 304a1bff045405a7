"""The kinds that read: ``list`` (paged, filtered to a scoped token's reach), ``read``, ``lookup``
(by ``externalId``) and ``generated`` (a reference answer from the catalogue, else generated values).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from contracts.platform.leniency import UNSATISFIABLE_ALLOF
from mockserver.behaviour.call import Call, Refusal
from mockserver.behaviour.entities import (
    _addressed,
    _check_scope,
    _generated_answer,
    _json,
    _last_path_value,
    _respond_entity,
)
from mockserver.behaviour.reference import MISSING
from mockserver.behaviour.scope import in_scope, reaches
from mockserver.spec.leniency import Applied
from mockserver.spec.problems import MockResponse
from mockserver.state.encoded import Built, Listing, joined
from mockserver.state.listing import page_of
from mockserver.state.store import Ref


def do_list(call: Call) -> MockResponse:
    chain, _ = _addressed(call) if call.behaviour.refs else ([], None)
    collection = call.behaviour.collection or ""
    parent = chain[-1] if chain else None
    token = call.token
    if chain:
        _check_scope(call, chain)
    success = call.operation.success()
    scoped = token is not None and token.scope != "account" and not chain
    if success.schema is not None:
        encoded = _encoded_list(call, collection, parent, scoped)
        if encoded is not None:
            return encoded
    key_field = call.runtime.key_fields.get(collection) or "id"
    if scoped:
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
    if success.schema is None:
        return MockResponse(int(success.status), headers=page.headers())
    rt = call.runtime
    validator = rt.schemas.validator(success.schema, response=True)
    if not validator.is_valid(entities):
        entities = _shape_list(call, entities, success.schema)
    response = _json(call, entities)
    response.headers.extend(page.headers())
    return response


@dataclass(frozen=True)
class _ListPlan:
    """What answering one list operation from encoded entries needs that is the same on every
    request: worked out once per operation (``SpecRuntime.list_plans``), not per request."""

    schema: dict[str, Any]
    items: dict[str, Any] | None  # the array's items schema; None: the list is shaped as a whole
    key_field: str
    label: str
    shape: Hashable  # the encoded cache's key for this answer's shape
    status: int
    content_type: tuple[str, str]


def _plan(call: Call, collection: str) -> _ListPlan:
    plans = call.runtime.list_plans
    found = plans.get(id(call.operation))
    if found is None:
        success = call.operation.success()
        schema = success.schema or {}
        resolved = call.runtime._raw_resolve(schema)
        items = (
            resolved.get("items") if isinstance(resolved, dict) and resolved.get("type") == "array" else None
        )
        found = plans[id(call.operation)] = _ListPlan(
            schema=schema,
            items=items if isinstance(items, dict) else None,
            key_field=call.runtime.key_fields.get(collection) or "id",
            label=call.operation.label,
            shape=(call.operation.label, id(schema)),
            status=int(success.status),
            content_type=("Content-Type", f"{success.media_type or 'application/json'}; charset=utf-8"),
        )
    return found


def _encoded_list(call: Call, collection: str, parent: Ref | None, scoped: bool) -> MockResponse | None:
    """The list joined from its entities' encoded answers (``state.encoded``); None: not cached.

    An entity is decoded, shaped and encoded when it is new or changed; a list is then a slice and
    a join, and a scoped token filters on the keys kept beside the bytes. An entity valid as stored
    is answered as stored, whatever its place; one conformed to the items' schema is answered with
    values seeded by its place, so its entry holds at that place only (``state.encoded.Built``)."""
    entries_of = getattr(call.store, "entries", None)
    if entries_of is None:
        return None
    plan = _plan(call, collection)
    entries = entries_of(
        collection, parent, plan.shape, lambda found, places: _build(call, plan, found, places)
    )
    if entries is None:
        return None
    if scoped:
        token = call.token
        parent_of = lru_cache(maxsize=None)(call.store.parent_of)  # the folders above, asked once
        entries = [e for e in entries if in_scope(token, [(collection, e[0])], parent_of)]  # type: ignore[arg-type]
    page = page_of(call.operation, call.params, len(entries))
    stop = page.offset + page.limit
    if isinstance(entries, Listing):
        body = entries.answer(page.offset, stop)  # the whole list: joined once per change
    else:
        body = joined(entries[page.offset : stop])
    paging = page.headers()
    return MockResponse(plan.status, body, [plan.content_type, *paging] if paging else [plan.content_type])


def _build(
    call: Call, plan: _ListPlan, entities: list[dict[str, Any]], places: Sequence[int] | None
) -> list[Built] | None:
    """The entries of ``entities`` (at ``places`` of the list; None: the whole list, in order)."""
    rt, items, key_field = call.runtime, plan.items, plan.key_field

    def key(entity: Any) -> str:
        return str(entity.get(key_field) if isinstance(entity, dict) else None)

    if items is None:  # shaped as a whole: an answer may depend on the others
        if places is not None:
            return None
        shaped: Any = entities
        if not rt.schemas.validator(plan.schema, response=True).is_valid(entities):
            shaped = _shape_list(call, entities, plan.schema)
        if not isinstance(shaped, list) or len(shaped) != len(entities):
            return None  # not an array of the entities: answered the decoding way
        return [(key(e), _encoded(s), -1) for e, s in zip(entities, shaped, strict=True)]
    valid = rt.schemas.validator(items, response=True).is_valid
    return [
        (key(e), _encoded(e), None)
        if valid(e)
        else (key(e), _encoded(rt.conform(e, items, plan.label, i)), i)
        for e, i in zip(entities, range(len(entities)) if places is None else places, strict=True)
    ]


def _encoded(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _shape_list(call: Call, entities: list[Any], schema: dict[str, Any]) -> Any:
    rt = call.runtime
    resolved = rt._raw_resolve(schema)
    if resolved.get("type") == "array" and isinstance(resolved.get("items"), dict):
        return [rt.conform(e, resolved["items"], call.operation.label, i) for i, e in enumerate(entities)]
    return rt.conform(entities, schema, call.operation.label)


def do_read(call: Call) -> MockResponse:
    chain, entity = _addressed(call)
    _check_scope(call, chain)
    encoded = _encoded_read(call, chain[-1]) if chain else None
    return encoded if encoded is not None else _respond_entity(call, entity)


def _encoded_read(call: Call, ref: Ref) -> MockResponse | None:
    """The entity's answer as encoded at its last change (``state.encoded``); None: not cached.

    Byte for byte what ``_respond_entity`` answers: shaped and encoded once per change of the
    collection, the leniency a shape needed kept with the bytes."""
    answer_of = getattr(call.store, "answer", None)
    success = call.operation.success()
    if answer_of is None or success.schema is None:
        return None
    schema = success.schema

    def build() -> tuple[bytes, bool] | None:
        entity = call.store.get(*ref)  # read again: no older than the count the answer is kept at
        if entity is None:
            return None
        shaped, lenient = call.runtime.shape(entity, schema, call.operation.label)
        return (json.dumps(shaped, ensure_ascii=False).encode(), lenient) if shaped is not None else None

    found = answer_of(ref[0], ref[1], (call.operation.label, id(schema)), build)
    if found is None:
        return None
    body, lenient = found
    media = success.media_type or "application/json"
    response = MockResponse(int(success.status), body, [("Content-Type", f"{media}; charset=utf-8")])
    response.leniencies.extend(call.applied)
    if lenient:  # a whole Product or Material: valid only as the platform reads the spec
        response.leniencies.append(Applied(UNSATISFIABLE_ALLOF, "response"))
    return response


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
