"""Seeded, deterministic fixture data: a few entities per stateful collection, parents first.

Each fixture is created through the same create step a client's POST goes through (so it is
shaped and linked exactly like client data), from a request body generated from the create
operation's schema with ``seed``. Folders form a tree (the first hangs under the account, the
next under the first); buildings sit in folders, files under buildings, commodities in databases.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from mockserver.behaviour import Call, Refusal, handle
from mockserver.resources import ACCOUNT
from mockserver.runtime import SpecRuntime
from mockserver.state import StateStore

PER_PARENT = 2
MAX_PARENTS = 2


def seed_fixtures(runtime: SpecRuntime, store: StateStore) -> int:
    """Create the fixtures unless the store already holds entities of this spec; returns how many."""
    model = runtime.model
    if any(store.list(c) for c in model.stateful):
        return 0
    created = 0
    for collection in _ordered(runtime):
        op = next(
            (
                o
                for o in runtime.operations
                if model.behaviours[id(o)].kind == "create"
                and model.behaviours[id(o)].collection == collection
            ),
            None,
        )
        if op is None:
            continue
        behaviour = model.behaviours[id(op)]
        parent_sets = _parent_values(runtime, store, behaviour.refs)
        for values in parent_sets[:MAX_PARENTS]:
            for index in range(PER_PARENT):
                body = _body(runtime, store, op, collection, index)
                rng = runtime.rng("fixture-id", collection, json.dumps(values, sort_keys=True), index)
                call = Call(runtime, store, op, behaviour, values, body, None, "fixture", id_source=rng)
                try:
                    response = handle(call)
                except Refusal:
                    continue
                if 200 <= response.status < 300:
                    created += 1
    return created


def _ordered(runtime: SpecRuntime) -> list[str]:
    """Stateful collections with path parents and body-referenced parents before their children."""
    model = runtime.model
    pending = sorted(model.stateful, key=lambda c: (c.count("/"), c))
    done: list[str] = []
    for _ in range(len(pending) + 1):
        for collection in list(pending):
            needs = {model.parents.get(collection)} | {
                t for targets in model.body_parents.get(collection, {}).values() for t in targets
            }
            needs = {n for n in needs if n and n != ACCOUNT and n != collection and n in model.stateful}
            if needs <= set(done):
                done.append(collection)
                pending.remove(collection)
    return done + pending


def _parent_values(
    runtime: SpecRuntime, store: StateStore, refs: list[tuple[str, str]]
) -> list[dict[str, str]]:
    """Path values naming existing parents: one dict per parent entity to create children under."""
    if not refs:
        return [{}]
    combos: list[dict[str, str]] = [{}]
    previous: tuple[str, str] | None = None
    for collection, param in refs:
        next_combos = []
        for combo in combos:
            parent = (previous[0], combo[previous[1]]) if previous else None
            expected = runtime.model.parents.get(collection)
            scope = parent if parent and expected == parent[0] else None
            for entity in store.list(collection, scope)[:MAX_PARENTS]:
                key_field = runtime.key_fields.get(collection) or "id"
                next_combos.append({**combo, param: str(entity.get(key_field))})
        combos = next_combos
        previous = (collection, param)
    return combos


def _body(runtime: SpecRuntime, store: StateStore, op: Any, collection: str, index: int) -> Any:
    if op.body is None:
        return None
    media, schema = next(((m, s) for m, s in op.body.media.items() if "json" in m), (None, None))
    if schema is None:
        return None
    body = copy.deepcopy(runtime.generate(schema, "fixture-body", collection, index))
    if not isinstance(body, dict):
        return body
    for field, targets in runtime.model.body_parents.get(collection, {}).items():
        choices: list[str] = []
        for target in sorted(targets, key=lambda t: t != ACCOUNT):  # the account first: a tree
            if target == ACCOUNT and runtime.account_id:
                choices.append(runtime.account_id)
            elif target != ACCOUNT:
                key_field = runtime.key_fields.get(target) or "id"
                choices += [str(e.get(key_field)) for e in store.list(target)]
        if choices:
            body[field] = choices[min(index, len(choices) - 1)]
    body.pop(runtime.key_fields.get(collection) or "", None)
    if "externalId" in body:
        body["externalId"] = f"{collection.replace('/', '-')}-{index + 1}"
    return body
