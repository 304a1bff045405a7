"""A second key with read permission only: it reads what the run's key reads, and writes nothing.

With ``--read-only-key KEY`` (``$MADASTER_READ_ONLY_KEY``; the embedded mock makes its own),
the workflows try the key on each entity the run created, through the ownership gate like
every other request, so only the run's own entities are ever written to:

- ``read_only_key``: the entity's GET with the read key answers 200 with the same body as
  with the run's key; the PUT the run just sent, sent again with the read key, and the DELETE
  the run is about to send, sent first with the read key, are refused with 403 (a read key
  that can update or delete is a finding; a 401 says the key was not accepted at all).

Turned off with ``--skip-check read_only_key``.
"""

from __future__ import annotations

import json
from typing import Any

from contracts.runner.active_run import active
from contracts.runner.chains import Step
from contracts.runner.transport import READ_ONLY_PLACEHOLDER

READ_ONLY_CHECK = "read_only_key"


def wanted(flow: Any) -> bool:
    run = active()
    return bool(getattr(flow.target, "read_only", False)) and (run is None or run.enabled(READ_ONLY_CHECK))


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def check_read_and_update(flow: Any, step: Step, entity_id: str) -> None:
    """The read key sees the entity as the run's key does, and may not update it."""
    read = flow.operation("get", step.item)
    if read is None or not wanted(flow):
        return
    params = flow.path_parameters(step.item, entity_id)
    _, own = flow.call(read, params)
    case, response = flow.call(read, params, key=READ_ONLY_PLACEHOLDER)
    if response.status_code != 200 or _json(response) != _json(own):
        flow.fail(
            case,
            response,
            READ_ONLY_CHECK,
            "Read-only key reads other data",
            f"{step.name} {entity_id}: GET with the read-only key answered {response.status_code}"
            + (", another body than with the run's key" if response.status_code == 200 else ", expected 200"),
        )
        return
    flow.passed(case, READ_ONLY_CHECK)
    update = flow.operation("put", step.item)
    sent = flow.sent.get(step.name)
    if update is not None and isinstance(sent, dict):
        _refused(flow, step, entity_id, flow.call(update, params, sent, key=READ_ONLY_PLACEHOLDER))


def check_delete(flow: Any, step: Step, entity_id: str) -> None:
    """The read key may not delete the entity (tried just before the run's own DELETE)."""
    delete = flow.operation("delete", step.item)
    if delete is None or not wanted(flow):
        return
    params = flow.path_parameters(step.item, entity_id)
    _refused(flow, step, entity_id, flow.call(delete, params, key=READ_ONLY_PLACEHOLDER))


def _refused(flow: Any, step: Step, entity_id: str, sent: tuple[Any, Any]) -> None:
    case, response = sent
    if response.status_code == 403:
        flow.passed(case, READ_ONLY_CHECK)
        return
    flow.fail(
        case,
        response,
        READ_ONLY_CHECK,
        "Read-only key can write",
        f"{step.name} {entity_id}: {case.operation.method.upper()} with the read-only key answered "
        f"{response.status_code}, expected 403",
    )
