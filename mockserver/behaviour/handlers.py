"""What an authenticated, validated request does: the state step of the pipeline.

One function per derived kind (list, create, read, update, delete, lookup, generated, action).
Stored entities are built from the request data over deterministic generated values and shaped
with ``SpecRuntime.conform`` so every answer validates against the schema of its status code.
"""

from __future__ import annotations

from collections.abc import Callable

from mockserver.behaviour.actions import do_action
from mockserver.behaviour.call import Call, Refusal
from mockserver.behaviour.entities import _addressed, _check_scope
from mockserver.behaviour.reads import do_generated, do_list, do_lookup, do_read
from mockserver.behaviour.writes import do_create, do_delete, do_update
from mockserver.spec.problems import MockResponse, problem_response


def handle(call: Call) -> MockResponse:
    try:
        engine = call.runtime.lifecycle  # the platform's lifecycles answer the operations they own
        special = engine.handlers.get(id(call.operation)) if engine is not None else None
        handler = special or HANDLERS[call.behaviour.kind]
        return handler(call)
    except Refusal as refusal:
        return refused(call, refusal)


def refused(call: Call, refusal: Refusal) -> MockResponse:
    """The ProblemDetails answer of a refusal, conformed to the operation's problem schema."""
    return problem_response(
        refusal.status,
        refusal.detail,
        call.instance,
        operation=call.operation,
        conform=lambda body, schema: call.runtime.conform(body, schema, "problem"),
    )


def precheck(call: Call) -> MockResponse | None:
    """What every operation checks before it acts, answered as it would be: the entities the path
    names exist, and the token reaches them. ``None`` when they pass (``Prefer: code=`` may then
    force an answer: a forced status never skips a check)."""
    try:
        chain, _ = _addressed(call)
        if chain:
            _check_scope(call, chain)
    except Refusal as refusal:
        return refused(call, refusal)
    return None


HANDLERS: dict[str, Callable[[Call], MockResponse]] = {
    "list": do_list,
    "create": do_create,
    "read": do_read,
    "update": do_update,
    "delete": do_delete,
    "lookup": do_lookup,
    "generated": do_generated,
    "action": do_action,
}
