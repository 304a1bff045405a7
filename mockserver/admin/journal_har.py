"""The request journal as a HAR 1.2 file (``GET /__mock/requests.har``), written by ``harfile``.

What a team's client sent the mock during its own tests, in the format ``diff --usage``,
``mock --replay`` and browsers' dev tools read. The whole file is written at once from a copy of
the journal, on one thread: the case ``harfile`` is made for (the proxy's ``--record`` is not:
it must stay a valid file after every entry, from many threads, with fields of its own).
Keys appear masked, as in the journal; bodies as far as the journal keeps them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import parse_qsl

import harfile

from contracts import __version__
from mockserver.http.request_log import LogEntry

CREATOR = harfile.Creator(name="madaster-contracts mock", version=__version__)


def journal_har(entries: Iterable[LogEntry], base_url: str) -> str:
    """A HAR document of ``entries``, oldest first, their URLs under ``base_url``."""
    buffer = io.StringIO()
    with harfile.HarFile(buffer, creator=CREATOR, comment="the mock's request journal") as har:
        for entry in entries:
            har.add_entry(
                startedDateTime=datetime.fromtimestamp(entry.time, UTC),
                time=round(entry.ms, 3),
                request=_request(entry, base_url),
                response=_response(entry),
                timings=harfile.Timings(send=0, wait=round(entry.ms, 3), receive=0),
                comment=f"request {entry.seq}"
                + (f", stub {entry.stub.id}" if entry.stub is not None else ""),
            )
    return buffer.getvalue()


def _request(entry: LogEntry, base_url: str) -> harfile.Request:
    url = base_url.rstrip("/") + entry.path + (f"?{entry.query}" if entry.query else "")
    headers = [harfile.Record(name="X-API-Key", value=entry.key)] if entry.key else []
    if entry.content_type:
        headers.append(harfile.Record(name="Content-Type", value=entry.content_type))
    post = None
    if entry.request_size:
        text, comment = _text(entry.request, entry.request_size)
        post = harfile.PostData(mimeType=entry.content_type, text=text, comment=comment)
    return harfile.Request(
        method=entry.method,
        url=url,
        httpVersion="HTTP/1.1",
        headers=headers,
        queryString=[
            harfile.Record(name=k, value=v) for k, v in parse_qsl(entry.query, keep_blank_values=True)
        ],
        postData=post,
        bodySize=entry.request_size,
    )


def _response(entry: LogEntry) -> harfile.Response:
    text, comment = _text(entry.response, entry.response_size)
    mime = _response_type(entry, text)
    try:
        reason = HTTPStatus(entry.status).phrase
    except ValueError:
        reason = ""
    return harfile.Response(
        status=entry.status,
        statusText=reason,
        httpVersion="HTTP/1.1",
        headers=[harfile.Record(name="Content-Type", value=mime)] if mime else [],
        content=harfile.Content(size=entry.response_size, mimeType=mime, text=text, comment=comment),
        bodySize=entry.response_size,
    )


def _text(body: bytes | None, size: int) -> tuple[str | None, str | None]:
    """The body as text, or why it is missing or cut."""
    if body is None:
        return None, f"body of {size} bytes dropped from the journal (its body budget)"
    text = body.decode("utf-8", "replace")
    if size > len(body):
        return text, f"first {len(body)} of {size} bytes (the journal keeps the start of each body)"
    return text, None


def _response_type(entry: LogEntry, text: str | None) -> str:
    """The journal keeps no response headers: JSON when the body parses as JSON."""
    if not text or entry.response_size > len(entry.response or b""):
        return ""
    try:
        json.loads(text)
    except ValueError:
        return "text/plain"
    return "application/problem+json" if entry.status >= 400 else "application/json"
