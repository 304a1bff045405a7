"""Helpers for the mock's tests: build apps for the real specs and run schemathesis in-process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.spec_loader import load_spec_file
from mockserver.http.serve import serve_in_thread

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "ignored_auth",
    "use_after_free",
    "unsupported_method",
)
WRITE_KEY = "dev-write"
_SPECS: dict[Path, dict[str, Any]] = {}


def load(path: Path) -> dict[str, Any]:
    """A spec, parsed once per test session (the documents are not changed by the mock)."""
    if path not in _SPECS:
        _SPECS[path] = load_spec_file(path)
    return _SPECS[path]


@dataclass
class Finding:
    operation: str
    check: str
    message: str
    status: int | None = None
    response: Any = None  # the recorded response (status_code, headers, content), when there was one

    def __str__(self) -> str:
        return f"{self.operation}: {self.check}: {self.message}"


def run_schemathesis(
    app: Any,
    version: str,
    *,
    max_examples: int = 5,
    phases: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful"),
    checks: tuple[str, ...] = CHECKS,
    seed: int = 1,
) -> list[Finding]:
    """Run the schemathesis engine against the app (served on loopback); every failed check."""
    import schemathesis
    from schemathesis.engine import events, from_schema

    all_phases = ("examples", "coverage", "fuzzing", "stateful")
    config = schemathesis.Config.from_dict(
        {
            "headers": {"X-API-Key": WRITE_KEY},
            "seed": seed,
            "checks": {"enabled": False, **{name: {"enabled": True} for name in checks}},
            "generation": {"mode": "all", "max-examples": max_examples, "deterministic": True},
            "phases": {
                **{name: {"enabled": name in phases} for name in all_phases},
                "stateful": {"enabled": "stateful" in phases, "max-steps": 30},
            },
        }
    )
    findings: list[Finding] = []
    with serving(app) as base_url:
        schema = schemathesis.openapi.from_url(f"{base_url}/api/{version}/swagger.json", config=config)
        schema.config.update(base_url=base_url)
        for event in from_schema(schema).execute():
            _collect(event, findings, events)
    return findings


def _collect(event: Any, findings: list[Finding], events: Any) -> None:
    if True:
        if isinstance(event, events.ScenarioFinished):
            for case_id, case_checks in event.recorder.checks.items():
                node = event.recorder.cases.get(case_id)
                label = node.value.operation.label if node is not None else event.recorder.label
                for check in case_checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        text = f"{failure.title}: {failure.message}"[:1500]
                        status = getattr(failure, "status_code", None)
                        interaction = event.recorder.interactions.get(case_id)
                        response = interaction.response if interaction is not None else None
                        findings.append(Finding(label, check.name, text, status, response))
        elif isinstance(event, events.NonFatalError):
            findings.append(Finding(event.label, "error", str(event.info.message)[:500]))
        elif isinstance(event, events.FatalError):
            findings.append(Finding("run", "fatal", str(event.exception)[:500]))


def explained_by_leniency(app: Any, finding: Finding) -> bool:
    """A response-schema finding on an answer that validates as the declared leniency reads the
    spec (a whole v4.0 Product, which the published union cannot hold) and says so in its
    ``X-Mock-Leniency`` header."""
    from mockserver.validation.response import lenient_response, validate_response

    response = finding.response
    if finding.check != "response_schema_conformance" or response is None:
        return False
    headers = {k.lower(): v[0] if isinstance(v, list) else v for k, v in response.headers.items()}
    if "unsatisfiable-allof; response" not in headers.get("x-mock-leniency", ""):
        return False
    for runtime in app.extensions["mockserver"]["runtimes"].values():
        for op in runtime.operations:
            if op.label == finding.operation:
                status, body = int(response.status_code), response.content
                found = validate_response(op, runtime.schemas, status, headers.get("content-type", ""), body)
                remaining, applied = lenient_response(runtime, op, status, body, found)
                return bool(found) and not remaining and bool(applied)
    return False


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve the app with waitress on a free loopback port for the duration of the block.

    schemathesis 4.32's engine passes socket options its in-process WSGI transport rejects, so
    the checks run over real HTTP on 127.0.0.1 instead.
    """
    with serve_in_thread(app, threads=4) as (base_url, _stop):
        yield base_url
