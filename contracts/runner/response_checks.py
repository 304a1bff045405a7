"""Checks on every response that schemathesis's built-in ones let through.

``declared_success_status``: a 2xx must be one the operation declares explicitly (``200``,
``201``, ``2XX``). Every Madaster operation declares ``default`` -> ProblemDetails, a schema any
object satisfies, so for schemathesis a GET answering 202 or a POST answering 200 instead of
201 conforms; here ``default`` stands for errors only.

``response_time``: an answer slower than ``--max-response-time`` is a finding on its operation;
no answer within ``--request-timeout`` is one too (the forwarder then hands back a marked
stand-in response, and the other checks ignore that case).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.core.failures import Failure

from contracts.runner.active_run import active
from contracts.runner.transport import TIMEOUT_HEADER


class UndeclaredSuccessStatus(Failure):
    code = "MC201"
    kind_title = "Success status not declared"

    def __init__(self, *, operation: str, message: str) -> None:
        super().__init__(operation=operation, title=self.kind_title, message=message)

    @property
    def _unique_key(self) -> str:
        return self.title


class SlowResponse(Failure):
    code = "MC504"

    def __init__(self, *, operation: str, title: str, message: str) -> None:
        super().__init__(operation=operation, title=title, message=message)

    @property
    def _unique_key(self) -> str:
        return self.title


def declared_statuses(operation: Any) -> list[str]:
    definition = operation.definition.raw if hasattr(operation.definition, "raw") else operation.definition
    return [str(code) for code in (definition.get("responses") or {})]


def success_declared(status: int, declared: list[str]) -> bool:
    """``status`` matches an explicit code or a ``2XX`` range (``default`` does not count)."""
    text = str(status)
    return any(code == text or (len(code) == 3 and code.upper() == text[0] + "XX") for code in declared)


def timed_out(response: Any) -> float | None:
    """The request timeout, when ``response`` is the forwarder's stand-in for no answer."""
    headers = getattr(response, "headers", None) or {}
    values = headers.get(TIMEOUT_HEADER.lower()) or headers.get(TIMEOUT_HEADER)
    if not values:
        return None
    value = values[0] if isinstance(values, list) else values
    try:
        return float(value)
    except ValueError:
        return 0.0


def check_declared_success(operation: Any, method: str, status: int) -> str | None:
    """The problem with a 2xx answer, or None."""
    if not 200 <= status < 300 or method.upper() != operation.method.upper():
        return None
    declared = declared_statuses(operation)
    if success_declared(status, declared):
        return None
    explicit = sorted(code for code in declared if code.startswith("2")) or ["none"]
    covered = " (only `default` covers it, and `default` stands for errors)" if "default" in declared else ""
    return f"answered {status}; declared success: {', '.join(explicit)}{covered}"


def check_response_time(response: Any, limit: float) -> tuple[str, str] | None:
    """(title, message) when the answer was too slow or never came, else None."""
    timeout = timed_out(response)
    if timeout is not None:
        return "No answer in time", f"no answer within {timeout:g} s (--request-timeout)"
    elapsed = float(getattr(response, "elapsed", 0.0) or 0.0)
    if elapsed > limit:
        return "Response too slow", f"answered in {elapsed:.2f} s, limit {limit:g} s (--max-response-time)"
    return None


@schemathesis.check
def declared_success_status(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 2xx must be declared by the operation itself, not covered by ``default``."""
    run = active()
    if run is not None and not run.enabled("declared_success_status"):
        return None
    problem = check_declared_success(case.operation, case.method, response.status_code)
    if problem and timed_out(response) is None:
        raise UndeclaredSuccessStatus(operation=case.operation.label, message=problem)
    return None


@schemathesis.check
def response_time(ctx: Any, response: Any, case: Any) -> bool | None:
    """Answers within --max-response-time; an answer at all within --request-timeout."""
    run = active()
    if run is None or not run.enabled("response_time"):
        return None
    found = check_response_time(response, run.max_response_time)
    if found:
        raise SlowResponse(operation=case.operation.label, title=found[0], message=found[1])
    return None
