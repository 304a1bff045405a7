"""Every GET operation of a served spec, called with path values taken from the mock's state.

What the answers-are-derived test walks: the path parameters that name entities are filled from
``/__mock/state`` (an entity of the deepest collection the path names and its ancestors), the
others (an ``externalId``, a ``fileName``, a language) from a field of that entity of the same
name, else from the parameter's enum or a value the spec's schema allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

PLACEHOLDER = re.compile(r"mock-\d+")


@dataclass(frozen=True)
class Answer:
    label: str  # "GET /api/v3.0/building/{id}"
    path: str  # the path as called
    status: int
    body: Any


def _entities(state: dict[str, Any], version: str) -> dict[str, list[dict[str, Any]]]:
    collections = state["versions"][version]["collections"]
    return {c["name"]: c["entities"] for c in collections}


def _by_ref(entities: dict[str, list[dict[str, Any]]]) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for name, listed in entities.items():
        for entity in listed:
            out[(name, entity["id"])] = entity
    return out


def _chain(
    entity: dict[str, Any], refs: dict[tuple[str, str], dict[str, Any]], collection: str
) -> dict[str, str]:
    """collection -> id for the entity and its stored ancestors."""
    out = {collection: entity["id"]}
    parent = entity.get("parent")
    while parent is not None:
        found = refs.get((parent["collection"], parent["id"]))
        if found is None:
            out.setdefault(parent["collection"], parent["id"].rsplit("/", 1)[-1])
            break
        out.setdefault(parent["collection"], found["id"])
        parent = found.get("parent")
    return out


def paths_for(runtime: Any, state: dict[str, Any], op: Any, prefer: set[str]) -> Iterator[str]:
    """The paths to call ``op`` with: one per entity of its deepest named collection (those whose
    ids are in ``prefer`` first, at most two), or one when it names none."""
    entities = _entities(state, runtime.version)
    refs = _by_ref(entities)
    named = runtime.model.behaviours[id(op)].refs
    params = {p.name: p for p in op.parameters if p.location == "path"}
    if named:
        deepest = named[-1][0]
        candidates = sorted(entities.get(deepest, []), key=lambda e: e["id"] not in prefer)[:2]
        chains = [_chain(e, refs, deepest) for e in candidates]
    else:
        chains = [{}]
    for chain in chains:
        values: dict[str, str] = {}
        for collection, param in named:
            if collection in chain:
                values[param] = chain[collection]
        last = (
            next(
                (e for e in entities.get(named[-1][0], []) if named and e["id"] == chain.get(named[-1][0])),
                None,
            )
            if named
            else None
        )
        path = op.template
        complete = True
        for name, param in params.items():
            value = values.get(name)
            if value is None and last is not None:
                value = (last.get("fields") or {}).get(name)
            if value is None:
                value = _free_value(runtime, param)
            if value is None:
                complete = False
                break
            path = path.replace("{" + name + "}", quote(str(value), safe=""), 1)
        if complete:
            yield path


def _free_value(runtime: Any, param: Any) -> str | None:
    schema = runtime._raw_resolve(param.schema) or {}
    if schema.get("enum"):
        return str(schema["enum"][0])
    if schema.get("format") == "uuid":
        return "00000000-0000-0000-0000-000000000000"
    if schema.get("type") in ("integer", "number"):
        return "1"
    return "nl" if "lang" in param.name.lower() else "x"


def walk(client: Any, app: Any, version: str, headers: dict[str, str], prefer: set[str]) -> list[Answer]:
    """Every GET of ``version`` answered (non-2xx answers too: their bodies are checked as well)."""
    runtime = app.extensions["mockserver"]["runtimes"][version]
    state = client.get("/__mock/state").json
    out: list[Answer] = []
    for op in runtime.operations:
        if op.method != "GET" or op.template.endswith("swagger.json"):
            continue
        for path in paths_for(runtime, state, op, prefer):
            response = client.get(path, headers=headers)
            body = response.get_json(silent=True) if response.is_json else None
            out.append(Answer(op.label, path, response.status_code, body))
    return out


def placeholders(value: Any, where: str = "") -> list[str]:
    """Where ``value`` holds a ``mock-NNNN`` string: JSON paths with the string."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, member in value.items():
            found += placeholders(member, f"{where}.{key}")
    elif isinstance(value, list):
        for i, member in enumerate(value):
            found += placeholders(member, f"{where}[{i}]")
    elif isinstance(value, str) and PLACEHOLDER.search(value):
        found.append(f"{where or '.'} = {value!r}")
    return found
