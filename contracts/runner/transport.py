"""The WSGI layers every request of a run passes through, whatever the target.

schemathesis talks to a WSGI application in-process. For the embedded mock that is
the mock itself; for a real base URL it is ``HttpForwarder``, which sends the request
over the network exactly as the case means it (the raw request target, never re-quoted),
retries connection errors and 429/503 (honouring ``Retry-After``) through urllib3's ``Retry``
(``retrying``) and turns a read timeout into a marked stand-in answer that the
``response_time`` check reports on its operation.
``RequestLog`` remembers each request as sent, for curl reproductions and chains. The key never enters schemathesis: it sends a placeholder
that ``KeyInjector`` swaps for the real key at the last moment, so every code
sample, report and cache schemathesis writes only ever contains the placeholder.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from contracts.request_target import wire_target

KEY_HEADER = "X-API-Key"
KEY_PLACEHOLDER = "$MADASTER_API_KEY"
READ_ONLY_PLACEHOLDER = "$MADASTER_READ_ONLY_KEY"
"""Sent instead of the read-only key (``--read-only-key``), swapped the same way."""
CASE_ID_HEADER = "X-Schemathesis-TestCaseId"
TIMEOUT_HEADER = "X-Madaster-Contracts-Timeout"
"""Set on the stand-in answer ``HttpForwarder`` gives when the target did not answer in time."""
BARE_429_HEADER = "X-Madaster-Contracts-429-Without-Retry-After"
"""Set on an answer the forwarder got after retrying a 429 that carried no ``Retry-After``
(the retry hides the 429 from the checks; the ``retry_after`` check reads this mark)."""
SAFE_METHODS = frozenset({"GET", "HEAD"})
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "content-encoding",
    "content-length",
}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class TargetUnreachable(Exception):
    """The target did not answer after the retries; the run stops with exit 2."""


class RequestTimedOut(Exception):
    """The target accepted the connection but sent no answer within the request timeout."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no answer within {seconds:g} s")
        self.seconds = seconds


class WriteBlocked(Exception):
    """A write request reached the guard of a read-only run; it was not sent."""


class KeyInjector:
    """Replace the placeholder key with the real one just before the request leaves."""

    def __init__(self, app: WsgiApp, key: str, read_only_key: str | None = None) -> None:
        self.app = app
        self._key = key
        self._read_only_key = read_only_key

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_API_KEY") == KEY_PLACEHOLDER:
            environ["HTTP_X_API_KEY"] = self._key
        elif environ.get("HTTP_X_API_KEY") == READ_ONLY_PLACEHOLDER and self._read_only_key:
            environ["HTTP_X_API_KEY"] = self._read_only_key
        return self.app(environ, start_response)

    def __repr__(self) -> str:  # never show the key, even in a debugger or traceback
        return f"KeyInjector({self.app!r})"


