"""Reading HAR 1.2 files (the proxy's recordings, browsers' dev tools): one loader for all readers.

``mock --replay``, ``mock --fixtures-from`` and ``diff --usage`` read recordings through
``load_har``; a file that is not a HAR log is one ContractsError (exit 2), never a traceback.

Hand-written on purpose: ``harfile`` (installed with schemathesis) only writes HAR files; it
has no reader. What the project writes in one go goes through it
(``mockserver.admin.journal_har``).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contracts.errors import ContractsError


@dataclass
class HarEntry:
    """One recorded exchange, decoded: bodies as bytes (None when the recording left them out)."""

    method: str
    path: str  # raw path as recorded, without the query
    query: str
    request_headers: list[tuple[str, str]]
    request_type: str
    request_body: bytes | None
    status: int
    status_text: str
    response_headers: list[tuple[str, str]]
    response_type: str
    response_body: bytes | None


def load_har(path: str | Path) -> list[HarEntry]:
    """Every entry of a HAR file, in recorded order."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ContractsError(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ContractsError(f"{source}: not a HAR file (not valid JSON: {exc})") from None
    return parse_har(doc, source)


def parse_har(doc: Any, source: str) -> list[HarEntry]:
    entries = doc.get("log", {}).get("entries") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ContractsError(f"{source}: not a HAR file (no log.entries list)")
    out = []
    for index, entry in enumerate(entries):
        try:
            out.append(_entry(entry))
        except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as exc:
            raise ContractsError(
                f"{source}: log.entries[{index}] is not a HAR entry ({_reason(exc)})"
            ) from None
    return out


def _entry(entry: dict[str, Any]) -> HarEntry:
    request, response = entry["request"], entry["response"]
    parts = urlsplit(str(request["url"]))
    post = request.get("postData") or {}
    content = response.get("content") or {}
    return HarEntry(
        method=str(request["method"]).upper(),
        path=parts.path or "/",
        query=parts.query,
        request_headers=_headers(request.get("headers") or []),
        request_type=str(post.get("mimeType") or _header(request.get("headers") or [], "content-type")),
        request_body=_request_body(post, request.get("bodySize")),
        status=int(response["status"]),
        status_text=str(response.get("statusText") or ""),
        response_headers=_headers(response.get("headers") or []),
        response_type=str(content.get("mimeType") or _header(response.get("headers") or [], "content-type")),
        response_body=_text(content),
    )


def _headers(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(str(h["name"]), str(h["value"])) for h in items]


def _header(items: list[dict[str, Any]], name: str) -> str:
    return next((str(h.get("value", "")) for h in items if str(h.get("name", "")).lower() == name), "")


def _request_body(post: dict[str, Any], size: Any) -> bytes | None:
    """The recorded request body; None when a body was sent but not recorded (a streamed upload)."""
    sent = isinstance(size, int) and size > 0
    if not post:
        return None if sent else b""
    body = _text(post)
    return None if sent and not body else body


def _text(holder: dict[str, Any]) -> bytes | None:
    text = holder.get("text")
    if text is None:
        return b"" if holder.get("size") == 0 else None
    if "base64" in (holder.get("encoding"), holder.get("_encoding")):
        return base64.b64decode(str(text), validate=True)
    return str(text).encode("utf-8")


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    return str(exc) or type(exc).__name__
