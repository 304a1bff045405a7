"""Runtime stubs, as WireMock has them: ``POST /__mock/stubs`` makes chosen requests get a chosen answer.

A stub is ``{"match": {...}, "answer": {...}}`` with optional ``times`` (answer the next N matching
calls only), ``scenario`` / ``state`` / ``next_state`` (answer only while a named scenario is in a
state, then move it on; every scenario starts in ``Started``) and ``unchecked``.

Why the answer is checked: the mock's promise is that every answer is one the spec allows, so a
team's test cannot pass against an answer the real API could never give. A stub is refused at
creation when its path and method name no operation, its status is not declared, or its body does
not validate against the declared schema. ``"unchecked": true`` lifts all of that (for testing a
client against an API that breaks its contract); such a stub matches before routing, and its
answers carry ``X-Mock-Stub: <id>; unchecked`` and are marked ``unchecked`` in the request log.
A checked stub answers after auth and request validation (a bad request is still a 400), with
``X-Mock-Stub: <id>``. The newest matching stub wins.

``answer``: ``status``, ``headers``, ``body`` (JSON, or a string sent as it is) or ``example`` (a
named example the spec declares for that response), ``delay_ms``. An error status without a body
gets a ProblemDetails valid for it; a success status with a schema needs a body or an example.
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.errors import ContractsError
from mockserver.http.matching import MatchError, RequestMatch
from mockserver.spec.problems import MockResponse, problem_response
from mockserver.validation.examples import ExampleError, answer_problems, example_value

HEADER = "X-Mock-Stub"
STARTED = "Started"
STUB_FIELDS = frozenset({"id", "match", "answer", "times", "scenario", "state", "next_state", "unchecked"})
ANSWER_FIELDS = frozenset({"status", "headers", "body", "example", "delay_ms"})
MAX_DELAY_MS = 60_000


class StubError(ValueError):
    """A stub that cannot be used; the message names the field (answered as a 400)."""


@dataclass
class Stub:
    id: str
    match: RequestMatch
    response: MockResponse
    delay_ms: float
    unchecked: bool
    definition: dict[str, Any]
    operation: Any = None
    problem: Callable[[str], MockResponse] | None = None
    """An error answer without a body: its ProblemDetails, built for the request's path."""
    times: int | None = None
    scenario: str | None = None
    state: str | None = None
    next_state: str | None = None
    hits: int = 0

    def view(self, states: Mapping[str, str]) -> dict[str, Any]:
        """The stub as ``GET /__mock/stubs`` lists it: its definition, what is left of it, its hits."""
        out = {**self.definition, "id": self.id, "hits": self.hits, "unchecked": self.unchecked}
        if self.times is not None:
            out["remaining"] = self.times
        if self.operation is not None:
            out["operation"] = self.operation.label
        if self.scenario is not None:
            out["scenario_state"] = states.get(self.scenario, STARTED)
        return out


