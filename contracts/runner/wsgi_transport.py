"""A leaner in-process transport for the WSGI chain a run builds (``target.build_target``).

schemathesis reaches an in-process app through werkzeug's test ``Client`` (a request object,
cookie jar and URL rebuilt per call) and then serializes the case a second time through
``requests`` only to report the request. ``bench/bench_transport.py`` on the v3.0 build 30855:
594 µs against 345 µs per request to an app that answers at once, and a whole run with one
process 1.09x faster (wall and CPU).

It builds the same environ (werkzeug's own ``EnvironBuilder`` on the very arguments schemathesis
would pass to the client), calls the app with werkzeug's ``run_wsgi_app``, and reports the request
with the headers and URL schemathesis would report, the body as sent. What it does not take
(cookies, auth objects, multipart and form bodies, extra client options) goes to schemathesis's
own transport unchanged, and only apps ``mark``ed by the run are routed here: a team's own app,
or a Flask app whose exceptions schemathesis captures, keeps the library's transport.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict
from schemathesis import transport as schemathesis_transport
from schemathesis.core.rate_limit import ratelimit
from schemathesis.core.timing import Instant
from schemathesis.core.transport import Response, is_event_stream, read_event_stream
from schemathesis.generation.overrides import Override
from schemathesis.python import wsgi
from schemathesis.transport.prepare import (
    BODY_KWARGS,
    get_exclude_headers,
    normalize_base_url,
    prepare_url,
)
from schemathesis.transport.wsgi import WSGI_TRANSPORT, WSGITransport
from werkzeug.test import EnvironBuilder, run_wsgi_app

LEAN_MARK = "_madaster_lean_transport"
"""Set on the outermost layer of a run's chain: schemathesis sends to it through ``LEAN``."""

_TAKEN = frozenset({"headers", "params", "cookies", "timeout", "app", "base_url", "json", "data"})
_SOCKET_ONLY = frozenset({"max_redirects", "verify", "cert", "proxies"})
"""Options of a network session with no in-process meaning (schemathesis drops them too)."""
_TAKEN_WITH_SESSION = _TAKEN | _SOCKET_ONLY
_SIMPLE_REQUEST = frozenset({"method", "path", "headers", "query_string", "json", "data", "base_url"})
_BODYLESS = frozenset({"GET", "HEAD"})


class LeanWsgiTransport(WSGITransport):
    """schemathesis's WSGI transport without the test client and the second serialization."""

    def send(self, case: Any, *, session: Any = None, **kwargs: Any) -> Response:
        if not _takes(case, session, kwargs):
            return super().send(case, session=session, **kwargs)
        headers = kwargs.pop("headers", None)
        params = kwargs.pop("params", None)
        kwargs.pop("cookies", None)
        timeout = kwargs.pop("timeout", None)
        if session is not None:
            headers = {**session.headers, **(headers or {})}
            for name in _SOCKET_ONLY:
                kwargs.pop(name, None)
        application = kwargs.pop("app")
        base_url = normalize_base_url(kwargs.pop("base_url", None), host=wsgi.HOST)
        body = {key: kwargs.pop(key) for key in BODY_KWARGS if key in kwargs}
        data = self.serialize_case(case, headers=headers, params=params, base_url=base_url, **body)
        if not _simple(data):
            return super().send(
                case,
                session=session,
                headers=headers,
                params=params,
                app=application,
                base_url=base_url,
                timeout=timeout,
                **body,
                **kwargs,
            )
        for name in get_exclude_headers(case):
            data["headers"].pop(name, None)
        reported_headers = CaseInsensitiveDict(data["headers"])
        environ = EnvironBuilder(**data).get_environ()
        config = case.operation.schema.config
        with ratelimit(config.rate_limit_for(operation=case.operation), config.base_url):
            started_at = Instant()
            app_iter, status, response_headers = run_wsgi_app(application, environ)
            elapsed = started_at.elapsed
        content, cut_short = _read(app_iter, response_headers.get("Content-Type"), case, timeout)
        answer_headers: dict[str, list[str]] = {}
        for name, value in response_headers.items():
            answer_headers.setdefault(name.lower(), []).append(value)
        request_base = base_url or normalize_base_url(case.operation.base_url, host=wsgi.HOST)
        return Response(
            status_code=int(status.split(" ", 1)[0]),
            headers=answer_headers,
            content=content,
            request=_reported(case, request_base, data, reported_headers, environ),
            elapsed=elapsed,
            verify=False,
            stream_cut_short=cut_short,
            _override=Override.from_send_kwargs(kwargs),
        )


def _takes(case: Any, session: Any, kwargs: dict[str, Any]) -> bool:
    """Whether the call is one this transport sends exactly as schemathesis's would."""
    if session is not None and not isinstance(session, requests.Session):
        return False
    if session is not None and (session.auth is not None or session.cookies):
        return False
    if case._auth is not None or case.cookies or kwargs.get("cookies"):
        return False
    return (_TAKEN_WITH_SESSION if session is not None else _TAKEN).issuperset(kwargs)


def _simple(data: dict[str, Any]) -> bool:
    """A JSON or raw body (or none): werkzeug and requests put the same bytes on the wire for it."""
    return _SIMPLE_REQUEST.issuperset(data) and isinstance(data.get("data"), (bytes, str, type(None)))


def _read(app_iter: Any, content_type: str | None, case: Any, timeout: Any) -> tuple[bytes, bool]:
    """The answer's body; an event stream only until schemathesis's limits, as its transport reads it."""
    try:
        if is_event_stream(content_type):
            config = case.operation.schema.config
            return read_event_stream(
                app_iter,
                timeout or config.request_timeout_for(operation=case.operation),
                config.max_stream_events_for(operation=case.operation),
            )
        return b"".join(app_iter), False
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()


def _reported(
    case: Any,
    base_url: str | None,
    data: dict[str, Any],
    headers: CaseInsensitiveDict,
    environ: dict[str, Any],
) -> requests.PreparedRequest:
    """The request as ``requests`` would have prepared it from the same case, without preparing it again."""
    prepared = requests.PreparedRequest()
    prepared.method = case.method.upper()
    prepared.prepare_url(prepare_url(case, base_url), data.get("query_string"))
    raw = environ["wsgi.input"].getvalue()
    if "CONTENT_TYPE" in environ:
        headers.setdefault("Content-Type", environ["CONTENT_TYPE"])
    if raw or prepared.method not in _BODYLESS:
        # `requests` sets the length of every body, and 0 for a bodyless write
        headers["Content-Length"] = str(len(raw))
    prepared.headers = headers
    prepared.body = raw or None
    return prepared


LEAN = LeanWsgiTransport()
LEAN._copy_serializers_from(WSGI_TRANSPORT)


def mark(app: Any) -> Any:
    """Route ``app`` through ``LEAN``; not a Flask app, whose errors schemathesis captures and this does not."""
    setattr(app, LEAN_MARK, True)
    install()
    return app


def install() -> None:
    """Make schemathesis pick ``LEAN`` for marked apps; every other app gets what it got before."""
    current: Callable[[object], Any] = schemathesis_transport.get
    if getattr(current, LEAN_MARK, False):
        return

    def get(app: object) -> Any:
        return LEAN if getattr(app, LEAN_MARK, False) else current(app)

    setattr(get, LEAN_MARK, True)
    schemathesis_transport.get = get
