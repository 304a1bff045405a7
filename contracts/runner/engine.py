"""Run schemathesis's engine on one spec against one target and fold its events into results."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis.engine import Status, events, from_schema

from contracts.runner import checks as madaster_checks
from contracts.runner.curl import curl_for_case
from contracts.runner.refs import resolve_or_empty
from contracts.runner.results import FailureReport, VersionResult
from contracts.runner.safety import schemathesis_config_dict, select_operations
from contracts.runner.target import Target

ProgressHook = Callable[[str, Any], None]
"""``(kind, payload)``: ``phase`` (name), ``scenario`` ((status char, operation label or None)), ``phase_done``."""

STATUS_CHARS = {
    Status.SUCCESS: ".",
    Status.FAILURE: "F",
    Status.ERROR: "E",
    Status.SKIP: "s",
    Status.INTERRUPTED: "!",
}
EXCERPT_LIMIT = 600


def load_schema(
    doc: dict[str, Any],
    target: Target,
    *,
    seed: int,
    max_examples: int,
    phases: tuple[str, ...],
    timeout: float,
    patterns: list[re.Pattern[str]],
) -> Any:
    """The schemathesis schema of ``doc``, bound in-process to the target's WSGI app and filtered."""
    config = schemathesis.Config.from_dict(
        schemathesis_config_dict(
            seed=seed,
            max_examples=max_examples,
            writes_allowed=target.writes_allowed,
            phases=phases,
            timeout=timeout,
        )
    )
    selected = select_operations(doc, writes_allowed=target.writes_allowed, patterns=patterns)
    schema = schemathesis.openapi.from_dict(selected, config=config)
    schema.app = target.app
    return schema


def run_engine(
    schema: Any,
    target: Target,
    result: VersionResult,
    progress: ProgressHook,
) -> bool:
    """Execute all phases; returns False when the run was interrupted."""
    stream = from_schema(schema).execute()
    seen_failures: set[tuple[str, str, str]] = set()
    interrupted = False
    for event in stream:
        if target.connection_lost and not interrupted:
            stream.stop()
        if isinstance(event, events.PhaseStarted):
            progress("phase", event.phase.name.value)
        elif isinstance(event, events.PhaseFinished):
            progress("phase_done", event.phase.name.value)
        elif isinstance(event, events.ScenarioFinished):
            _fold_scenario(event, target, result, seen_failures)
            progress("scenario", (STATUS_CHARS.get(event.status, "?"), event.label))
        elif isinstance(event, events.NonFatalError):
            message = f"{event.info.title}: {_first_line(event.info.message)}"
            if event.related_to_operation and event.label:
                result.operation(event.label).errors.append(message)
            else:
                result.errors.append(message)
        elif isinstance(event, events.FatalError):
            result.errors.append(f"schemathesis stopped: {_first_line(str(event.exception))}")
        elif isinstance(event, events.Interrupted):
            interrupted = True
        elif isinstance(event, events.EngineFinished):
            for failure in event.failures or []:
                result.errors.append(f"{failure.title}: {_first_line(failure.message)}")
    return not interrupted


def _fold_scenario(
    event: events.ScenarioFinished, target: Target, result: VersionResult, seen: set[tuple[str, str, str]]
) -> None:
    recorder = event.recorder
    if event.status == Status.SKIP and event.label and not recorder.cases:
        operation = result.operation(event.label)
        operation.skipped = event.skip_reason or "skipped"
        return
    counted: set[str] = set()
    for case_id, node in recorder.cases.items():
        label = node.value.operation.label
        if case_id not in counted:
            counted.add(case_id)
            result.operation(label).cases += 1
    for case_id, check_nodes in recorder.checks.items():
        case_node = recorder.cases.get(case_id)
        if case_node is None:
            continue
        case = case_node.value
        operation = result.operation(case.operation.label)
        for node in check_nodes:
            if node.name == "positive_data_acceptance" and not path_parameters_valid(case):
                continue  # a link fed a value its schema forbids: the request was not schema-valid
            if node.name == "ensure_resource_availability" and not availability_attributable(case, recorder):
                continue
            passed = node.status == Status.SUCCESS
            operation.record_check(node.name, passed)
            if passed or node.failure_info is None:
                continue
            failure = node.failure_info.failure
            key = (case.operation.label, node.name, failure.title)
            if key in seen:
                continue
            seen.add(key)
            result.failures.append(
                _failure_report(event, recorder, case_id, case, node.name, failure, target)
            )