@dataclass
class StubRegistry:
    """The stubs of one app; ``answer`` is on every request's path, so it returns at once when empty."""

    runtimes: Mapping[str, Any]
    router: Any
    _stubs: list[Stub] = field(default_factory=list)
    _states: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def any_unchecked(self) -> bool:
        return any(stub.unchecked for stub in self._stubs)

    @property
    def any_delayed(self) -> bool:
        """A stub waits before it answers: the server must not answer reads in its event loop."""
        return any(stub.delay_ms for stub in self._stubs)

    def __bool__(self) -> bool:
        return bool(self._stubs)

    def add(self, definition: Any) -> Stub:
        stub = self._build(definition)
        with self._lock:
            if any(s.id == stub.id for s in self._stubs):
                raise StubError(f"id {stub.id!r}: a stub with this id exists; delete it first")
            self._stubs.append(stub)
        return stub

    def views(self) -> list[dict[str, Any]]:
        with self._lock:
            return [stub.view(self._states) for stub in self._stubs]

    def remove(self, stub_id: str) -> bool:
        with self._lock:
            kept = [s for s in self._stubs if s.id != stub_id]
            found = len(kept) != len(self._stubs)
            self._stubs = kept
        return found

    def clear(self) -> int:
        with self._lock:
            count = len(self._stubs)
            self._stubs = []
            self._states.clear()
        return count

    def answer(
        self,
        operation: Any,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: Any,
    ) -> tuple[Stub, MockResponse] | None:
        """The answer of the newest stub matching this request (``operation`` None: unchecked stubs only)."""
        with self._lock:
            for stub in reversed(self._stubs):
                if operation is None and not stub.unchecked:
                    continue
                if operation is not None and (stub.unchecked or stub.operation is not operation):
                    continue
                if stub.times is not None and stub.times <= 0:
                    continue
                if stub.state is not None and self._states.get(stub.scenario or "", STARTED) != stub.state:
                    continue
                if not stub.match.matches(method, path, query, headers, body):
                    continue
                stub.hits += 1
                if stub.times is not None:
                    stub.times -= 1
                if stub.scenario is not None and stub.next_state is not None:
                    self._states[stub.scenario] = stub.next_state
                break
            else:
                return None
        if stub.delay_ms:
            time.sleep(stub.delay_ms / 1000)
        marker = f"{stub.id}; unchecked" if stub.unchecked else stub.id
        if stub.problem is not None:
            answered = stub.problem(path)
            return stub, MockResponse(answered.status, answered.body, [*answered.headers, (HEADER, marker)])
        response = MockResponse(
            stub.response.status, stub.response.body, [*stub.response.headers, (HEADER, marker)]
        )
        return stub, response

    # --- building and checking ---------------------------------------------------------------
    def _build(self, definition: Any) -> Stub:
        if not isinstance(definition, Mapping):
            raise StubError('a stub is an object: {"match": {...}, "answer": {...}}')
        unknown = sorted(set(definition) - STUB_FIELDS)
        if unknown:
            raise StubError(f"unknown field {', '.join(unknown)} (known: {', '.join(sorted(STUB_FIELDS))})")
        try:
            match = RequestMatch.parse(definition.get("match"), "match")
        except MatchError as exc:
            raise StubError(str(exc)) from None
        if match.status is not None or match.since:
            raise StubError("match: status and since belong to the request journal, not to a stub")
        unchecked = definition.get("unchecked", False)
        if not isinstance(unchecked, bool):
            raise StubError("unchecked: expected true or false")
        answer = definition.get("answer") or {}
        if not isinstance(answer, Mapping) or set(answer) - ANSWER_FIELDS:
            extra = sorted(set(answer) - ANSWER_FIELDS) if isinstance(answer, Mapping) else []
            raise StubError(
                f"answer: expected an object of {', '.join(sorted(ANSWER_FIELDS))}"
                + (f"; unknown {', '.join(extra)}" if extra else "")
            )
        operation = None if unchecked else self._operation(match)
        problem = None
        if unchecked:
            response = _unchecked_response(answer)
        else:
            response = self._checked_response(operation, answer)
            if isinstance(response, tuple):
                response, problem = response
        stub_id = definition.get("id") or uuid.uuid4().hex[:12]
        if not isinstance(stub_id, str) or not stub_id.replace("-", "").replace("_", "").isalnum():
            raise StubError("id: expected letters, digits, - and _")
        scenario, state, next_state = (
            _optional_text(definition, n) for n in ("scenario", "state", "next_state")
        )
        if (state or next_state) and not scenario:
            raise StubError("state and next_state need a scenario name")
        return Stub(
            id=stub_id,
            match=match,
            response=response,
            delay_ms=_delay(answer.get("delay_ms")),
            unchecked=unchecked,
            definition={k: v for k, v in definition.items() if k != "id"},
            operation=operation,
            problem=problem,
            times=_times(definition.get("times")),
            scenario=scenario,
            state=state,
            next_state=next_state,
        )

    def _operation(self, match: RequestMatch) -> Any:
        """The one operation a checked stub answers for: its method and path (or template) must name it."""
        if match.method is None or match.path is None:
            raise StubError(
                "a checked stub needs match.method and match.path (exact or a template such as "
                '/api/v3.0/building/{id}); or give "unchecked": true'
            )
        segments = match.path.strip("/").split("/")
        found = self.router.match(match.method, segments)
        if found.operation is None:
            where = "method" if found.status == 405 else "path"
            raise StubError(
                f"match: {match.method} {match.path} is no operation of the served specs ({where});"
                ' give "unchecked": true to answer it anyway'
            )
        return found.operation

    def _checked_response(
        self, operation: Any, answer: Mapping[str, Any]
    ) -> MockResponse | tuple[MockResponse, Callable[[str], MockResponse]]:
        runtime = self.runtimes[operation.version]
        status = _status(answer.get("status", _success_status(operation)))
        declared = operation.response_for(status)
        if declared is None:
            raise StubError(
                f"answer.status {status}: {operation.label} does not declare it ({', '.join(operation.responses)});"
                ' give "unchecked": true to answer it anyway'
            )
        headers = _headers(answer.get("headers"))
        if "example" in answer:
            if "body" in answer:
                raise StubError("answer: give either body or example, not both")
            try:
                media = declared.media_type or "application/json"

                def fits(value: Any) -> bool:
                    encoded, content_type = _encoded(value, media, headers)
                    return not answer_problems(runtime, operation, status, content_type, encoded)

                body: Any = example_value(runtime, operation, declared, str(answer["example"]), fits)
            except ExampleError as exc:
                raise StubError(f"answer.{exc}") from None
        elif "body" in answer:
            body = answer["body"]
        elif status >= 400:

            def problem(instance: str) -> MockResponse:
                return problem_response(
                    status,
                    f"status {status} answered by a stub",
                    instance,
                    operation=operation,
                    conform=lambda value, schema: runtime.conform(value, schema, "problem"),
                    headers=headers,
                )

            return problem(operation.template), problem
        elif declared.schema is not None:
            raise StubError(
                f"answer: status {status} of {operation.label} has a body schema; give a body or an example"
            )
        else:
            return MockResponse(status, b"", headers)
        media = declared.media_type or "application/json"
        encoded, content_type = _encoded(body, media, headers)
        problems = answer_problems(runtime, operation, status, content_type, encoded)
        if problems:
            shown = "; ".join(f"{p.location}: {p.message}" for p in problems[:3])
            raise StubError(
                f"answer: not a valid {status} of {operation.label}: {shown};"
                ' give "unchecked": true to answer it anyway'
            )
        return MockResponse(status, encoded, _with_content_type(headers, content_type))

    # --- files --------------------------------------------------------------------------------
    def load(self, definitions: Any, source: str) -> int:
        """Add the stubs of a ``--stubs`` file (``{"stubs": [...]}`` or a list); errors name the file and entry."""
        entries = definitions.get("stubs") if isinstance(definitions, Mapping) else definitions
        if not isinstance(entries, list):
            raise ContractsError(f"{source}: expected a list of stubs or {{stubs: [...]}}")
        for index, entry in enumerate(entries):
            try:
                self.add(entry)
            except StubError as exc:
                raise ContractsError(f"{source}: stub #{index + 1}: {exc}") from None
        return len(entries)


