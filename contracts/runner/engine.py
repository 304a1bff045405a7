"""Run schemathesis's engine on one spec against one target and fold its events into results."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis.engine import Status, events, from_schema

from contracts.refs import resolve_or_empty
from contracts.runner import checks as madaster_checks
from contracts.runner import owned_cases  # noqa: F401  (registers the hooks that place writes)
from contracts.runner.gate import not_sent_reason
from contracts.runner.probes import ProbeFailure
from contracts.runner.reproduce import chain_step, curl_for
from contracts.runner.response_checks import timed_out
from contracts.runner.results import OPERATION, ChainStep, FailureReport, VersionResult
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
NOT_SENT_CHAR = "-"
"""A scenario whose every write the ownership gate refused (``gate``): nothing was sent."""
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
    keep: Callable[[str], bool] | None = None,
    skipped: tuple[str, ...] | list[str] = (),
) -> Any:
    """The schemathesis schema of ``doc``, bound in-process to the target's WSGI app and filtered."""
    config = schemathesis.Config.from_dict(
        schemathesis_config_dict(
            seed=seed,
            max_examples=max_examples,
            writes_allowed=target.writes_allowed,
            phases=phases,
            timeout=timeout,
            skipped=skipped,
        )
    )
    selected = select_operations(doc, writes_allowed=target.writes_allowed, patterns=patterns, keep=keep)
    schema = schemathesis.openapi.from_dict(selected, config=config)
    schema.app = target.app
    return schema


def run_engine(
    schema: Any,
    target: Target,
    result: VersionResult,
    progress: ProgressHook,
    unit: str = OPERATION,
) -> bool:
    """Execute the schema's phases; returns False when the run was interrupted.

    ``unit`` says where results go: the per-operation results or the stateful ones.
    """
    stream = from_schema(schema).execute()
    interrupted = False
    for event in stream:
        if target.connection_lost and not interrupted:
            stream.stop()
        if isinstance(event, events.PhaseStarted):
            progress("phase", event.phase.name.value)
        elif isinstance(event, events.PhaseFinished):
            progress("phase_done", event.phase.name.value)
        elif isinstance(event, events.ScenarioFinished):
            kept, sent = _fold_scenario(event, target, result, unit)
            char = STATUS_CHARS.get(event.status, "?")
            if char == "F" and not kept:
                char = "."  # every failure of the scenario was discarded as not attributable
            if not sent and char in ".F":
                char = NOT_SENT_CHAR
            if char == STATUS_CHARS[Status.SKIP]:
                result.skipped_scenarios += 1
            progress("scenario", (char, event.label))
        elif isinstance(event, events.NonFatalError):
            message = f"{event.info.title}: {(event.info.message or '').strip()}"
            if event.related_to_operation and event.label:
                result.operation(event.label, unit).errors.append(message)
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
    event: events.ScenarioFinished, target: Target, result: VersionResult, unit: str = OPERATION
) -> tuple[bool, bool]:
    """Record the scenario's cases and checks.

    Returns (a failure was kept, a request was sent): a write the ownership gate refused is
    counted as not sent, and nothing about its stand-in answer is judged.
    """
    recorder = event.recorder
    if event.status == Status.SKIP and event.label and not recorder.cases:
        operation = result.operation(event.label, unit)
        operation.skipped = event.skip_reason or "skipped"
        return False, True
    not_sent: set[str] = set()
    for case_id, node in recorder.cases.items():
        operation = result.operation(node.value.operation.label, unit)
        interaction = recorder.interactions.get(case_id)
        reason = not_sent_reason(interaction.response) if interaction is not None else None
        if reason is not None:
            not_sent.add(case_id)
            operation.not_sent += 1
            operation.not_sent_reason = operation.not_sent_reason or reason
        else:
            operation.cases += 1
    kept = False
    facts = ScenarioFacts(recorder)
    for case_id, check_nodes in recorder.checks.items():
        case_node = recorder.cases.get(case_id)
        if case_node is None or case_id in not_sent:
            continue
        case = case_node.value
        operation = result.operation(case.operation.label, unit)
        interaction = recorder.interactions.get(case_id)
        no_answer = interaction is not None and timed_out(interaction.response) is not None
        for node in check_nodes:
            if no_answer and node.name != "response_time":
                continue  # the stand-in for a missing answer says nothing about the other checks
            if node.name == "positive_data_acceptance" and not path_parameters_valid(case):
                continue  # a link fed a value its schema forbids: the request was not schema-valid
            if node.name == "ensure_resource_availability" and not availability_attributable(case, facts):
                continue
            passed = node.status == Status.SUCCESS
            operation.record_check(node.name, passed)
            if passed or node.failure_info is None:
                continue
            kept = True
            failure = node.failure_info.failure
            report = _failure_report(event, recorder, case_id, case, node.name, failure, target)
            result.add_failure(report)
    return kept, len(not_sent) < len(recorder.cases) or not recorder.cases


