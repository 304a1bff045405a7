"""What a client used, read from its traffic: a HAR file, the proxy's JSONL log or the mock's log.

Each request becomes an ``Observation``: method, path, the names of the query parameters and
headers it sent, the request-body properties it sent and the response-body properties it got,
as location suffixes in the diff's own notation (``.name``, ``[].id``, ``.address.city``).
The mock's request log has no bodies; its observations say so (``bodies_known=False``) and the
filter then counts every body change of a called operation as used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from contracts.errors import ContractsError
from contracts.har import parse_har

MAX_PATHS = 5000  # per body: bounded work for huge lists
MAX_DEPTH = 40


@dataclass
class Observation:
    method: str
    path: str  # decoded path, no query
    query: set[str] = field(default_factory=set)
    headers: set[str] = field(default_factory=set)  # lower case
    status: int = 0
    request_properties: set[str] = field(default_factory=set)
    response_properties: set[str] = field(default_factory=set)
    has_body: bool = False
    bodies_known: bool = True


def json_property_paths(body: bytes | None, content_type: str) -> list[str]:
    """Every property path in a JSON body (``.a``, ``.a.b``, ``[]``, ``[].id``); [] if not JSON."""
    if not body or "json" not in content_type.lower():
        return []
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return []
    found: set[str] = set()
    _walk(value, "", found, 0)
    return sorted(found)


def _walk(value: Any, prefix: str, found: set[str], depth: int) -> None:
    if depth > MAX_DEPTH or len(found) >= MAX_PATHS:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}"
            found.add(path)
            _walk(item, path, found, depth + 1)
    elif isinstance(value, list):
        path = f"{prefix}[]"
        if value:
            found.add(path)
        for item in value[:200]:
            _walk(item, path, found, depth + 1)


def load_usage(path: str | Path) -> list[Observation]:
    """The observations in a usage file; which kind of file it is is told by its content."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ContractsError(f"--usage {source}: cannot read: {reason}") from None
    try:
        doc: Any = json.loads(text)
    except json.JSONDecodeError:
        return _from_jsonl(text, source)
    if isinstance(doc, dict) and "log" in doc:
        return _from_har(doc, source)
    if isinstance(doc, list) and all(_is_log_record(item) for item in doc):
        return [_from_mock_record(item) for item in doc]
    if _is_log_record(doc):
        return _from_jsonl(text, source)
    raise ContractsError(
        f"--usage {source}: not a HAR file, a proxy JSONL log or a mock request log (/__mock/requests)"
    )


def _is_log_record(item: Any) -> bool:
    return (
        isinstance(item, dict) and isinstance(item.get("method"), str) and isinstance(item.get("path"), str)
    )


def _from_har(doc: dict[str, Any], source: str) -> list[Observation]:
    out = []
    for entry in parse_har(doc, f"--usage {source}"):
        out.append(
            Observation(
                method=entry.method,
                path=unquote(entry.path),
                query={name for name, _ in parse_qsl(entry.query, keep_blank_values=True)},
                headers={name.lower() for name, _ in entry.request_headers},
                status=entry.status,
                request_properties=set(json_property_paths(entry.request_body, entry.request_type)),
                response_properties=set(json_property_paths(entry.response_body, entry.response_type)),
                has_body=bool(entry.request_body),
                bodies_known=entry.request_body is not None and entry.response_body is not None,
            )
        )
    return out


def _from_jsonl(text: str, source: str) -> list[Observation]:
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise ContractsError(
                f"--usage {source}: line {number} is not JSON: not a HAR file, a proxy JSONL log or "
                "a mock request log"
            ) from None
        if not _is_log_record(record):
            raise ContractsError(f"--usage {source}: line {number} is not a proxy log record")
        out.append(_from_proxy_record(record))
    return out


def _from_proxy_record(record: dict[str, Any]) -> Observation:
    request = record.get("request") or {}
    response = record.get("response") or {}
    return Observation(
        method=record["method"].upper(),
        path=unquote(record["path"]),
        query=set(request.get("query") or []),
        headers={str(h).lower() for h in request.get("headers") or []},
        status=int(record.get("status") or 0),
        request_properties=set(request.get("properties") or []),
        response_properties=set(response.get("properties") or []),
        has_body=bool(request.get("bytes")),
    )


def _from_mock_record(record: dict[str, Any]) -> Observation:
    return Observation(
        method=record["method"].upper(),
        path=unquote(record["path"]),
        query={name for name, _ in parse_qsl(str(record.get("query") or ""), keep_blank_values=True)},
        status=int(record.get("status") or 0),
        bodies_known=False,
    )
