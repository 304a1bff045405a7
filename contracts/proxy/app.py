"""The proxy as a WSGI callable: read → validate request → forward → validate response → answer.

Bodies are kept only when they are small enough to check (JSON and text up to ``VALIDATE_CAP``)
or to record (anything up to ``KEEP_CAP``); larger ones stream through in ``CHUNK`` pieces
and their check is skipped, which the verdict and the log say. The verdict header is set before
the body leaves, so a checked response body is read whole first (API answers are small).
"""

from __future__ import annotations

import http.client
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO
from urllib.parse import parse_qsl

from contracts.proxy.contract import Checked, ContractSet
from contracts.proxy.exchange import Exchange
from contracts.proxy.forwarding import CHUNK, Outgoing, Upstream, UpstreamError, strip_hop_by_hop
from contracts.proxy.redaction import secrets_in
from contracts.request_target import wire_target
from mockserver.spec.problems import problem_response, title_for
from mockserver.spec.schemas import Problem
from mockserver.validation.request import MAX_BODY

VERDICT_HEADER = "X-Contract-Verdict"
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
# waitress adds this as ``Via`` (or as ``Server`` when the target sent none)
PROXY_IDENT = "madaster-contracts-proxy"
VALIDATE_CAP = MAX_BODY  # the mock's own request-body limit: 16 MiB
KEEP_CAP = 1024 * 1024  # bodies up to this size are kept for the recording even when not checked
Sink = Callable[[Exchange], None]