def availability_attributable(case: Any, recorder: Any) -> bool:
    """Can a 404 be blamed on the resource the previous POST created (schemathesis's check)?

    Not when the body names entities (``commodityId``, ``folderId``, the ``id`` of a match in
    ``PUT /commodity/{id}/matches``), or its schema declares such fields: a generated or absent
    reference to an entity that does not exist is a 404 too.
    Not when no path parameter addresses the resource (the check's "every parameter came from
    the link" then holds vacuously). And not after any successful DELETE in the scenario:
    deleting a parent deletes its children (a folder its buildings, a database its
    commodities), which the check, matching paths only, cannot see.
    """
    if not case.path_parameters:
        return False
    body = case.body if isinstance(case.body, dict) else {}
    if any(_is_reference(key) for key in body) or any(_is_reference(n) for n in _body_fields(case.operation)):
        return False
    for prior in recorder.find_all_cases():
        if prior.id == case.id or prior.operation.method.upper() != "DELETE":
            continue
        response = recorder.find_response(case_id=prior.id)
        if response is not None and 200 <= response.status_code < 300:
            return False
    return True


def _is_reference(name: Any) -> bool:
    return isinstance(name, str) and (name == "id" or name.endswith("Id"))


def _body_fields(operation: Any) -> set[str]:
    """Property names the operation's request body declares (an absent ``id`` is a lookup too)."""
    from contracts.runner.checks import _property_names

    raw = operation.schema.raw_schema
    definition = operation.definition.raw if hasattr(operation.definition, "raw") else operation.definition
    body = resolve_or_empty(raw, definition.get("requestBody") or {})
    names: set[str] = set()
    for media in (body.get("content") or {}).values():
        names |= _property_names(raw, resolve_or_empty(raw, (media or {}).get("schema") or {}))
    return names


def path_parameters_valid(case: Any) -> bool:
    """Whether the case's path parameters satisfy their schemas (stateful links can break that)."""
    import jsonschema

    raw = case.operation.schema.raw_schema
    definition = case.operation.definition.raw if hasattr(case.operation.definition, "raw") else {}
    path_item = (raw.get("paths") or {}).get(case.operation.path) or {}
    parameters = [*(path_item.get("parameters") or []), *(definition.get("parameters") or [])]
    checker = jsonschema.FormatChecker()
    for parameter in parameters:
        parameter = resolve_or_empty(raw, parameter)
        if parameter.get("in") != "path":
            continue
        value = (case.path_parameters or {}).get(parameter.get("name"))
        schema = resolve_or_empty(raw, parameter.get("schema") or {})
        if value is None or not schema:
            continue
        candidate: Any = value
        if schema.get("type") in ("integer", "number"):
            try:
                candidate = float(value) if schema.get("type") == "number" else int(value)
            except (TypeError, ValueError):
                return False
        if not jsonschema.Draft4Validator(schema, format_checker=checker).is_valid(candidate):
            return False
    return True


def _failure_report(
    event: Any, recorder: Any, case_id: str, case: Any, check: str, failure: Any, target: Target
) -> FailureReport:
    status: int | None = None
    body = b""
    scenario = None
    if isinstance(failure, madaster_checks.AuthProbeFailure | madaster_checks.EntityDataInAuthError):
        status, body, scenario = failure.status, failure.body, failure.scenario
    else:
        interaction = recorder.interactions.get(case_id)
        response = interaction.response if interaction is not None else None
        if response is not None:
            status, body = response.status_code, response.content or b""
    return FailureReport(
        operation=case.operation.label,
        check=check,
        title=failure.title,
        message=failure.message,
        status=status,
        response_excerpt=_excerpt(body),
        curl=curl_for_case(
            case, target.display_base_url, auth=scenario or "key", unknown_key="some-unknown-key"
        ),
        phase=event.phase.value if hasattr(event.phase, "value") else str(event.phase),
    )


def _excerpt(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    return text if len(text) <= EXCERPT_LIMIT else text[:EXCERPT_LIMIT] + " …"


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""
