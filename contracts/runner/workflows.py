"""Explicit CRUD workflows over the Madaster resource chains (writes allowed only).

schemathesis's stateful phase explores links it infers; these workflows make sure the
chains an integrator relies on are walked every time, whatever inference finds:

- v3.0: folder -> building -> building file -> element
- v4.0: database -> commodity -> children / matches

Each resource is created (2xx with an id), read back (every field sent must come back, see
``readback``), listed (the listing must hold it), updated where the spec has a PUT and read
back again, and finally deleted and read again, which must answer 404. A failure carries every
request of its chain so far, each with its curl. Chains are declared as
data: a step whose operations a build lacks is skipped, so any snapshot works. Bodies are
schemathesis's simplest positive example filled to every property (``bodies``), seeded, with
the links filled in from what the earlier steps created (the links the spec does not declare).
"""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Callable
from typing import Any

from contracts.platform.server_owned import server_owned_fields
from contracts.runner import key_checks, paging, relatives, second_key
from contracts.runner.chains import CHAINS, Step
from contracts.runner.flow import Flow, StopChain, entity_id_of, json_of, status_text_of
from contracts.runner.readback import listed, missing_fields, read_schema
from contracts.runner.results import VersionResult
from contracts.runner.target import Target

__all__ = ["CHAINS", "run_workflows"]


def read_back(flow: Flow, step: Step, read: Any, params: dict[str, str], sent: Any, after: str) -> None:
    """GET the entity and compare it with what the create or update sent."""
    case, response = flow.call(read, params)
    entity_id = params[list(params)[-1]]
    if response.status_code != 200 or entity_id_of(response) != entity_id:
        flow.fail(
            case,
            response,
            f"read_after_{after}",
            "Entity not readable" if after == "create" else "Updated entity not readable",
            f"{step.name} {entity_id}: GET after {after} answered {status_text_of(response)}",
        )
        return
    flow.passed(case, f"read_after_{after}")
    flow.validate(case, response)
    if not isinstance(sent, dict):
        return
    raw = read.schema.raw_schema
    definition = read.definition.raw if hasattr(read.definition, "raw") else read.definition
    owned = server_owned_fields(flow.version, step.collection)
    lost = missing_fields(raw, sent, json_of(response), read_schema(raw, definition), owned)
    check = f"read_back_after_{after}"
    if lost:
        flow.fail(
            case,
            response,
            check,
            "Read-back lost what was sent",
            f"{step.name} {entity_id}: the GET after the {after} does not return what was sent:\n"
            + "\n".join(lost),
        )
    else:
        flow.passed(case, check)


def run_step(flow: Flow, step: Step) -> bool:
    """Create, read back, list, update and read back one step's entity; False: the chain stops."""
    create = flow.operation(step.create_method, step.collection)
    read = flow.operation("get", step.item)
    if create is None or read is None:
        return False
    body = flow.body_for(create, step)
    case, response = flow.call(create, flow.path_parameters(step.collection), body)
    entity_id = entity_id_of(response)
    if not 200 <= response.status_code < 300 or entity_id is None:
        flow.fail(
            case,
            response,
            "workflow_create",
            "Create did not return the entity",
            f"{step.name}: expected 2xx with an id, got {status_text_of(response)}",
        )
        return False
    flow.passed(case, "workflow_create")
    flow.validate(case, response)
    flow.created[step.name] = entity_id
    item_params = flow.path_parameters(step.item, entity_id)
    flow.sent[step.name] = flow.sent_body(case, body)
    read_back(flow, step, read, item_params, flow.sent[step.name], "create")
    relatives.check_parent(flow, flow.steps, step, "create")
    listing = flow.operation("get", step.collection)
    if listing is not None:
        case, response = flow.call(listing, flow.path_parameters(step.collection))
        if flow.validate(case, response):
            check_listed(flow, step, case, response, entity_id)
            relatives.check_listing(flow, step, entity_id, "create")
    update = flow.operation("put", step.item)
    if update is not None:
        body = flow.body_for(update, step, "-updated")
        case, response = flow.call(update, item_params, body)
        if flow.validate(case, response) and 200 <= response.status_code < 300:
            flow.sent[step.name] = flow.sent_body(case, body)
            read_back(flow, step, read, item_params, flow.sent[step.name], "update")
            relatives.check_parent(flow, flow.steps, step, "update")
            relatives.check_listing(flow, step, entity_id, "update")
    if isinstance(flow.sent.get(step.name), dict):
        key_checks.check_lookups(
            flow, step.collection, {**flow.sent[step.name], "id": entity_id}, exact_id=True
        )
    second_key.check_read_and_update(flow, step, entity_id)
    for extra in step.reads:
        operation = flow.operation("get", extra)
        if operation is not None:
            case, response = flow.call(operation, flow.path_parameters(extra, entity_id))
            flow.validate(case, response)
    for path in step.prepare:  # the platform adds elements only to a file that is importing
        operation = flow.operation("post", path)
        if operation is not None:
            case, response = flow.call(operation, flow.path_parameters(path.rsplit("/", 1)[0], entity_id))
            flow.validate(case, response)
    return True


