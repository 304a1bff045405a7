"""RFC 7807 ProblemDetails bodies that validate against the operation's declared error response."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from mockserver.spec.schemas import Problem

PROBLEM_JSON = "application/problem+json"


class MockResponse:
    """What the pipeline answers: status, headers and an already-encoded body.

    ``problems`` keeps a 400's validation problems for the request log, ``leniencies`` the
    platform leniencies the answer itself needed (``mockserver.spec.leniency.Applied``).
    """

    __slots__ = ("status", "headers", "body", "problems", "leniencies")

    def __init__(self, status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or []
        self.problems: list[Problem] | None = None
        self.leniencies: list[Any] = []


def title_for(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(
    status: int, detail: str, instance: str, problems: list[Problem] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://httpstatuses.io/{status}",
        "title": title_for(status),
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if problems:
        body["errors"] = [p.as_dict() for p in problems]
    return body


def problem_response(
    status: int,
    detail: str,
    instance: str,
    *,
    problems: list[Problem] | None = None,
    operation: Any = None,
    conform: Any = None,
    headers: list[tuple[str, str]] | None = None,
) -> MockResponse:
    """A ProblemDetails response; shaped by ``conform`` to the operation's declared error schema."""
    body = problem_body(status, detail, instance, problems)
    media_type = PROBLEM_JSON
    if operation is not None:
        declared = operation.response_for(status)
        if declared is not None and declared.media_type:
            media_type = declared.media_type
            if declared.schema is not None and conform is not None:
                body = conform(body, declared.schema)
    response = MockResponse(
        status,
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        [("Content-Type", f"{media_type}; charset=utf-8"), *(headers or [])],
    )
    response.problems = problems
    return response