def read_stubs_file(path: Path) -> Any:
    """The parsed content of a stubs file (YAML or JSON), or one line saying why not."""
    from contracts.datafile import read_document

    return read_document(path, "stubs file")


def load_stubs_file(app: Any, path: Path) -> int:
    """Add a stubs file's stubs to ``app`` and keep it to be loaded again after each reset."""
    state = app.extensions["mockserver"]
    data = read_stubs_file(path)
    count = state["stubs"].load(data, str(path))
    state["stubs_file"] = (data, str(path))
    return count


def _success_status(operation: Any) -> int:
    status = operation.success().status
    return int(status) if status.isdigit() else 200


def _status(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 200 <= value <= 599:
        raise StubError(f"answer.status {value!r}: expected a final status 200-599")
    return value


def _headers(value: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise StubError('answer.headers: expected an object of strings, e.g. {"Retry-After": "5"}')
    for name, text in value.items():
        if not name or any(c in name + text for c in "\r\n\0") or not name.isascii():
            raise StubError(f"answer.headers: {name!r} is not a header a server can send")
    return list(value.items())


def _encoded(body: Any, media: str, headers: list[tuple[str, str]]) -> tuple[bytes, str]:
    given = next((v for k, v in headers if k.lower() == "content-type"), None)
    content_type = given or (f"{media}; charset=utf-8" if "json" in media else media)
    if isinstance(body, str) and "json" not in content_type:
        return body.encode("utf-8"), content_type
    return json.dumps(body, ensure_ascii=False).encode("utf-8"), content_type


def _with_content_type(headers: list[tuple[str, str]], content_type: str) -> list[tuple[str, str]]:
    if any(k.lower() == "content-type" for k, _ in headers):
        return headers
    return [("Content-Type", content_type), *headers]


def _unchecked_response(answer: Mapping[str, Any]) -> MockResponse:
    if "example" in answer:
        raise StubError("answer.example needs a checked stub (the example comes from the spec)")
    status = _status(answer.get("status", 200))
    headers = _headers(answer.get("headers"))
    if "body" not in answer:
        return MockResponse(status, b"", headers)
    body = answer["body"]
    encoded, content_type = _encoded(body, "application/json", headers)
    if isinstance(body, str) and not any(k.lower() == "content-type" for k, _ in headers):
        encoded, content_type = body.encode("utf-8"), "text/plain; charset=utf-8"
    return MockResponse(status, encoded, _with_content_type(headers, content_type))


def _delay(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StubError("answer.delay_ms: expected milliseconds")
    if not 0 <= value <= MAX_DELAY_MS:
        raise StubError(f"answer.delay_ms {value}: expected 0 to {MAX_DELAY_MS}")
    return float(value)


def _times(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise StubError("times: expected a number of calls, 1 or more")
    return value


def _optional_text(definition: Mapping[str, Any], name: str) -> str | None:
    value = definition.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise StubError(f"{name}: expected a non-empty string")
    return value
