"""What the proxy checks an exchange against: the snapshot of the version in the path.

Built on the mock's validation core, so the proxy, the mock and their tests agree: the same
compiled operations, the same router (most specific template wins), ``validate_request`` for the
request and ``validate_response`` for the answer, with the same compiled schema validators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote_to_bytes

from contracts.json_depth import TOO_DEEP, too_deep
from mockserver.http.router import Router
from mockserver.spec.leniency import narrowed, relax, relax_accept_language
from mockserver.spec.operations import Operation, compile_operations
from mockserver.spec.schemas import SchemaSet
from mockserver.validation.request import validate_request
from mockserver.validation.response import lenient_response, validate_response


@dataclass(frozen=True)
class Violation:
    """One way an exchange breaks the contract: which side, where, what."""

    side: str  # request | response
    location: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"side": self.side, "location": self.location, "message": self.message}

    def __str__(self) -> str:
        return f"{self.side} {self.location}: {self.message}"


@dataclass
class Routed:
    """Where a request lands in the contract."""

    version: str | None  # the /api/vX.Y of the path, None outside /api/
    checked: bool  # a snapshot of that version is loaded
    operation: Operation | None = None
    path_values: dict[str, str] | None = None
    problem: Violation | None = None  # no such path or method in the contract

    @property
    def label(self) -> str | None:
        return self.operation.label if self.operation is not None else None


@dataclass
class Checked:
    """What a check found: violations, and the platform leniencies that explained the rest."""

    violations: list[Violation]
    leniencies: list[str]
    refuse: bool = False  # the proxy answers 400 itself, whatever --strict says (a too-deep body)


class _Spec:
    """One version's document and schemas: what the leniency step reads (as from a mock runtime)."""

    def __init__(self, doc: dict[str, Any], schemas: SchemaSet) -> None:
        self.doc = doc
        self.schemas = schemas


class ContractSet:
    """The compiled operations of every loaded snapshot, one per API version.

    Problems the platform's known leniencies explain (``contracts/platform``: date-times without
    an offset, the unsatisfiable ``allOf`` schemas) are reported apart, not as violations, so the
    proxy agrees with the mock; ``lenient=False`` counts them as violations.
    """

    def __init__(self, docs: dict[str, dict[str, Any]], *, lenient: bool = True) -> None:
        self.lenient = lenient
        self.schemas = {version: SchemaSet(doc) for version, doc in docs.items()}
        self.specs = {version: _Spec(doc, self.schemas[version]) for version, doc in docs.items()}
        self.operations = {
            version: compile_operations(doc, version, self.schemas[version]) for version, doc in docs.items()
        }
        self.router = Router(self.operations)

    @property
    def versions(self) -> list[str]:
        return sorted(self.operations)

    def route(self, method: str, raw_path: str) -> Routed:
        segments = _segments(raw_path)
        if segments is None or len(segments) < 2 or segments[0] != "api":
            return Routed(version=None, checked=False)
        version = segments[1]
        if version not in self.operations:
            return Routed(version=version, checked=False)
        if len(segments) == 3 and segments[2] == "swagger.json":
            return Routed(version=version, checked=False)
        match = self.router.match(method, segments)
        if match.operation is not None:
            return Routed(version, True, match.operation, match.path_values or {})
        if match.status == 405:
            allowed = ", ".join(match.allow or [])
            problem = Violation(
                "request", "method", f"{method} is not declared for this path (allowed: {allowed})"
            )
        else:
            problem = Violation("request", "path", f"no operation of {version} matches {raw_path}")
        return Routed(version, True, problem=problem)

    def check_request(
        self,
        routed: Routed,
        query_string: str,
        headers: dict[str, str],
        content_type: str,
        body: bytes | None,
    ) -> Checked:
        """Parameters always; the body only when given (``None``: not validated)."""
        if routed.problem is not None:
            return Checked([routed.problem], [])
        if routed.operation is None or routed.version is None:
            return Checked([], [])
        if body and _is_json(content_type) and too_deep(body):
            return Checked([Violation("request", "body", TOO_DEEP)], [], refuse=True)
        in_headers: list[Any] = []
        if self.lenient:  # as the mock reads it: a copy, the target gets the header as sent
            headers = dict(headers)
            in_headers = relax_accept_language(routed.operation, self.schemas[routed.version], headers)
        validated = validate_request(
            routed.operation,
            self.schemas[routed.version],
            routed.path_values or {},
            parse_qs(query_string, keep_blank_values=True),
            headers,
            content_type if body is not None else "",
            body if body is not None else b"",
        )
        found, applied = validated.problems, list(in_headers)
        if body is None:
            found = [p for p in found if not p.location.startswith("body")]
        elif found and self.lenient:
            relaxed = relax(self.specs[routed.version], routed.operation, content_type, validated.body, found)
            if relaxed is not None:
                found, applied = relaxed.problems, applied + relaxed.applied
        elif self.lenient and validated.body is not None:  # what the platform refuses, as the mock
            found = narrowed(self.specs[routed.version], routed.operation, content_type, validated.body)
        return Checked(
            [Violation("request", p.location, p.message) for p in found],
            [f"request {a.location}: {a.leniency}" for a in applied],
        )

    def check_response(
        self, routed: Routed, status: int, content_type: str, body: bytes | None, *, head: bool
    ) -> Checked:
        if routed.operation is None or routed.version is None:
            return Checked([], [])
        if body and not head and _is_json(content_type) and too_deep(body):
            return Checked([Violation("response", "body", TOO_DEEP)], [])  # relayed as it came
        found = validate_response(
            routed.operation, self.schemas[routed.version], status, content_type, body, head=head
        )
        applied: list[Any] = []
        if found and body and self.lenient:
            found, applied = lenient_response(
                self.specs[routed.version], routed.operation, status, body, found
            )
        return Checked(
            [Violation("response", p.location, p.message) for p in found],
            [f"response {a.location}: {a.leniency}" for a in applied],
        )


def _is_json(content_type: str) -> bool:
    return "json" in content_type.split(";", 1)[0].lower()


def _segments(raw_path: str) -> list[str] | None:
    """Decoded path segments of the raw request path (``%2F`` stays inside its segment)."""
    try:
        return [unquote_to_bytes(part).decode("utf-8") for part in raw_path.strip("/").split("/")]
    except UnicodeDecodeError:
        return None
