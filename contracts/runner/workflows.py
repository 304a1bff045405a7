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
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contracts.platform.server_owned import server_owned_fields
from contracts.runner import relatives, second_key
from contracts.runner.bodies import full_body, request_schema
from contracts.runner.chains import CHAINS, PATH_LINKS, Step, body_properties, generate_body
from contracts.runner.engine import excerpt
from contracts.runner.readback import listed, missing_fields, read_schema
from contracts.runner.reproduce import chain_step, curl_for
from contracts.runner.response_checks import timed_out
from contracts.runner.results import STATEFUL, ChainStep, FailureReport, VersionResult
from contracts.runner.target import Target
from contracts.runner.transport import KEY_HEADER, KEY_PLACEHOLDER

RESPONSE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "declared_success_status",
    "response_schema_conformance",
    "response_time",
)


class _StopChain(Exception):
    pass


@dataclass
class _Workflow:
    schema: Any
    target: Target
    result: VersionResult
    prefix: str
    rng: random.Random
    base: str
    created: dict[str, str] = field(default_factory=dict)
    progress: Callable[[str, Any], None] = lambda kind, payload: None
    version: str = ""
    chain: list[ChainStep] = field(default_factory=list)
    """Every request of the chain so far, for the reports."""
    steps: tuple[Step, ...] = ()
    sent: dict[str, Any] = field(default_factory=dict)
    """Step name -> the body last sent for its entity (create, then update), for ``relatives``."""

    def operation(self, method: str, path: str) -> Any | None:
        try:
            return self.schema.find_operation_by_label(f"{method.upper()} {self.base}{path}")
        except (KeyError, LookupError):
            return None

    def call(
        self, operation: Any, path_parameters: dict[str, str], body: Any = None, key: str = KEY_PLACEHOLDER
    ) -> tuple[Any, Any]:
        kwargs: dict[str, Any] = {"path_parameters": path_parameters}
        if body is not None:
            kwargs["body"] = body
            kwargs["media_type"] = "application/json"
        case = operation.Case(**kwargs)
        response = case.call(app=self.target.app, headers={KEY_HEADER: key})
        self.result.operation(operation.label, STATEFUL).cases += 1
        self.chain.append(chain_step(self.target, case, _status(response)))
        self.progress("scenario", (".", None))
        return case, response

    def fail(self, case: Any, response: Any, check: str, title: str, message: str) -> None:
        no_answer = response is None or timed_out(response) is not None
        content = b"" if no_answer else response.content or b""
        self.result.operation(case.operation.label, STATEFUL).record_check(check, False)
        self.result.add_failure(
            FailureReport(
                operation=case.operation.label,
                check=check,
                title=title,
                message=message,
                status=None if no_answer else response.status_code,
                response_excerpt=excerpt(content),
                curl=curl_for(self.target, case.id, case),
                phase="workflows",
                chain=list(self.chain) if len(self.chain) > 1 else [],
            )
        )
        self.progress("scenario", ("F", case.operation.label))

    def passed(self, case: Any, check: str) -> None:
        self.result.operation(case.operation.label, STATEFUL).record_check(check, True)

    def validate(self, case: Any, response: Any) -> bool:
        """schemathesis's response checks on a workflow response; failures are recorded."""
        from schemathesis.checks import CHECKS, load_all_checks
        from schemathesis.core.failures import FailureGroup

        load_all_checks()
        names = ("response_time",) if timed_out(response) is not None else RESPONSE_CHECKS
        checks = [CHECKS.get_one(name) for name in names]
        try:
            case.validate_response(response, checks=checks)
        except FailureGroup as group:
            for failure in group.exceptions:
                self.fail(case, response, _check_name(failure), failure.title, failure.message)
            return False
        except AssertionError as exc:
            self.fail(case, response, "response_schema_conformance", "Response check failed", str(exc))
            return False
        for name in names:
            self.passed(case, name)
        return True

    def read_back(self, step: Step, read: Any, params: dict[str, str], sent: Any, after: str) -> None:
        """GET the entity and compare it with what the create or update sent."""
        case, response = self.call(read, params)
        entity_id = params[list(params)[-1]]
        if response.status_code != 200 or _entity_id(response) != entity_id:
            self.fail(
                case,
                response,
                f"read_after_{after}",
                "Entity not readable" if after == "create" else "Updated entity not readable",
                f"{step.name} {entity_id}: GET after {after} answered {_status_text(response)}",
            )
            return
        self.passed(case, f"read_after_{after}")
        self.validate(case, response)
        if not isinstance(sent, dict):
            return
        raw = read.schema.raw_schema
        definition = read.definition.raw if hasattr(read.definition, "raw") else read.definition
        owned = server_owned_fields(self.version, step.collection)
        lost = missing_fields(raw, sent, _json(response), read_schema(raw, definition), owned)
        check = f"read_back_after_{after}"
        if lost:
            self.fail(
                case,
                response,
                check,
                "Read-back lost what was sent",
                f"{step.name} {entity_id}: the GET after the {after} does not return what was sent:\n"
                + "\n".join(lost),
            )
        else:
            self.passed(case, check)

    def path_parameters(self, template: str, entity_id: str | None = None) -> dict[str, str]:
        names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
        values: dict[str, str] = {}
        for index, name in enumerate(names):
            if index == len(names) - 1 and entity_id is not None and template.endswith("}"):
                values[name] = entity_id
            elif name in PATH_LINKS and PATH_LINKS[name] in self.created:
                values[name] = self.created[PATH_LINKS[name]]
            elif name == "id" and index < len(names) - 1:
                raise _StopChain
            else:
                raise _StopChain
        return values

    def body_for(self, operation: Any, step: Step, suffix: str = "") -> Any:
        """A schema-valid body with the run-prefixed name (``suffix`` tells an update from the create)."""
        body = generate_body(operation, self.rng)
        if not isinstance(body, dict):
            return body
        body = full_body(operation.schema.raw_schema, request_schema(operation), body, self.rng)
        if "name" in body or "name" in body_properties(operation):
            body["name"] = f"{self.prefix}{step.name}{suffix}"
        declared = body_properties(operation)
        for field_name, source in step.links.items():
            if field_name not in body and field_name not in declared:
                continue
            if source == "none":
                body[field_name] = []
                continue
            value = (
                self.lookup(source[len("lookup:") :])
                if source.startswith("lookup:")
                else self.created.get(source)
            )
            if value is None:
                raise _StopChain
            body[field_name] = value
        return body

    def lookup(self, path: str) -> str | None:
        operation = self.operation("get", path)
        if operation is None:
            return None
        _, response = self.call(operation, {})
        try:
            data = json.loads(response.content or b"null")
        except ValueError:
            return None
        if isinstance(data, list):
            data = data[0] if data else None
        value = data.get("id") if isinstance(data, dict) else None
        return str(value) if value is not None else None

    def run_step(self, step: Step) -> bool:
        create = self.operation(step.create_method, step.collection)
        read = self.operation("get", step.item)
        if create is None or read is None:
            return False
        body = self.body_for(create, step)
        case, response = self.call(create, self.path_parameters(step.collection), body)
        entity_id = _entity_id(response)
        if not 200 <= response.status_code < 300 or entity_id is None:
            self.fail(
                case,
                response,
                "workflow_create",
                "Create did not return the entity",
                f"{step.name}: expected 2xx with an id, got {_status_text(response)}",
            )
            return False
        self.passed(case, "workflow_create")
        self.validate(case, response)
        self.created[step.name] = entity_id
        item_params = self.path_parameters(step.item, entity_id)
        self.sent[step.name] = self.sent_body(case, body)
        self.read_back(step, read, item_params, self.sent[step.name], "create")
        relatives.check_parent(self, self.steps, step, "create")
        listing = self.operation("get", step.collection)
        if listing is not None:
            case, response = self.call(listing, self.path_parameters(step.collection))
            if self.validate(case, response):
                self.check_listed(step, case, response, entity_id)
                relatives.check_listing(self, step, entity_id, "create")
        update = self.operation("put", step.item)
        if update is not None:
            body = self.body_for(update, step, "-updated")
            case, response = self.call(update, item_params, body)
            if self.validate(case, response) and 200 <= response.status_code < 300:
                self.sent[step.name] = self.sent_body(case, body)
                self.read_back(step, read, item_params, self.sent[step.name], "update")
                relatives.check_parent(self, self.steps, step, "update")
                relatives.check_listing(self, step, entity_id, "update")
        second_key.check_read_and_update(self, step, entity_id)
        for extra in step.reads:
            operation = self.operation("get", extra)
            if operation is not None:
                case, response = self.call(operation, self.path_parameters(extra, entity_id))
                self.validate(case, response)
        for path in step.prepare:  # the platform adds elements only to a file that is importing
            operation = self.operation("post", path)
            if operation is not None:
                case, response = self.call(operation, self.path_parameters(path.rsplit("/", 1)[0], entity_id))
                self.validate(case, response)
        return True

    def sent_body(self, case: Any, body: Any) -> Any:
        """The body as it left the run (with the run prefix), else the one generated."""
        sent = self.target.log.get(case.id) if self.target.log else None
        if sent is not None and sent.body:
            try:
                return json.loads(sent.body)
            except ValueError:
                return body
        return body

    def check_listed(self, step: Step, case: Any, response: Any, entity_id: str) -> None:
        found = listed(response.content or b"", entity_id)
        if found is False:
            self.fail(
                case,
                response,
                "list_contains_created",
                "Listing lacks the created entity",
                f"{step.name} {entity_id}: created, readable, but not in GET {step.collection}",
            )
        elif found:
            self.passed(case, "list_contains_created")

    def delete_step(self, step: Step) -> None:
        entity_id = self.created.pop(step.name, None)
        delete = self.operation("delete", step.item)
        read = self.operation("get", step.item)
        if entity_id is None or delete is None or read is None:
            return
        params = self.path_parameters(step.item, entity_id)
        second_key.check_delete(self, step, entity_id)
        case, response = self.call(delete, params)
        if not 200 <= response.status_code < 300:
            self.fail(
                case,
                response,
                "workflow_delete",
                "Delete failed",
                f"{step.name} {entity_id}: DELETE answered {_status_text(response)}",
            )
            return
        self.passed(case, "workflow_delete")
        case, response = self.call(read, params)
        if response.status_code != 404:
            self.fail(
                case,
                response,
                "read_after_delete",
                "Deleted entity still readable",
                f"{step.name} {entity_id}: GET after DELETE answered {_status_text(response)}, expected 404",
            )
        else:
            self.passed(case, "read_after_delete")


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
    flow = _Workflow(
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
                if not flow.run_step(step):
                    break
            except _StopChain:
                break
            done.append(step)
        with contextlib.suppress(_StopChain):
            relatives.check_cascade(flow, chain, done)
        for step in reversed(done):
            try:
                flow.delete_step(step)
            except _StopChain:
                continue
    finally:
        progress("phase_done", "workflows")


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def _entity_id(response: Any) -> str | None:
    data = _json(response)
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if value not in (None, "") else None


def _status(response: Any) -> int | None:
    return None if timed_out(response) is not None else response.status_code


def _status_text(response: Any) -> str:
    status = _status(response)
    return "nothing in time" if status is None else str(status)


def _check_name(failure: Any) -> str:
    checks = getattr(type(failure), "checks", ()) or ()
    return checks[0] if checks else "response_schema_conformance"