class ScenarioFacts:
    """What judging one scenario's checks needs, worked out once per scenario (not per check)."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self._deleted: list[str] | None = None
        self._fields: dict[int, set[str]] = {}

    def deleted(self) -> list[str]:
        """The ids of the scenario's DELETEs that were answered with a 2xx."""
        if self._deleted is None:
            self._deleted = []
            for prior in self.recorder.find_all_cases():
                if prior.operation.method.upper() != "DELETE":
                    continue
                response = self.recorder.find_response(case_id=prior.id)
                if response is not None and 200 <= response.status_code < 300:
                    self._deleted.append(prior.id)
        return self._deleted

    def body_fields(self, operation: Any) -> set[str]:
        known = self._fields.get(id(operation))
        if known is None:
            known = self._fields[id(operation)] = _body_fields(operation)
        return known


def availability_attributable(case: Any, facts: ScenarioFacts) -> bool:
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
    if any(_is_reference(key) for key in body):
        return False
    if any(_is_reference(name) for name in facts.body_fields(case.operation)):
        return False
    return all(prior == case.id for prior in facts.deleted())


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
    for name, kind, validator in _path_validators(case.operation):
        value = (case.path_parameters or {}).get(name)
        if value is None:
            continue
        candidate: Any = value
        if kind in ("integer", "number"):
            try:
                candidate = float(value) if kind == "number" else int(value)
            except (TypeError, ValueError):
                return False
        if not validator.is_valid(candidate):
            return False
    return True


def _path_validators(operation: Any) -> list[tuple[str, Any, Any]]:
    """(name, type, validator) of each path parameter with a schema, built once per operation.

    Cached on the run's schema object (as ``checks._entity_fields``): a validator and format
    checker built per positive case were most of what judging a scenario cost.
    """
    import jsonschema

    cache = getattr(operation.schema, "_madaster_path_validators", None)
    if cache is None:
        cache = {}
        with contextlib.suppress(AttributeError):  # a schema that takes no attributes: no caching
            operation.schema._madaster_path_validators = cache
    cached = cache.get(operation.label)
    if cached is not None:
        return cached
    raw = operation.schema.raw_schema
    definition = operation.definition.raw if hasattr(operation.definition, "raw") else {}
    path_item = (raw.get("paths") or {}).get(operation.path) or {}
    parameters = [*(path_item.get("parameters") or []), *(definition.get("parameters") or [])]
    checker = jsonschema.FormatChecker()
    validators = []
    for parameter in parameters:
        parameter = resolve_or_empty(raw, parameter)
        if parameter.get("in") != "path":
            continue
        schema = resolve_or_empty(raw, parameter.get("schema") or {})
        if not schema:
            continue
        validator = jsonschema.Draft4Validator(schema, format_checker=checker)
        validators.append((parameter.get("name"), schema.get("type"), validator))
    cache[operation.label] = validators
    return validators


def _failure_report(
    event: Any, recorder: Any, case_id: str, case: Any, check: str, failure: Any, target: Target
) -> FailureReport:
    status: int | None = None
    body = b""
    sent_id = case_id
    if isinstance(
        failure, madaster_checks.AuthProbeFailure | madaster_checks.EntityDataInAuthError | ProbeFailure
    ):
        status, body = failure.status, failure.body
        sent_id = failure.probe_id or case_id
    else:
        interaction = recorder.interactions.get(case_id)
        response = interaction.response if interaction is not None else None
        if response is not None:
            status, body = response.status_code, response.content or b""
            if timed_out(response) is not None:
                status, body = None, b""
    return FailureReport(
        operation=case.operation.label,
        check=check,
        title=failure.title,
        message=failure.message,
        status=status,
        response_excerpt=excerpt(body),
        curl=curl_for(target, sent_id, case, getattr(failure, "scenario", None)),
        phase=phase_name(event),
        chain=_chain(recorder, case_id, target) if phase_name(event) == "stateful" else [],
    )


def phase_name(event: Any) -> str:
    return event.phase.value if hasattr(event.phase, "value") else str(event.phase)


CHAIN_LIMIT = 25


def _chain(recorder: Any, case_id: str, target: Target) -> list[ChainStep]:
    """The scenario's requests up to the failing one, oldest first (empty for a single request)."""
    ids = []
    for known in recorder.cases:
        ids.append(known)
        if known == case_id:
            break
    if len(ids) < 2:
        return []
    steps = []
    for known in ids[-CHAIN_LIMIT:]:
        case = recorder.cases[known].value
        interaction = recorder.interactions.get(known)
        response = interaction.response if interaction is not None else None
        status = response.status_code if response is not None else None
        if response is not None and timed_out(response) is not None:
            status = None
        steps.append(chain_step(target, case, status))
    return steps


def excerpt(body: bytes) -> str:
    """The start of a response body, for reports."""
    text = body.decode("utf-8", errors="replace")
    return text if len(text) <= EXCERPT_LIMIT else text[:EXCERPT_LIMIT] + " …"


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""
