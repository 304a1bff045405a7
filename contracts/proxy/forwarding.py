"""Send a request on to the target unchanged and hand back a streaming response.

``http.client`` rather than a higher-level client: it adds no header of its own (no
``User-Agent``, no ``Accept-Encoding``) and never decodes the body, so what the client sent is
what the target receives, byte for byte. Only hop-by-hop headers are dropped and ``Host`` names
the target. One keep-alive connection per worker thread; a request whose body can be sent again
is retried once when a kept-alive connection turns out to be closed.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from contracts.errors import ContractsError

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
CHUNK = 64 * 1024
DEFAULT_TIMEOUT = 60.0


class _Connection(http.client.HTTPConnection):
    """Sends the request line as the client's bytes (waitress hands them over as latin-1 text)."""

    def _encode_request(self, request: str) -> bytes:
        return request.encode("latin-1")


class _TlsConnection(http.client.HTTPSConnection):
    def _encode_request(self, request: str) -> bytes:
        return request.encode("latin-1")


class UpstreamError(Exception):
    """The target could not be reached or broke the connection: the proxy answers 502."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    base_path: str  # a path prefix of the target URL, '' for none

    @property
    def netloc(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.base_path}"

    @classmethod
    def parse(cls, text: str) -> Target:
        """``http(s)://host[:port][/prefix]``; anything else is a ContractsError (exit 2)."""
        hint = "expected http://host[:port] or https://host[:port]"
        try:
            parts = urlsplit(text.strip())
            port = parts.port
        except ValueError as exc:
            raise ContractsError(f"--target {text!r}: {exc}; {hint}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ContractsError(f"--target {text!r}: not a URL; {hint}")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ContractsError(f"--target {text!r}: no query, fragment or credentials allowed; {hint}")
        default = 443 if parts.scheme == "https" else 80
        return cls(parts.scheme, parts.hostname, port or default, parts.path.rstrip("/"))


def strip_hop_by_hop(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers minus hop-by-hop ones, including any the ``Connection`` header names."""
    headers = list(headers)
    named = {
        token.strip().lower()
        for name, value in headers
        if name.lower() == "connection"
        for token in value.split(",")
    }
    return [(n, v) for n, v in headers if n.lower() not in HOP_BY_HOP and n.lower() not in named]


@dataclass(frozen=True)
class Outgoing:
    """A request on its way to the target; ``body`` is bytes (kept) or an iterator (streamed)."""

    method: str
    raw_target: str
    headers: list[tuple[str, str]]
    body: bytes | Iterator[bytes]
    length: int | None


class Upstream:
    """The target, with one reusable connection per thread."""

    def __init__(self, target: Target, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.target = target
        self.timeout = timeout
        self._local = threading.local()

    def send(self, request: Outgoing) -> http.client.HTTPResponse:
        """Send the request; the response's body is still to be read (``read(n)`` streams it)."""
        reused = getattr(self._local, "connection", None) is not None
        try:
            return self._send_once(request)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
            self._drop()
            if not (reused and isinstance(request.body, bytes)):
                raise UpstreamError(_describe(exc, self.target)) from None
        try:
            return self._send_once(request)
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            raise UpstreamError(_describe(exc, self.target)) from None

    def _send_once(self, request: Outgoing) -> http.client.HTTPResponse:
        method, raw_target, headers, body, length = (
            request.method,
            request.raw_target,
            request.headers,
            request.body,
            request.length,
        )
        connection = self._connection()
        try:
            connection.putrequest(
                method, self.target.base_path + raw_target, skip_host=True, skip_accept_encoding=True
            )
            connection.putheader("Host", self.target.netloc)
            for name, value in headers:
                # the proxy holds the body already: an expectation of the client's is met here
                if name.lower() not in ("host", "content-length", "expect"):
                    connection.putheader(name, value)
            chunked = length is None and not isinstance(body, bytes)
            if isinstance(body, bytes):
                if body or length is not None:
                    connection.putheader("Content-Length", str(len(body)))
            elif chunked:
                connection.putheader("Transfer-Encoding", "chunked")
            else:
                connection.putheader("Content-Length", str(length))
            connection.endheaders()
            if isinstance(body, bytes):
                if body:
                    connection.send(body)
            else:
                for chunk in body:
                    if chunk:
                        connection.send(b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
                if chunked:
                    connection.send(b"0\r\n\r\n")
            response = connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            raise
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            raise UpstreamError(_describe(exc, self.target)) from None
        if response.will_close:
            self._local.connection = None  # the server closes it: the next request opens a new one
        return response

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = _TlsConnection if self.target.scheme == "https" else _Connection
            connection = kind(self.target.host, self.target.port, timeout=self.timeout)
            self._local.connection = connection
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()

    def release(self, response: http.client.HTTPResponse) -> None:
        """After the body is read: keep the connection unless it was left half-read."""
        if not response.isclosed():
            self._drop()


def _describe(exc: BaseException, target: Target) -> str:
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve {target.host}: {exc.strerror or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return f"{target.url} refused the connection (is it running?)"
    if isinstance(exc, TimeoutError | socket.timeout):
        return f"{target.url} did not answer in time"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"{target.url}: {text}"
