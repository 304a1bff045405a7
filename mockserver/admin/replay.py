"""``mock --replay FILE``: answer requests that match a recorded exchange with the recorded answer.

A request matches an entry on method, decoded path and query parameters (in any order; keys
the recording redacted are left out), and for writes on the body too (JSON compared by value).
Repeated requests get the recorded answers in recorded order, then the last one again: a GET
list before and after a create answers as it did in the session. Anything else falls back to
emulation. Replayed answers carry ``X-Mock-Replay: recorded``.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote

from contracts.har import HarEntry
from contracts.proxy.redaction import SECRET_QUERY
from mockserver.spec.problems import title_for
from mockserver.validation.request import MAX_BODY

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ANY_BODY = "*"
REPLAY_HEADER = "X-Mock-Replay"
_DROPPED = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "x-contract-verdict", "set-cookie"}
)
Key = tuple[str, str, tuple[tuple[str, str], ...], str]


def request_key(method: str, path: str, query: str, body: bytes | None) -> Key:
    method = method.upper()
    pairs = tuple(
        sorted((k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k.lower() not in SECRET_QUERY)
    )
    return (method, unquote(path), pairs, _body_key(body) if method in WRITES else "")


def _body_key(body: bytes | None) -> str:
    if body is None:
        return ANY_BODY
    if not body:
        return ""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except (ValueError, RecursionError):
        return body.decode("latin-1")


class Replayer:
    """WSGI middleware in front of the mock: recorded answers first, emulation otherwise."""

    def __init__(self, app: Callable[..., Iterable[bytes]], entries: list[HarEntry]) -> None:
        self.app = app
        self._answers: dict[Key, list[HarEntry]] = {}
        for entry in entries:
            if entry.response_body is None:
                continue  # a streamed answer was not recorded: emulate instead
            key = request_key(entry.method, entry.path, entry.query, entry.request_body)
            self._answers.setdefault(key, []).append(entry)
        self._served: dict[Key, int] = {}
        self._lock = threading.Lock()
        self.replayed = 0

    @property
    def recorded(self) -> int:
        return sum(len(found) for found in self._answers.values())

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = (environ.get("REQUEST_URI") or environ.get("PATH_INFO") or "/").split("?", 1)[0]
        if "://" in path:
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        body = _peek_body(environ) if method in WRITES else b""
        key = request_key(method, path, environ.get("QUERY_STRING", ""), body)
        entry = self._next(key) or (self._next(key[:3] + (ANY_BODY,)) if method in WRITES else None)
        if entry is None:
            return self.app(environ, start_response)
        payload = entry.response_body or b""
        headers = [(n, v) for n, v in entry.response_headers if n.lower() not in _DROPPED]
        headers += [("Content-Length", str(len(payload))), (REPLAY_HEADER, "recorded")]
        start_response(f"{entry.status} {entry.status_text or title_for(entry.status)}", headers)
        return [b"" if method == "HEAD" else payload]

    def _next(self, key: Key) -> HarEntry | None:
        found = self._answers.get(key)
        if not found:
            return None
        with self._lock:
            index = self._served.get(key, 0)
            self._served[key] = index + 1
            self.replayed += 1
        return found[min(index, len(found) - 1)]


def _peek_body(environ: dict[str, Any]) -> bytes | None:
    """Read the body to match on, and put it back for the mock; None when too large to compare."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length <= 0:
        return b""
    if length > MAX_BODY:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body
