"""Named examples of a spec's responses: ``Prefer: example=NAME`` (as in Prism) and a stub's ``example``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from mockserver.spec.problems import MockResponse, problem_response
from mockserver.validation.response import lenient_response, validate_response

_PREFER_EXAMPLE = re.compile(r"(?:^|[;,\s])example\s*=\s*\"?([^\s\";,]+)")


class ExampleError(ValueError):
    """An example name the response does not declare; the message lists those it does."""


def answer_problems(runtime: Any, operation: Any, status: int, content_type: str, body: bytes) -> list[Any]:
    """What keeps an answer from being one the spec allows, the platform's known leniencies set
    apart unless ``--strict`` (the published examples need the abstract-base repair)."""
    problems = validate_response(operation, runtime.schemas, status, content_type, body)
    if problems and runtime.lenient:
        problems, _applied = lenient_response(runtime, operation, status, body, problems)
    return problems


def prefer_example(header: str | None) -> str | None:
    """The example a ``Prefer`` header asks for (``Prefer: example=material``), if any."""
    if not header or "example" not in header:
        return None
    match = _PREFER_EXAMPLE.search(header)
    return match.group(1) if match else None


def example_response(
    runtime: Any, operation: Any, status: int, name: str, instance: str, conform: Any
) -> MockResponse:
    """The named example of the operation's ``status`` answer; a 400 naming the examples there are
    when it has none by that name, or when the spec's own example does not fit its schema."""
    declared = operation.response_for(status)
    if declared is None:
        codes = ", ".join(operation.responses)
        detail = f"Prefer asks for status {status}, which this operation does not declare ({codes})"
        return problem_response(400, detail, instance, operation=operation, conform=conform)
    media = declared.media_type or "application/json"
    content_type = f"{media}; charset=utf-8"

    def check(value: Any) -> list[Any]:
        body = json.dumps(value, ensure_ascii=False).encode("utf-8")
        return answer_problems(runtime, operation, status, content_type, body)

    try:
        value = example_value(runtime, operation, declared, name, lambda v: not check(v))
    except ExampleError as exc:
        return problem_response(400, f"Prefer: {exc}", instance, operation=operation, conform=conform)
    problems = check(value)
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    if problems:
        shown = "; ".join(f"{p.location}: {p.message}" for p in problems[:3])
        detail = f"Prefer: the spec's example {name!r} does not fit its own schema: {shown}"
        return problem_response(400, detail, instance, operation=operation, conform=conform)
    return MockResponse(status, body, [("Content-Type", content_type)])


def example_value(
    runtime: Any, operation: Any, declared: Any, name: str, fits: Callable[[Any], bool] | None = None
) -> Any:
    """A named example of a declared response, as ``Prefer: example=NAME`` and stubs use it.

    The published v4.0 builds write their JSON examples as strings of JSON: a string that does not
    ``fits`` the schema is read as the JSON it holds, when that does."""
    examples = named_examples(runtime, operation, declared)
    if name not in examples:
        known = ", ".join(examples) or "none"
        raise ExampleError(f"example {name!r}: {operation.label} {declared.status} declares {known}")
    value = examples[name]
    if isinstance(value, str) and "json" in (declared.media_type or "") and not (fits and fits(value)):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        if fits is None or fits(decoded):
            return decoded
    return value


def named_examples(runtime: Any, operation: Any, declared: Any) -> dict[str, Any]:
    """The examples a response declares by name (``examples``; a lone ``example`` is ``default``)."""
    item = (runtime.doc.get("paths") or {}).get(operation.template) or {}
    response = ((item.get(operation.method.lower()) or {}).get("responses") or {}).get(declared.status) or {}
    response = _resolved(runtime.doc, response)
    media = (response.get("content") or {}).get(declared.media_type or "") or {}
    found = {n: _resolved(runtime.doc, e).get("value") for n, e in (media.get("examples") or {}).items()}
    if "example" in media and "default" not in found:
        found["default"] = media["example"]
    return found


def _resolved(doc: dict[str, Any], node: Any) -> dict[str, Any]:
    """A local ``$ref`` followed (examples and responses may live in components)."""
    from jsonpointer import JsonPointerException, resolve_pointer

    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        seen += 1
        if seen > 20:
            return {}
        try:
            node = resolve_pointer(doc, node["$ref"][1:])
        except JsonPointerException:
            return {}
    return node if isinstance(node, dict) else {}
