"""Read-back beyond the entity itself, in the CRUD workflows: its parent, its list, its children.

- ``parent_unchanged``: after a child's create and update (a building in a folder, a
  commodity in a database), the parent the run created still returns every field the run
  last sent it;
- ``list_entry_matches``: after a create and an update, the collection lists the entity
  exactly once, and each field its entry shares with the entity's GET is the same;
- ``children_gone_after_delete``: a parent deleted with a child in it (a second parent and
  child made for this, both the run's own) takes the child off the child's list. A parent
  the server refuses to delete while it has children is no finding.

Each is turned off with ``--skip-check NAME``. Every request goes through the flow's
``call``, so through the ownership gate, into the chain of its reports and into the counts.
"""

from __future__ import annotations

import json
from typing import Any

from contracts.platform.server_owned import server_owned_fields
from contracts.runner.active_run import active
from contracts.runner.chains import PATH_LINKS, Step
from contracts.runner.readback import missing_fields, read_schema, same_value

PARENT_CHECK = "parent_unchanged"
LIST_CHECK = "list_entry_matches"
CHILDREN_CHECK = "children_gone_after_delete"
RELATIVE_CHECKS = (PARENT_CHECK, LIST_CHECK, CHILDREN_CHECK)


def enabled(check: str) -> bool:
    run = active()
    return run is None or run.enabled(check)


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def parent_of(step: Step) -> str | None:
    """The name of the earlier step this one's entity lives in (by a body link or a path parameter)."""
    for source in step.links.values():
        if not source.startswith("lookup:") and source != "none":
            return source
    for part in reversed(step.collection.split("/")):
        if part.startswith("{") and part[1:-1] in PATH_LINKS:
            return PATH_LINKS[part[1:-1]]
    return None


def check_parent(flow: Any, chain: tuple[Step, ...], step: Step, after: str) -> None:
    """The parent the run made still returns what the run last sent it."""
    name = parent_of(step)
    parent = next((s for s in chain if s.name == name), None)
    sent = flow.sent.get(name) if name else None
    if parent is None or not isinstance(sent, dict) or name not in flow.created or not enabled(PARENT_CHECK):
        return
    read = flow.operation("get", parent.item)
    if read is None:
        return
    case, response = flow.call(read, flow.path_parameters(parent.item, flow.created[name]))
    if response.status_code != 200:
        flow.fail(
            case,
            response,
            PARENT_CHECK,
            "Parent changed by a child's write",
            f"{name} {flow.created[name]}: after the {step.name}'s {after} its GET answered {response.status_code}",
        )
        return
    raw = read.schema.raw_schema
    definition = read.definition.raw if hasattr(read.definition, "raw") else read.definition
    owned = server_owned_fields(flow.version, parent.collection)
    lost = missing_fields(raw, sent, _json(response), read_schema(raw, definition), owned)
    if lost:
        flow.fail(
            case,
            response,
            PARENT_CHECK,
            "Parent changed by a child's write",
            f"{name} {flow.created[name]}: after the {step.name}'s {after} it no longer returns what was sent:\n"
            + "\n".join(lost),
        )
    else:
        flow.passed(case, PARENT_CHECK)


def entries(data: Any) -> list[dict[str, Any]] | None:
    """The entities of a listing (a list, or the first list a page carries); None if it is none."""
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        return None
    return [item for item in data if isinstance(item, dict)]


def listing_problem(listed: list[dict[str, Any]], entity: dict[str, Any], entity_id: str) -> str | None:
    """What is wrong with the entity's entry in a listing, or None (absence is ``list_contains_created``'s)."""
    found = [item for item in listed if str(item.get("id")) == entity_id]
    if not found:
        return None
    if len(found) > 1:
        return f"listed {len(found)} times"
    changed = [
        f"{key}: listed {json.dumps(value, ensure_ascii=False)[:60]}, "
        f"read {json.dumps(entity[key], ensure_ascii=False)[:60]}"
        for key, value in found[0].items()
        if key in entity and not same_value(value, entity[key])
    ]
    return "its entry differs from its GET:\n" + "\n".join(changed) if changed else None


def check_listing(flow: Any, step: Step, entity_id: str, after: str) -> None:
    """The collection lists the entity once, with the fields its GET answers."""
    listing = flow.operation("get", step.collection)
    read = flow.operation("get", step.item)
    if listing is None or read is None or not enabled(LIST_CHECK):
        return
    _, item = flow.call(read, flow.path_parameters(step.item, entity_id))
    entity = _json(item)
    case, response = flow.call(listing, flow.path_parameters(step.collection))
    listed = entries(_json(response)) if response.status_code == 200 else None
    if not isinstance(entity, dict) or listed is None:
        return
    problem = listing_problem(listed, entity, entity_id)
    if problem:
        flow.fail(
            case,
            response,
            LIST_CHECK,
            "Listing disagrees with the entity",
            f"{step.name} {entity_id} after the {after}: GET {step.collection} {problem}",
        )
    elif any(str(entry.get("id")) == entity_id for entry in listed):
        flow.passed(case, LIST_CHECK)


def create_only(flow: Any, step: Step) -> str | None:
    """Create one entity of ``step`` (its links from ``flow.created``), with no checks; its id."""
    create = flow.operation(step.create_method, step.collection)
    if create is None:
        return None
    body = flow.body_for(create, step, "-cascade")
    _, response = flow.call(create, flow.path_parameters(step.collection), body)
    data = _json(response)
    entity_id = data.get("id") if isinstance(data, dict) and 200 <= response.status_code < 300 else None
    if entity_id in (None, ""):
        return None
    flow.created[step.name] = str(entity_id)
    return str(entity_id)


def check_cascade(flow: Any, chain: tuple[Step, ...], done: list[Step]) -> None:
    """A second parent with a child in it, the parent deleted: the child must leave its list."""
    if len(done) < 2 or not enabled(CHILDREN_CHECK):
        return
    parent, child = done[0], done[1]
    listing = flow.operation("get", child.collection)
    if parent_of(child) != parent.name or listing is None or "{" in child.collection:
        return  # the child's list is reached through the parent itself: nothing to look at after
    kept = dict(flow.created)
    try:
        parent_id = create_only(flow, parent)
        child_id = create_only(flow, child) if parent_id else None
        if parent_id is None or child_id is None:
            return
        delete = flow.operation("delete", parent.item)
        if delete is None:
            return
        _, response = flow.call(delete, flow.path_parameters(parent.item, parent_id))
        if not 200 <= response.status_code < 300:
            return  # refusing to delete a parent with children is the server's choice
        case, response = flow.call(listing, flow.path_parameters(child.collection))
        listed = entries(_json(response)) if response.status_code == 200 else None
        if listed is None:
            return
        if any(str(entry.get("id")) == child_id for entry in listed):
            flow.fail(
                case,
                response,
                CHILDREN_CHECK,
                "Child listed after its parent was deleted",
                f"{parent.name} {parent_id} was deleted, but GET {child.collection} still lists "
                f"its {child.name} {child_id}",
            )
        else:
            flow.passed(case, CHILDREN_CHECK)
    finally:
        flow.created = kept
