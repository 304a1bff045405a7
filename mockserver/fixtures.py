"""Seeded, deterministic fixture data, parents first, created the way a client's POST is.

Where the platform catalogue knows the version (``mockserver.catalogue_fixtures``), the fixtures
are its plan: the standard databases and commodities, and an account's folders, buildings, files
and elements drawn with ``seed``, every link resolvable. A fixtures file (``user_fixtures``)
extends or replaces that plan. Every other stateful collection gets a few entities from request
bodies generated from the create operation's schema with ``seed`` (unless a file replaces the
fixtures): folders form a tree, buildings sit in folders, children under their parents.
Each entity goes through the same create step a client's POST goes through, so it is shaped and
linked exactly like client data.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from contracts.errors import ContractsError
from contracts.platform.catalogue import Link, links
from mockserver.behaviour import FIXTURE, Call, Refusal, handle
from mockserver.catalogue_fixtures import STANDARD, Plan, catalogue_plan
from mockserver.resources import ACCOUNT
from mockserver.runtime import SpecRuntime
from mockserver.state import StateStore
from mockserver.user_fixtures import Fixtures, check_plan, label, merge

PER_PARENT = 2
MAX_PARENTS = 2


def fixture_plan(runtime: SpecRuntime, fixtures: Fixtures | None = None) -> Plan:
    """The catalogue's plan for this version with ``fixtures`` applied; raises on a bad file."""
    generated = (
        catalogue_plan(runtime.catalogue, runtime.account_id, runtime.seed) if runtime.catalogue else {}
    )
    if fixtures is None or runtime.version not in fixtures.versions:
        return generated
    own = fixtures.for_version(runtime.version)
    if runtime.account_id:  # ``parentId: account``: the account's root
        sections = links(runtime.version)
        own = {
            section: [
                {
                    k: runtime.account_id
                    if v == ACCOUNT and ACCOUNT in sections[section].refs.get(k, ())
                    else v
                    for k, v in entry.items()
                }
                for entry in entries
            ]
            for section, entries in own.items()
        }
    plan = merge(generated, own, fixtures.mode)
    check_plan(runtime, plan, replace(fixtures, versions={**fixtures.versions, runtime.version: own}))
    return plan


def seed_fixtures(runtime: SpecRuntime, store: StateStore, fixtures: Fixtures | None = None) -> int:
    """Create the fixtures unless the store already holds entities of this spec; returns how many."""
    model = runtime.model
    plan = fixture_plan(runtime, fixtures)  # checked even when the store is kept: a bad file still stops
    if _holds_entities(store, model.stateful):
        return 0
    covered, created = _seed_plan(runtime, store, plan, fixtures)
    if fixtures is not None and fixtures.mode == "replace" and runtime.version in fixtures.versions:
        return created
    for collection in _ordered(runtime):
        if collection in covered:
            continue
        op = create_operation(runtime, collection)
        if op is None:
            continue
        behaviour = model.behaviours[id(op)]
        parent_sets = _parent_values(runtime, store, behaviour.refs)
        for values in parent_sets[:MAX_PARENTS]:
            for index in range(PER_PARENT):
                body = _body(runtime, store, op, collection, index)
                rng = runtime.rng("fixture-id", collection, json.dumps(values, sort_keys=True), index)
                call = Call(runtime, store, op, behaviour, values, body, None, FIXTURE, id_source=rng)
                try:
                    response = handle(call)
                except Refusal:
                    continue
                if 200 <= response.status < 300:
                    created += 1
    return created


def _holds_entities(store: StateStore, collections: Iterable[str]) -> bool:
    """Whether the store already holds entities of these collections. Asked of the raw store when
    there is one: a look must not play jobs out (that is up to the first real read, at its time)."""
    raw = getattr(store, "inner", store)
    return any(raw.list(c, limit=1) for c in collections)


def create_operation(runtime: SpecRuntime, collection: str) -> Any:
    """The operation that creates entities of ``collection`` (its POST), if the spec has one."""
    model = runtime.model
    return next(
        (
            o
            for o in runtime.operations
            if model.behaviours[id(o)].kind == "create" and model.behaviours[id(o)].collection == collection
        ),
        None,
    )


def _seed_plan(
    runtime: SpecRuntime, store: StateStore, plan: Plan, fixtures: Fixtures | None
) -> tuple[set[str], int]:
    """Create the plan's entities section by section; the collections it covered and the count."""
    covered: set[str] = set()
    created = 0
    for section, link in links(runtime.version).items():
        entries = plan.get(section) or []
        op = create_operation(runtime, link.collection)
        if link.collection not in runtime.model.stateful or op is None:
            continue
        covered.add(link.collection)
        for index, entry in enumerate(_parents_first(entries, link)):
            response = _create(runtime, store, op, link, entry, index)
            if 200 <= response.status < 300:
                created += 1
            elif not entry.get(STANDARD) and fixtures is not None:
                detail = json.loads(response.body or b"{}").get("detail", f"status {response.status}")
                where = label(runtime.version, section, index, entry)
                raise ContractsError(f"{fixtures.source}: {where}: {detail}")
    return covered, created


def _parents_first(entries: list[dict[str, Any]], link: Link) -> list[dict[str, Any]]:
    """Entries of a self-linked section (folders under folders) ordered so parents come first."""
    if not link.parent or link.collection not in link.refs.get(link.parent, ()):
        return entries
    keys = {str(e.get("id")) for e in entries}
    done: set[str] = set()
    ordered: list[dict[str, Any]] = []
    pending = list(entries)
    while pending:
        ready = [e for e in pending if str(e.get(link.parent)) not in keys or str(e.get(link.parent)) in done]
        if not ready:  # a cycle: keep the given order, creation reports the missing parent
            ready = pending[:1]
        for entry in ready:
            ordered.append(entry)
            done.add(str(entry.get("id")))
            pending.remove(entry)
    return ordered


def _create(
    runtime: SpecRuntime, store: StateStore, op: Any, link: Link, entry: dict[str, Any], index: int
) -> Any:
    """POST one plan entry: path values from its parent link, body from its fields."""
    behaviour = runtime.model.behaviours[id(op)]
    body = {k: v for k, v in entry.items() if k != STANDARD}
    names = runtime.property_names(runtime.entity_schema(link.collection) or {})
    parent = body.get(link.parent) if link.parent else None
    if link.parent and link.parent not in names:
        body.pop(link.parent, None)
    values: dict[str, str] = {}
    refs = behaviour.refs
    if refs and parent is not None:
        values[refs[-1][1]] = str(parent)
        for position in range(len(refs) - 2, -1, -1):
            above = store.parent_of(refs[position + 1][0], values[refs[position + 1][1]])
            values[refs[position][1]] = above[1] if above else ""
    rng = runtime.rng("fixture-id", link.collection, json.dumps(values, sort_keys=True), index)
    call = Call(runtime, store, op, behaviour, values, body, None, FIXTURE, id_source=rng)
    return handle(call)


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