@dataclass
class WriteGuard:
    """Last line of defence of a read-only run: only GET and HEAD pass."""

    app: WsgiApp
    blocked: list[str] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method not in SAFE_METHODS:
            self.blocked.append(f"{method} {environ.get('PATH_INFO', '')}")
            raise WriteBlocked(f"{method} {environ.get('PATH_INFO', '')} not sent: the run is read-only")
        return self.app(environ, start_response)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date), read as the forwarder
    reads it (urllib3's parsing), before the cap; None if absent or unreadable."""
    from contracts.runner.retrying import read_retry_after

    return read_retry_after(value, now=now)


@dataclass
class RetryPolicy:
    """Bounded kindness towards the server."""

    retries: int = 3
    """Extra attempts for a transient network error or a 429/503."""
    backoff: float = 0.5
    """First wait after a network error; doubles each attempt."""
    max_wait: float = 30.0
    """No single wait (Retry-After included) is longer than this."""
    timeout: float = 10.0
    """Connect and read timeout of one request, in seconds."""

    def wait_for(self, attempt: int, retry_after: float | None) -> float:
        """The wait before retry ``attempt + 1`` (from 0): ``Retry-After`` when readable, else the backoff."""
        wait = retry_after if retry_after is not None else self.backoff * (2**attempt)
        return float(min(max(wait, 0.0), self.max_wait))


class HttpForwarder:
    """A WSGI application that forwards each request to ``base_url`` over HTTP.

    One requests session per thread, each with an ``HTTPAdapter`` carrying a ``PolicyRetry``
    (the policy's counts and waits) and its own ``RetryJournal``.
    """

    def __init__(
        self,
        base_url: str,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] | None = None,
    ) -> None:
        import requests

        from contracts.runner import retrying

        self.base_url = base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._local = threading.local()
        self._requests = requests
        self._retrying = retrying
        self.lost: str | None = None
        self.waited = 0.0

    def _session(self) -> tuple[Any, Any]:
        """This thread's session and the journal of its retries."""
        session = getattr(self._local, "session", None)
        if session is None:
            journal = self._retrying.RetryJournal()
            retry = self._retrying.PolicyRetry.for_policy(
                retries=self.policy.retries,
                max_wait=self.policy.max_wait,
                wait_for=self.policy.wait_for,
                pause=self._sleep,
                clock=self._clock,
                journal=journal,
            )
            adapter = self._requests.adapters.HTTPAdapter(max_retries=retry)
            session = self._requests.Session()
            session.trust_env = False
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session, self._local.journal = session, journal
        return session, self._local.journal

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        url = self.base_url + wire_target(environ)
        headers = {}
        for name, value in environ.items():
            if name.startswith("HTTP_") and name not in ("HTTP_HOST", "HTTP_CONTENT_LENGTH"):
                headers[name[5:].replace("_", "-").title()] = value
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        try:
            response, bare_429 = self.send(method, url, headers, body)
        except RequestTimedOut as exc:
            return timed_out_answer(start_response, exc.seconds, method, url)
        reason = response.reason or ""
        out_headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _HOP_BY_HOP]
        if bare_429:
            out_headers.append((BARE_429_HEADER, "1"))
        start_response(f"{response.status_code} {reason}".strip(), out_headers)
        return [response.content]

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[Any, bool]:
        """Send exactly ``url`` (no re-quoting), retried by the session's ``PolicyRetry``.

        Returns the last answer and whether a 429 without ``Retry-After`` came back on the way.
        A read timeout is not retried: it is the finding.
        """
        session, journal = self._session()
        journal.reset()
        prepared = session.prepare_request(self._requests.Request(method, url, headers=headers, data=body))
        prepared.url = url  # requests would re-quote the path; the case's bytes go out as they are
        try:
            response = session.send(prepared, timeout=self.policy.timeout, allow_redirects=False)
        except self._requests.ReadTimeout:
            raise RequestTimedOut(self.policy.timeout) from None
        except (self._requests.ConnectionError, self._requests.Timeout) as exc:
            if _is_read_timeout(exc):  # the body stalled after the headers: requests says ConnectionError
                raise RequestTimedOut(self.policy.timeout) from None
            where = f"{method} {url.removeprefix(self.base_url).split('?')[0]}"
            self.lost = f"{type(exc).__name__} after {journal.retries + 1} attempts (on {where})"
            raise TargetUnreachable(f"{where}: {self.lost}") from None
        finally:
            self.waited += journal.waited
        bare = journal.bare_429 or (response.status_code == 429 and not response.headers.get("Retry-After"))
        return response, bare


def _is_read_timeout(exc: BaseException) -> bool:
    """Whether a read timeout is behind ``exc`` (requests wraps one met while reading the body)."""
    from urllib3.exceptions import ReadTimeoutError

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ReadTimeoutError) or any(isinstance(a, ReadTimeoutError) for a in seen.args):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def timed_out_answer(
    start_response: Callable[..., Any], seconds: float, method: str, url: str
) -> list[bytes]:
    """A stand-in 504 marked with ``TIMEOUT_HEADER``: the checks report it as a timeout on its operation."""
    body = {
        "title": "No answer in time",
        "status": 504,
        "detail": f"{method} {url.split('?')[0]}: no answer within {seconds:g} s (--request-timeout)",
    }
    start_response(
        "504 Gateway Timeout",
        [("Content-Type", "application/problem+json"), (TIMEOUT_HEADER, f"{seconds:g}")],
    )
    return [json.dumps(body).encode("utf-8")]


@dataclass
class SentRequest:
    """A request as it left the run (placeholder key, run-prefixed name, final URL, body)."""

    method: str
    target: str
    """Path and query, encoded as sent."""
    headers: dict[str, str]
    body: bytes


SKIPPED_HEADERS = frozenset({"host", "content-length", "connection", "accept-encoding", "user-agent"})


@dataclass
class RequestLog:
    """Remember what was sent, by schemathesis's test case id, for curl reproductions and chains."""

    app: WsgiApp
    limit: int = 50_000
    sent: OrderedDict[str, SentRequest] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        import io

        case_id = environ.get("HTTP_X_SCHEMATHESIS_TESTCASEID")
        if case_id:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            headers = {}
            for name, value in environ.items():
                if name.startswith("HTTP_"):
                    header = name[5:].replace("_", "-").title()
                    if header.lower() not in SKIPPED_HEADERS and header.lower() != CASE_ID_HEADER.lower():
                        headers[header] = value
            if environ.get("CONTENT_TYPE"):
                headers["Content-Type"] = environ["CONTENT_TYPE"]
            request = SentRequest(
                environ.get("REQUEST_METHOD", "GET").upper(), wire_target(environ), headers, body
            )
            with self._lock:
                self.sent[case_id] = request
                while len(self.sent) > self.limit:
                    self.sent.popitem(last=False)
        return self.app(environ, start_response)

    def get(self, case_id: str | None) -> SentRequest | None:
        return self.sent.get(case_id) if case_id else None
