"""One walk of a CRUD workflow: its state and the requests it sends.

A ``Flow`` holds what the walk created and sent, and sends every request of it through the
target (so through the ownership gate), counting it, adding it to the chain a failure reports
and judging it with schemathesis's response checks. ``workflows`` walks the chains with it;
``relatives``, ``second_key`` and ``lookups`` read what it holds.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contracts.runner.bodies import full_body, request_schema
from contracts.runner.chains import PATH_LINKS, Step, body_properties, generate_body
from contracts.runner.engine import excerpt
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


class StopChain(Exception):
    """A step cannot be walked: a link it needs was not created."""


@dataclass
class Flow:
    """The state of one walk, and its requests."""

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
    phase: str = "workflows"
    """Where its failures were found (``keys`` for ``key_checks``)."""
    sent: dict[str, Any] = field(default_factory=dict)
    """Step name -> the body last sent for its entity (create, then update), for ``relatives``."""

    def operation(self, method: str, path: str) -> Any | None:
        try:
            return self.schema.find_operation_by_label(f"{method.upper()} {self.base}{path}")
        except (KeyError, LookupError):
            return None

    def call(
        self,
        operation: Any,
        path_parameters: dict[str, str],
        body: Any = None,
        key: str = KEY_PLACEHOLDER,
        query: dict[str, Any] | None = None,
    ) -> tuple[Any, Any]:
        kwargs: dict[str, Any] = {"path_parameters": path_parameters}
        if query:
            kwargs["query"] = query
        if body is not None:
            kwargs["body"] = body
            kwargs["media_type"] = "application/json"
        case = operation.Case(**kwargs)
        response = case.call(app=self.target.app, headers={KEY_HEADER: key})
        self.result.operation(operation.label, STATEFUL).cases += 1
        self.chain.append(chain_step(self.target, case, status_of(response)))
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
                phase=self.phase,
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
                self.fail(case, response, check_name_of(failure), failure.title, failure.message)
            return False
        except AssertionError as exc:
            self.fail(case, response, "response_schema_conformance", "Response check failed", str(exc))
            return False
        for name in names:
            self.passed(case, name)
        return True

    def path_parameters(self, template: str, entity_id: str | None = None) -> dict[str, str]:
        names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
        values: dict[str, str] = {}
        for index, name in enumerate(names):
            if index == len(names) - 1 and entity_id is not None and template.endswith("}"):
                values[name] = entity_id
            elif name in PATH_LINKS and PATH_LINKS[name] in self.created:
                values[name] = self.created[PATH_LINKS[name]]
            elif name == "id" and index < len(names) - 1:
                raise StopChain
            else:
                raise StopChain
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
                raise StopChain
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

    def sent_body(self, case: Any, body: Any) -> Any:
        """The body as it left the run (with the run prefix), else the one generated."""
        sent = self.target.log.get(case.id) if self.target.log else None
        if sent is not None and sent.body:
            try:
                return json.loads(sent.body)
            except ValueError:
                return body
        return body


def json_of(response: Any) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def entity_id_of(response: Any) -> str | None:
    data = json_of(response)
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if value not in (None, "") else None


def status_of(response: Any) -> int | None:
    return None if timed_out(response) is not None else response.status_code


def status_text_of(response: Any) -> str:
    status = status_of(response)
    return "nothing in time" if status is None else str(status)


def check_name_of(failure: Any) -> str:
    checks = getattr(type(failure), "checks", ()) or ()
    return checks[0] if checks else "response_schema_conformance"
