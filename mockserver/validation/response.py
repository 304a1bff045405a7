"""Response validation against the operation: declared status, content type and body schema.

The mock's own answers are shaped to validate by construction; this module is for answers that
come from elsewhere (the validating proxy checks the real API's responses with it), so the mock,
the proxy and their tests share one compiled validator per schema (``SchemaSet``).
"""

from __future__ import annotations

import json
from typing import Any

from mockserver.spec.operations import Operation
from mockserver.spec.schemas import Problem, SchemaSet, problems

NO_BODY_STATUSES = frozenset({204, 304})


def validate_response(
    operation: Operation,
    schemas: SchemaSet,
    status: int,
    content_type: str,
    body: bytes | None,
    *,
    head: bool = False,
) -> list[Problem]:
    """Every way the response breaks the operation's contract; ``body=None`` skips the body check."""
    declared = operation.response_for(status)
    if declared is None:
        codes = ", ".join(operation.responses) or "none"
        return [Problem("status", f"status {status} is not declared (declared: {codes})")]
    if head or body is None or status in NO_BODY_STATUSES or declared.schema is None:
        return []
    media = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return [Problem("body", f"empty body; a {declared.media_type or 'JSON'} body is declared")]
    if declared.media_type and "json" in declared.media_type:
        if "json" not in media:
            shown = media or "none"
            return [Problem("header.content-type", f"{shown} instead of the declared {declared.media_type}")]
        value = _parse(body)
        if isinstance(value, Problem):
            return [value]
        return problems(schemas.validator(declared.schema, response=True), value, "body")
    return []


def _parse(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return Problem("body", f"the body is not UTF-8 (byte {exc.start})")
    except json.JSONDecodeError as exc:
        return Problem("body", f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    except RecursionError:
        return Problem("body", "malformed JSON: nested too deeply")


def lenient_response(
    runtime: Any, operation: Operation, status: int, body: bytes, found: list[Problem]
) -> tuple[list[Problem], list[Any]]:
    """Body problems the platform's known leniencies explain, set apart: (still wrong, applied).

    The same leniencies the mock applies to requests (``mockserver.spec.leniency``): a date-time
    without an offset, and the spec's unsatisfiable ``allOf`` schemas read as the platform means
    them. ``runtime`` needs the spec (``doc``) and its ``schemas``.
    """
    from contracts.platform.leniency import DATETIME_WITHOUT_OFFSET, UNSATISFIABLE_ALLOF, repaired_datetime
    from contracts.refs import resolve
    from mockserver.spec.leniency import Applied, repaired

    in_body = [p for p in found if p.location == "body" or p.location.startswith("body.")]
    declared = operation.response_for(status)
    if not in_body or declared is None or declared.schema is None:
        return found, []
    value = _parse(body)
    fix = repaired(runtime)
    node = ((fix.doc.get("paths") or {}).get(operation.template) or {}).get(operation.method.lower()) or {}
    response = resolve(fix.doc, (node.get("responses") or {}).get(declared.status)) or {}
    content = response.get("content") or {}
    schema = (content.get(declared.media_type) or {}).get("schema") if declared.media_type else None
    if schema is None or isinstance(value, Problem):
        return found, []
    applied, remaining = [], []
    validator = fix.schemas.validator(fix.branch(schema, value), response=True)
    for error in validator.iter_errors(value):
        path = ".".join(["body", *map(str, error.instance_path)])
        kind = error.kind
        if getattr(kind, "format", None) == "date-time" and repaired_datetime(error.instance) is not None:
            applied.append(Applied(DATETIME_WITHOUT_OFFSET, path))
        else:
            remaining.append(Problem(path, error.message))
    if len(remaining) < len(in_body) - len(applied):
        applied.append(Applied(UNSATISFIABLE_ALLOF, "body"))
    others = [p for p in found if p not in in_body]
    return others + remaining, applied
