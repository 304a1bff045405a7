"""Fields of a new entity that the platform fills from its state, not from the body.

A template value would name nothing (a made-up phase id, a made-up account), so these follow from
the state instead (docs/mock.md, "What the mock computes"):

- a building's ``phaseType``: the catalogue phase its ``phase`` names (``New`` is Nieuwbouw,
  ``Existing`` Bestaand); left out where the catalogue has no such phase;
- a database's ``accountId`` (build 7980): the account's; its parent, when the body names none,
  the account (``parentId``, ``parentType: Account``, ``parentName`` the account's name);
- ``POST /building/{id}/database`` creates the building's own database: the id it answers is
  listed by ``GET /building/{id}/database`` after the catalogue's (named after the building, not
  included in refinement by default), and goes with the building.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from contracts.platform.refinement import phase_match
from mockserver.behaviour.call import Call
from mockserver.behaviour.entities import _addressed, _check_scope, _json
from mockserver.behaviour.handlers import HANDLERS
from mockserver.behaviour.runtime import SpecRuntime
from mockserver.spec.operations import Operation
from mockserver.spec.problems import MockResponse
from mockserver.state.store import StateStore

BUILDING_DATABASES = "~building-databases"  # per building: the databases created under it
Handler = Callable[[Call], MockResponse]

Deriver = Callable[[Call, str, dict[str, Any], Any], dict[str, Any]]


def bind_owned_fields(runtime: SpecRuntime) -> None:
    """Attach the derivations to the collections of ``runtime`` that have the fields."""
    stateful = runtime.model.stateful
    if "building" in stateful and "phaseType" in _names(runtime, "building"):
        _chain(runtime, "building", _phase_type)
    if "database" in stateful and "accountId" in _names(runtime, "database"):
        _chain(runtime, "database", _account_owner)


def _names(runtime: SpecRuntime, collection: str) -> set[str]:
    return runtime.property_names(runtime.entity_schema(collection) or {})


def _chain(runtime: SpecRuntime, collection: str, own: Deriver) -> None:
    """Run ``own`` after whatever the collection already derives."""
    before = runtime.derivers.get(collection)

    def derive(call: Call, key: str, entity: dict[str, Any], parent: Any) -> dict[str, Any]:
        if before is not None:
            entity = before(call, key, entity, parent)
        return own(call, key, entity, parent)

    runtime.derivers[collection] = derive


def _phase_type(call: Call, key: str, entity: dict[str, Any], parent: Any) -> dict[str, Any]:
    catalogue = call.runtime.catalogue
    phase = phase_match(catalogue, entity.get("phase")) if catalogue is not None else None
    if phase is None:
        entity.pop("phaseType", None)
    else:
        entity["phaseType"] = phase["id"]
    return entity


def _account_owner(call: Call, key: str, entity: dict[str, Any], parent: Any) -> dict[str, Any]:
    runtime = call.runtime
    account = runtime.catalogue.account if runtime.catalogue is not None else None
    if runtime.account_id is None:
        return entity
    entity["accountId"] = runtime.account_id
    body = call.body if isinstance(call.body, dict) else {}
    if "parentId" in entity and not body.get("parentId"):
        entity["parentId"] = runtime.account_id
        if "parentType" in entity:
            entity["parentType"] = "Account"
        if "parentName" in entity:
            entity["parentName"] = (account or {}).get("name")
    return entity


def building_database_handlers(
    runtime: SpecRuntime, store: StateStore, keys: dict[str, Operation], current: dict[int, Handler]
) -> dict[int, Handler]:
    """``POST /building/{id}/database`` keeps what it creates; the GET lists it (wrapping ``current``)."""
    create, listing = keys.get("POST /building/{}/database"), keys.get("GET /building/{}/database")
    if create is None or listing is None or "building" not in runtime.model.stateful:
        return {}
    inner = current.get(id(listing)) or HANDLERS[runtime.model.behaviours[id(listing)].kind]

    def add(call: Call) -> MockResponse:
        chain, building = _addressed(call)
        _check_scope(call, chain)
        rng = call.id_source or runtime.rng(
            "building-database", chain[-1][1], store.count(BUILDING_DATABASES)
        )
        key = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        name = (building or {}).get("name") or key
        entry = {"databaseId": key, "name": name, "defaultIncludeForRefinement": False}
        store.put(BUILDING_DATABASES, key, entry, chain[-1])
        return _json(call, key)

    def listed(call: Call) -> MockResponse:
        response = inner(call)
        chain, _ = _addressed(call)
        value = json.loads(response.body) if response.status == 200 and response.body else None
        if not isinstance(value, list):
            return response
        own = store.list(BUILDING_DATABASES, chain[-1])
        value += [runtime.conform(e, _item(runtime, listing), "building-database") for e in own]
        return _json(call, value)

    return {id(create): add, id(listing): listed}


def _item(runtime: SpecRuntime, op: Operation) -> dict[str, Any]:
    schema = runtime._raw_resolve(op.success().schema or {})
    return schema.get("items") or {} if isinstance(schema, dict) else {}
