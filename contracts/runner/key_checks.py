"""The checks that send requests with keys: lookups by key, and the scoped key's lists.

Once per version at the end of the stateful unit (both modes; they only read), the lists a
token's scope bounds are read with the run's key, one listed entity per collection (the run's
own first) is looked up by its key, and the lists are read again with the scoped key
(``scoped_key``). The workflows look up each entity they create (``check_lookups``). What a
lookup must answer is ``lookups``'s rule. Every request goes through the flow's ``call``, so
through the ownership gate, into the counts of the stateful unit and the chain of a report.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from contracts.platform.scopes import scope_rules
from contracts.runner import lookups, scoped_key
from contracts.runner.chains import PATH_LINKS
from contracts.runner.flow import Flow, json_of, status_text_of
from contracts.runner.ledger import segment
from contracts.runner.relatives import entries
from contracts.runner.results import VersionResult
from contracts.runner.target import Target


def run_key_checks(
    schema: Any,
    target: Target,
    result: VersionResult,
    *,
    version: str,
    seed: int,
    run_prefix: str,
    progress: Callable[[str, Any], None],
) -> None:
    if not (lookups.enabled() or scoped_key.wanted_for(target)):
        return
    flow = Flow(
        schema,
        target,
        result,
        run_prefix,
        random.Random(seed),
        f"/api/{version}",
        progress=progress,
        version=version,
        phase="keys",
    )
    progress("phase", "keys")
    try:
        full_lists = read_lists(flow)
        check_listed_lookups(flow, full_lists)
        scoped_key.check_scoped_lists(flow, full_lists)
    finally:
        progress("phase_done", "keys")


def read_lists(flow: Flow) -> dict[str, list[dict[str, Any]]]:
    """The run key's answer to each list a scope bounds that the schema has (empty where refused)."""
    lists: dict[str, list[dict[str, Any]]] = {}
    for path in scope_rules().scoped_lists:
        operation = flow.operation("get", path)
        if operation is None:
            continue
        _, response = flow.call(operation, {})
        lists[path] = (entries(json_of(response)) or []) if response.status_code == 200 else []
    return lists


def check_lookups(flow: Flow, collection: str, entity: dict[str, Any], *, exact_id: bool) -> None:
    """Look ``entity`` up by its key through each lookup of its collection, whole and cut short.

    ``exact_id``: no other entity holds the key, so the lookup must answer this one.
    """
    if not lookups.enabled() or not isinstance(entity, dict) or entity.get("id") in (None, ""):
        return
    for template in lookups.lookup_templates(flow, collection):
        key = scope_rules().lookup_key(template) or ""
        value = entity.get(scope_rules().lookup_keys[key])
        params = _parameters(flow, template, entity)
        if not isinstance(value, str) or not value or params is None:
            continue
        _exact(flow, template, {**params, key: path_segment(value)}, str(entity["id"]), value, exact_id)
        if len(value) > 1:
            _partial(flow, template, {**params, key: path_segment(value[:-1])}, value)


def path_segment(value: str) -> str:
    """``value`` as one path segment (``/`` and ``%`` encoded; ``.`` and ``..`` too, or they move the path)."""
    return {".": "%2E", "..": "%2E%2E"}.get(value, segment(value))


def _parameters(flow: Flow, template: str, entity: dict[str, Any]) -> dict[str, str] | None:
    """The lookup's other path parameters: from the entity's own fields, else what the flow created."""
    names = [part[1:-1] for part in template.split("/") if part.startswith("{")][:-1]
    values = {}
    for name in names:
        value = entity.get(name)
        if value in (None, "") and PATH_LINKS.get(name) in flow.created:
            value = flow.created[PATH_LINKS[name]]
        if value in (None, ""):
            return None
        values[name] = str(value)
    return values


def _exact(
    flow: Flow, template: str, params: dict[str, str], entity_id: str, value: str, exact_id: bool
) -> None:
    operation = flow.operation("get", template)
    case, response = flow.call(operation, params)
    data = json_of(response) if response.status_code == 200 else None
    field = scope_rules().lookup_keys[scope_rules().lookup_key(template) or ""]
    same = isinstance(data, dict) and data.get(field) == value
    if same and (not exact_id or str(data.get("id")) == entity_id):  # type: ignore[union-attr]
        flow.passed(case, lookups.LOOKUP_CHECK)
        flow.validate(case, response)
        return
    answered = (
        f"the entity {data.get('id')} whose key is {data.get(field)!r}"
        if isinstance(data, dict)
        else status_text_of(response)
    )
    flow.fail(
        case,
        response,
        lookups.LOOKUP_CHECK,
        "Lookup by key misses the entity",
        f"GET {template} for {value!r} (the key of {entity_id}) answered {answered}",
    )


def _partial(flow: Flow, template: str, params: dict[str, str], value: str) -> None:
    operation = flow.operation("get", template)
    case, response = flow.call(operation, params)
    shorter = value[:-1]
    data = json_of(response) if response.status_code == 200 else None
    field = scope_rules().lookup_keys[scope_rules().lookup_key(template) or ""]
    if isinstance(data, dict) and data.get(field) != shorter:
        flow.fail(
            case,
            response,
            lookups.LOOKUP_CHECK,
            "Lookup answered a partial match",
            f"GET {template} for {shorter!r} (the key {value!r} cut short by one character) answered "
            f"the entity {data.get('id')} whose key is {data.get(field)!r}",
        )
        return
    flow.passed(case, lookups.LOOKUP_CHECK)
    flow.validate(case, response)


def check_listed_lookups(flow: Flow, full_lists: dict[str, list[dict[str, Any]]]) -> None:
    """For each listed collection with lookups, one entry whose key no other entry holds (the run's own first)."""
    if not lookups.enabled():
        return
    ledger = flow.target.gate.ledger if flow.target.gate is not None else None
    for collection, listed in full_lists.items():
        for field in dict.fromkeys(scope_rules().lookup_keys.values()):
            keys = [e.get(field) for e in listed]
            unique = [
                e for e in listed if isinstance(e.get(field), str) and e[field] and keys.count(e[field]) == 1
            ]
            owned = [e for e in unique if ledger is not None and ledger.owns(e.get("id"))]
            if unique:
                check_lookups(flow, collection, (owned or unique)[-1], exact_id=True)