def check_listed(flow: Flow, step: Step, case: Any, response: Any, entity_id: str) -> None:
    """The collection's listing holds the entity just created."""
    found = listed(response.content or b"", entity_id)
    if found is False:
        flow.fail(
            case,
            response,
            "list_contains_created",
            "Listing lacks the created entity",
            f"{step.name} {entity_id}: created, readable, but not in GET {step.collection}",
        )
    elif found:
        flow.passed(case, "list_contains_created")


def delete_step(flow: Flow, step: Step) -> None:
    """Delete the step's entity (the read-only key tried first) and read it again: 404."""
    entity_id = flow.created.pop(step.name, None)
    delete = flow.operation("delete", step.item)
    read = flow.operation("get", step.item)
    if entity_id is None or delete is None or read is None:
        return
    params = flow.path_parameters(step.item, entity_id)
    second_key.check_delete(flow, step, entity_id)
    case, response = flow.call(delete, params)
    if not 200 <= response.status_code < 300:
        flow.fail(
            case,
            response,
            "workflow_delete",
            "Delete failed",
            f"{step.name} {entity_id}: DELETE answered {status_text_of(response)}",
        )
        return
    flow.passed(case, "workflow_delete")
    case, response = flow.call(read, params)
    if response.status_code != 404:
        flow.fail(
            case,
            response,
            "read_after_delete",
            "Deleted entity still readable",
            f"{step.name} {entity_id}: GET after DELETE answered {status_text_of(response)}, expected 404",
        )
    else:
        flow.passed(case, "read_after_delete")


def run_workflows(
    schema: Any,
    target: Target,
    result: VersionResult,
    *,
    version: str,
    seed: int,
    run_prefix: str,
    progress: Callable[[str, Any], None],
    patterns: list[re.Pattern[str]] | None = None,
) -> None:
    """Walk the declared chain of this version; deletes run newest first even after a failed step."""
    chain = CHAINS.get(version)
    if not chain or not target.writes_allowed:
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
        steps=chain,
    )
    progress("phase", "workflows")
    done: list[Step] = []
    try:
        for step in chain:
            label = f"{step.create_method.upper()} /api/{version}{step.collection}"
            if patterns and not any(p.search(label) for p in patterns):
                break  # --operation leaves this step (and what hangs below it) out
            try:
                if not run_step(flow, step):
                    break
            except StopChain:
                break
            done.append(step)
        with contextlib.suppress(StopChain):
            if done:
                paging.check_complete(flow, done[0])
        with contextlib.suppress(StopChain):
            relatives.check_cascade(flow, chain, done)
        for step in reversed(done):
            try:
                delete_step(flow, step)
            except StopChain:
                continue
    finally:
        progress("phase_done", "workflows")