class ValidatingProxy:
    def __init__(
        self,
        contracts: ContractSet,
        upstream: Upstream,
        sinks: Iterable[Sink] = (),
        *,
        strict: bool = False,
        validate_cap: int = VALIDATE_CAP,
    ) -> None:
        self.contracts = contracts
        self.upstream = upstream
        self.sinks = list(sinks)
        self.strict = strict
        self.validate_cap = validate_cap

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        clock = time.perf_counter()
        exchange, body, length = self._incoming(environ)
        bad = _bad_target(exchange.raw_target)
        if bad is not None:  # cannot go on the wire as it is; the client sent it, not the target
            response = problem_response(400, bad, exchange.path)
            return self._answer_locally(exchange, response, clock, start_response)
        routed = self.contracts.route(exchange.method, exchange.path)
        exchange.operation, exchange.version, exchange.checked = routed.label, routed.version, routed.checked
        refuse = False
        if routed.checked:
            query = exchange.raw_target.partition("?")[2]
            checked = self._checked(
                exchange,
                "request",
                lambda: self.contracts.check_request(
                    routed,
                    query,
                    _lower_headers(exchange.request_headers),
                    exchange.request_type,
                    exchange.request_body,
                ),
            )
            refuse = checked.refuse
            if exchange.request_body is None and length and _declares_body(routed):
                exchange.unchecked.append(
                    f"request-body: {_size(length)} {exchange.request_type or 'body'} streamed"
                )
        if refuse or (self.strict and exchange.violations):
            response = problem_response(
                400,
                ("the request cannot be checked: " if refuse else "the request breaks the contract: ")
                + "; ".join(str(v) for v in exchange.violations[:5]),
                exchange.path,
                problems=[Problem(v.location, v.message) for v in exchange.violations],
                operation=routed.operation,
            )
            return self._answer_locally(exchange, response, clock, start_response)
        try:
            outgoing = Outgoing(
                exchange.method, exchange.raw_target, strip_hop_by_hop(exchange.request_headers), body, length
            )
            upstream = self.upstream.send(outgoing)
        except UpstreamError as exc:
            return self._bad_gateway(exchange, f"the target is unreachable: {exc}", clock, start_response)
        try:
            return self._relay(exchange, routed, upstream, clock, start_response)
        except (OSError, http.client.HTTPException) as exc:  # the target broke off its answer
            self.upstream.release(upstream)
            detail = f"the target broke off its answer: {type(exc).__name__}: {exc}"
            return self._bad_gateway(exchange, detail, clock, start_response)

    def _checked(self, exchange: Exchange, side: str, check: Callable[[], Checked]) -> Checked:
        """Run one check; a validator failing on input it cannot take leaves that side unchecked.

        The traffic goes on either way: the proxy never answers a bare 500 for its own checks.
        """
        try:
            checked = check()
        except (ValueError, RecursionError) as exc:
            exchange.unchecked.append(f"{side}: the check failed: {type(exc).__name__}: {exc}")
            return Checked([], [])
        exchange.add(checked)
        return checked

    # -- request ---------------------------------------------------------------------------
    def _incoming(self, environ: dict[str, Any]) -> tuple[Exchange, bytes | Iterator[bytes], int | None]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        raw_target = _raw_target(environ)
        headers = _environ_headers(environ)
        query = parse_qsl(raw_target.partition("?")[2], keep_blank_values=True)
        content_type = environ.get("CONTENT_TYPE", "")
        length = _length(environ)
        stream: BinaryIO | None = environ.get("wsgi.input")
        cap = self.validate_cap if _checkable(content_type) else KEEP_CAP
        kept: bytes | None
        body: bytes | Iterator[bytes]
        if stream is None or length == 0:
            kept, body = b"", b""
        elif length is not None and length <= cap:
            kept = _read_exactly(stream, length)
            body = kept
        elif length is None:
            head = stream.read(cap + 1)
            if len(head) <= cap:
                kept, body = head, head
            else:
                kept, body = None, _chain(head, stream, None)
        else:
            kept, body = None, _chain(b"", stream, length)
        exchange = Exchange(
            started=datetime.now(UTC),
            method=method,
            raw_target=raw_target,
            url=self.upstream.target.url + raw_target,
            http_version=environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            request_headers=headers,
            query=query,
            request_body=kept,
            request_size=len(kept) if kept is not None else (length or 0),
            request_type=content_type,
            secrets=secrets_in(headers, query),
        )
        return exchange, body, length

    # -- response --------------------------------------------------------------------------
    def _relay(
        self, exchange: Exchange, routed: Any, upstream: Any, clock: float, start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        exchange.status, exchange.reason = upstream.status, upstream.reason
        exchange.response_headers = list(upstream.getheaders())
        exchange.response_type = upstream.getheader("Content-Type", "") or ""
        declared = _int(upstream.getheader("Content-Length"))
        head = exchange.method == "HEAD"
        cap = self.validate_cap if _checkable(exchange.response_type) else KEEP_CAP
        rest: Iterator[bytes] | None = None
        if head or exchange.status in (204, 304) or (declared is not None and declared <= cap):
            body: bytes | None = upstream.read()
        else:
            first = upstream.read(cap + 1) if declared is None else b""
            if declared is None and len(first) <= cap:
                body = first
            else:
                body, rest = None, _drain(first, upstream)
        exchange.response_body = body
        exchange.response_size = len(body) if body is not None else (declared or 0)
        if routed.checked:
            self._checked(
                exchange,
                "response",
                lambda: self.contracts.check_response(
                    routed, exchange.status, exchange.response_type, body, head=head
                ),
            )
            if body is None and _checkable(exchange.response_type):
                exchange.unchecked.append(f"response-body: larger than {_size(cap)}, streamed")
        headers = strip_hop_by_hop(exchange.response_headers)
        headers.append((VERDICT_HEADER, exchange.verdict))
        start_response(f"{exchange.status} {exchange.reason or title_for(exchange.status)}", headers)
        if rest is None:
            self.upstream.release(upstream)
            self._finish(exchange, clock)
            return [body or b""]
        return self._stream(exchange, rest, upstream, clock)

    def _stream(
        self, exchange: Exchange, rest: Iterator[bytes], upstream: Any, clock: float
    ) -> Iterator[bytes]:
        sent = 0
        try:
            for chunk in rest:
                sent += len(chunk)
                yield chunk
        finally:
            exchange.response_size = max(exchange.response_size, sent)
            self.upstream.release(upstream)
            self._finish(exchange, clock)

    def _bad_gateway(
        self, exchange: Exchange, detail: str, clock: float, start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        exchange.unchecked.append("response: " + detail)
        exchange.response_headers, exchange.response_body = [], None
        response = problem_response(502, detail, exchange.path)
        return self._answer_locally(exchange, response, clock, start_response)

    def _answer_locally(
        self, exchange: Exchange, response: Any, clock: float, start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        exchange.forwarded = False
        exchange.status, exchange.reason = response.status, title_for(response.status)
        exchange.response_headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        exchange.response_type = dict(response.headers).get("Content-Type", "")
        exchange.response_body, exchange.response_size = response.body, len(response.body)
        start_response(
            f"{response.status} {exchange.reason}",
            [*exchange.response_headers, (VERDICT_HEADER, exchange.verdict)],
        )
        self._finish(exchange, clock)
        return [response.body]

    def _finish(self, exchange: Exchange, clock: float) -> None:
        exchange.elapsed_ms = (time.perf_counter() - clock) * 1000
        for sink in self.sinks:
            try:
                sink(exchange)
            except OSError as exc:  # a full disk must not cost the client its answer
                print(f"madaster-contracts proxy: cannot write: {exc}", file=sys.stderr, flush=True)


def _raw_target(environ: dict[str, Any]) -> str:
    """Path and query exactly as sent; an absolute-form target loses its scheme and host."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI") or ""
    if "://" in raw.split("?", 1)[0]:
        return "/" + raw.split("://", 1)[1].partition("/")[2]
    return wire_target(environ)


def _bad_target(raw_target: str) -> str | None:
    """Why a request target cannot be forwarded: a control character (RFC 9112 allows none)."""
    found = _CONTROL.search(raw_target)
    if found is None:
        return None
    return (
        f"the request target holds the control character 0x{ord(found.group()):02x} "
        f"at position {found.start()}; percent-encode it"
    )


def _environ_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append(("-".join(part.capitalize() for part in key[5:].split("_")), value))
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if environ.get(key):
            headers.append((name, environ[key]))
    return headers


def _lower_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def _length(environ: dict[str, Any]) -> int | None:
    return _int(environ.get("CONTENT_LENGTH"))


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


def _checkable(content_type: str) -> bool:
    """A body the contract can check: JSON or text (uploads and binaries stream through)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return "json" in media or media.startswith("text/") or media == "application/x-www-form-urlencoded"


def _declares_body(routed: Any) -> bool:
    return routed.operation is not None and routed.operation.body is not None


def _read_exactly(stream: BinaryIO, length: int) -> bytes:
    chunks, left = [], length
    while left > 0:
        chunk = stream.read(min(CHUNK, left))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _chain(first: bytes, stream: BinaryIO, length: int | None) -> Iterator[bytes]:
    """The request body in pieces: what was already read, then the rest of the stream."""
    if first:
        yield first
    left = None if length is None else length - len(first)
    while left is None or left > 0:
        chunk = stream.read(CHUNK if left is None else min(CHUNK, left))
        if not chunk:
            return
        if left is not None:
            left -= len(chunk)
        yield chunk


def _drain(first: bytes, upstream: Any) -> Iterator[bytes]:
    if first:
        yield first
    while True:
        chunk = upstream.read(CHUNK)
        if not chunk:
            return
        yield chunk


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{n} bytes"
