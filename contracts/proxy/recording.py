"""``--record FILE``: every exchange as a HAR 1.2 entry, keys and cookies redacted.

The file is a valid HAR document after every entry: entries are appended in place of the
closing brackets, which are written again after each one (one write call per entry, under a
lock), so Ctrl-C, a crash or a reader peeking at the file mid-session always see a complete log.
Bodies are kept up to the proxy's caps; larger ones are recorded with their size and a comment.

Not written through ``harfile`` (which ``mock``'s ``/__mock/requests.har`` uses): it closes the
document only at the end (a crash or Ctrl-C would leave a file no reader accepts), has no lock
for the proxy's worker threads, and has no room for the fields readers here rely on
(``_verdict``, ``_violations``, ``postData._encoding`` for binary bodies).
"""

from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contracts import __version__
from contracts.errors import ContractsError
from contracts.proxy.exchange import Exchange
from contracts.proxy.redaction import REDACTED, redact_headers, redact_query, redact_raw_query, scrub_data

_TRAILER = b"\n]}}\n"


def har_entry(exchange: Exchange) -> dict[str, Any]:
    """One HAR 1.2 entry; every string scrubbed of the exchange's secrets."""
    url = urlsplit(exchange.url)
    query = redact_query(exchange.query)
    redacted_url = url._replace(query=redact_raw_query(url.query)).geturl()
    entry = {
        "startedDateTime": exchange.started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "time": round(exchange.elapsed_ms, 3),
        "request": {
            "method": exchange.method,
            "url": redacted_url,
            "httpVersion": exchange.http_version,
            "cookies": _cookies(exchange.request_headers, "cookie"),
            "headers": _har_headers(exchange.request_headers),
            "queryString": [{"name": k, "value": v} for k, v in query],
            "headersSize": -1,
            "bodySize": exchange.request_size,
        },
        "response": {
            "status": exchange.status,
            "statusText": exchange.reason,
            "httpVersion": "HTTP/1.1",
            "cookies": _cookies(exchange.response_headers, "set-cookie"),
            "headers": _har_headers(exchange.response_headers),
            "content": _content(exchange.response_body, exchange.response_size, exchange.response_type),
            "redirectURL": next((v for n, v in exchange.response_headers if n.lower() == "location"), ""),
            "headersSize": -1,
            "bodySize": exchange.response_size,
        },
        "cache": {},
        "timings": {"send": 0, "wait": round(exchange.elapsed_ms, 3), "receive": 0},
        "_verdict": exchange.verdict,
    }
    if exchange.operation:
        entry["comment"] = exchange.operation
    if exchange.request_size or exchange.request_body:
        entry["request"]["postData"] = _post_data(exchange)
    if exchange.violations:
        entry["_violations"] = [v.as_dict() for v in exchange.violations]
    return scrub_data(entry, exchange.secrets)


def _har_headers(headers: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in redact_headers(headers)]


def _cookies(headers: list[tuple[str, str]], which: str) -> list[dict[str, str]]:
    cookies = []
    for name, value in headers:
        if name.lower() != which:
            continue
        pairs = value.split(";") if which == "cookie" else value.split(";", 1)[:1]
        cookies += [{"name": p.partition("=")[0].strip(), "value": REDACTED} for p in pairs if p.strip()]
    return cookies


def _post_data(exchange: Exchange) -> dict[str, Any]:
    data: dict[str, Any] = {"mimeType": exchange.request_type}
    data.update(_body(exchange.request_body, exchange.request_size, "_encoding"))
    data.setdefault("text", "")  # HAR wants text in postData, even for a body left out
    return data


def _content(body: bytes | None, size: int, mime: str) -> dict[str, Any]:
    return {"size": size, "mimeType": mime, **_body(body, size, "encoding")}


def _body(body: bytes | None, size: int, encoding_field: str) -> dict[str, str]:
    """``text`` (UTF-8 as is, anything else base64 with its encoding field), or why it is left out."""
    if body is None:
        return {"comment": f"body of {size} bytes streamed, not recorded"}
    try:
        return {"text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"text": base64.b64encode(body).decode("ascii"), encoding_field: "base64"}


class HarRecorder:
    """Appends entries to a HAR file that stays valid after each one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._count = 0
        head = {
            "log": {
                "version": "1.2",
                "creator": {"name": "madaster-contracts proxy", "version": __version__},
                "pages": [],
                "entries": [],
            }
        }
        text = json.dumps(head, indent=1)
        opening = text[: text.rindex("[]") + 1]  # everything up to and including '"entries": ['
        try:
            self._file = open(path, "wb")  # noqa: SIM115 - closed in close()
            self._file.write(opening.encode() + _TRAILER)
            self._file.flush()
        except OSError as exc:
            raise ContractsError(f"--record {path}: cannot write: {exc.strerror or exc}") from None

    def __call__(self, exchange: Exchange) -> None:
        data = json.dumps(har_entry(exchange), ensure_ascii=False).encode("utf-8")
        with self._lock:
            if self._file.closed:
                return
            self._file.seek(-len(_TRAILER), os.SEEK_END)
            self._file.write((b",\n" if self._count else b"\n") + data + _TRAILER)
            self._file.flush()
            self._count += 1

    @property
    def count(self) -> int:
        return self._count

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()
