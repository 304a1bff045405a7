"""A list holds everything it lists: more than a page is created, then every one must be listed.

``list_complete``: the first step of a chain (a folder, a database: lists that need no parent)
is created ``max(PAGE_FLOOR, the spec's page size) + 1`` times, each a copy of one full body
with its own name and key, and its list is read (page by page where the operation declares
an offset and a limit, else once): a list that leaves any of them out (cut at a fixed size, the
newest dropped) is a finding. A create the server refuses ends the check without a verdict
(the workflow's own create judges creates). What is created is the run's own, through the
ownership gate like every write, and deleted by the cleanup at the end.

Turned off with ``--skip-check list_complete``.
"""

from __future__ import annotations

import copy
from typing import Any

from contracts.refs import resolve_or_empty
from contracts.runner.active_run import active
from contracts.runner.chains import Step
from contracts.runner.flow import Flow, entity_id_of, json_of
from contracts.runner.relatives import entries

LIST_COMPLETE_CHECK = "list_complete"
PAGE_FLOOR = 50
"""Lists are often cut at 50 when no page size is declared."""
OFFSET_NAMES = ("skip", "offset", "$skip")
LIMIT_NAMES = ("take", "limit", "top", "$top", "pageSize", "pagesize", "size")
SHOWN = 5


def enabled() -> bool:
    run = active()
    return run is None or run.enabled(LIST_COMPLETE_CHECK)


def paging(operation: Any) -> tuple[str | None, str | None, int | None]:
    """The list's offset and limit query parameters (when declared) and its page size (a limit's maximum or default)."""
    raw = operation.schema.raw_schema
    definition = operation.definition.raw if hasattr(operation.definition, "raw") else operation.definition
    item = (raw.get("paths") or {}).get(operation.path) or {}
    names: dict[str, dict[str, Any]] = {}
    for parameter in [*(item.get("parameters") or []), *(definition.get("parameters") or [])]:
        parameter = resolve_or_empty(raw, parameter)
        if parameter.get("in") == "query" and isinstance(parameter.get("name"), str):
            names[parameter["name"]] = resolve_or_empty(raw, parameter.get("schema") or {})
    offset = next((n for n in OFFSET_NAMES if n in names), None)
    limit = next((n for n in LIMIT_NAMES if n in names), None)
    size = None
    if limit is not None:
        bound = names[limit].get("maximum", names[limit].get("default"))
        size = int(bound) if isinstance(bound, int | float) and 0 < bound < 10_000 else None
    return offset, limit, size


def check_complete(flow: Flow, step: Step) -> None:
    """Create more than a page of ``step``'s entities and find every one in its list."""
    listing = flow.operation("get", step.collection)
    create = flow.operation(step.create_method, step.collection)
    if not enabled() or listing is None or create is None or "{" in step.collection:
        return
    offset, limit, size = paging(listing)
    page = max(PAGE_FLOOR, size or 0)
    body = flow.body_for(create, step, "-page")
    made: list[str] = []
    for index in range(page + 1):
        _, response = flow.call(create, {}, _numbered(body, index))
        entity_id = entity_id_of(response) if 200 <= response.status_code < 300 else None
        if entity_id is None:
            return
        made.append(entity_id)
    case, response, listed = _read_all(flow, listing, offset, limit, size or page, len(made) + 10_000)
    if listed is None:
        return
    missing = [entity_id for entity_id in made if entity_id not in listed]
    if not missing:
        flow.passed(case, LIST_COMPLETE_CHECK)
        return
    shown = ", ".join(missing[:SHOWN]) + (f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else "")
    flow.fail(
        case,
        response,
        LIST_COMPLETE_CHECK,
        "List leaves entities out",
        f"{len(made)} {step.name}s created, GET {step.collection} lists {len(made) - len(missing)} of them "
        f"({len(listed)} entries in all): missing {shown}",
    )


def _numbered(body: Any, index: int) -> Any:
    """A copy of ``body`` with its own name and key (the key kept at its length)."""
    if not isinstance(body, dict):
        return body
    numbered = copy.deepcopy(body)
    tag = f"-{index}"
    if isinstance(numbered.get("name"), str):
        numbered["name"] = numbered["name"] + tag
    if isinstance(numbered.get("externalId"), str) and numbered["externalId"]:
        value = numbered["externalId"]
        numbered["externalId"] = value[: max(len(value) - len(tag), 0)] + tag
    return numbered


def _read_all(
    flow: Flow, listing: Any, offset: str | None, limit: str | None, size: int, most: int
) -> tuple[Any, Any, set[str] | None]:
    """Every id the list answers, page by page where it declares paging; the last request and answer."""
    if offset is None or limit is None:
        case, response = flow.call(listing, {})
        listed = entries(json_of(response)) if response.status_code == 200 else None
        return case, response, None if listed is None else {str(e.get("id")) for e in listed}
    ids: set[str] = set()
    case = response = None
    for start in range(0, most, size):
        case, response = flow.call(listing, {}, query={offset: start, limit: size})
        listed = entries(json_of(response)) if response.status_code == 200 else None
        if listed is None:
            return case, response, None
        ids |= {str(e.get("id")) for e in listed}
        if len(listed) < size:
            break
    return case, response, ids
