"""The lean in-process transport sends and reports exactly what schemathesis's own WSGI transport does."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import transport as schemathesis_transport
from schemathesis.generation import GenerationMode
from schemathesis.transport.requests import REQUESTS_TRANSPORT
from schemathesis.transport.wsgi import WSGI_TRANSPORT

from contracts.runner.specs import SpecUnderTest
from contracts.runner.target import build_target
from contracts.runner.wsgi_transport import LEAN, install, mark

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "v3.0" / "baseline.yaml"


class Recording:
    """Answers every request alike and keeps what it was sent (the body read out)."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen = {k: v for k, v in environ.items() if k not in ("wsgi.errors", "werkzeug.request")}
        seen["wsgi.input"] = environ["wsgi.input"].read()
        self.seen.append(seen)
        start_response(
            "201 CREATED", [("Content-Type", "application/json"), ("X-Twice", "1"), ("X-Twice", "2")]
        )
        return [b'{"id": "', environ["PATH_INFO"].encode(), b'"}']


SCHEMA = schemathesis.openapi.from_dict(yaml.safe_load(SPEC.read_text()))
ACCOUNT = SCHEMA["/api/v3.0/account"]["GET"]


@pytest.fixture(scope="module")
def operations() -> list[Any]:
    return [result.ok() for result in SCHEMA.get_all_operations()]


def sent_alike(case: Any, session: requests.Session | None) -> None:
    """Send ``case`` through both transports; the app and the caller must see the same."""
    app = Recording()
    extra = {"max_redirects": 3, "verify": False, "cert": None} if session is not None else {}
    # headers a configuration adds: a negative case that drops one must still go without it
    headers = {"X-API-Key": "k", "X-Tenant": "configured", "accept-language": "en"}
    kwargs = {"app": app, "headers": headers, "timeout": 10, **extra}
    theirs = WSGI_TRANSPORT.send(case, session=session, **dict(kwargs))
    ours = LEAN.send(case, session=session, **dict(kwargs))
    assert app.seen[0] == app.seen[1], case.operation.label
    for field in ("status_code", "headers", "content", "content_size", "stream_cut_short", "message"):
        assert getattr(ours, field) == getattr(theirs, field), field
    assert ours.request.method == theirs.request.method
    assert ours.request.url == theirs.request.url
    assert dict(ours.request.headers) == dict(theirs.request.headers)
    assert (ours.request.body or b"") == (
        theirs.request.body.encode() if isinstance(theirs.request.body, str) else theirs.request.body or b""
    )


def test_every_operation_sends_and_reports_alike(operations: list[Any]) -> None:
    """Every operation of the v3.0 snapshot (JSON, multipart and bodyless), cases of every mode."""
    for operation in operations:

        @given(case=operation.as_strategy(), with_session=st.booleans())
        @settings(max_examples=6, database=None, deadline=None, suppress_health_check=list(HealthCheck))
        def alike(case: Any, with_session: bool) -> None:
            sent_alike(case, requests.Session() if with_session else None)

        alike()


HEADERED = schemathesis.openapi.from_dict(
    {
        "openapi": "3.0.3",
        "info": {"title": "headers", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "parameters": [
                        {"name": "X-Tenant", "in": "header", "required": True, "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 5}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"type": "object", "required": ["a"]}}},
                    },
                    "responses": {"201": {"description": "made"}},
                }
            }
        },
    }
)["/things"]["POST"]


@given(case=HEADERED.as_strategy(GenerationMode.NEGATIVE), with_session=st.booleans())
@settings(max_examples=60, database=None, deadline=None, suppress_health_check=list(HealthCheck))
def test_negative_cases_leave_out_the_headers_schemathesis_leaves_out(case: Any, with_session: bool) -> None:
    """A case that drops a required header goes without it, though the report names it (as theirs does)."""
    sent_alike(case, requests.Session() if with_session else None)


@given(cookie=st.text(min_size=1, max_size=8), header=st.sampled_from(["", "x", "ü"]))
@settings(max_examples=20, deadline=None)
def test_cookies_and_extra_headers_go_as_schemathesis_sends_them(cookie: str, header: str) -> None:
    """Cookies go to schemathesis's own transport; the answer is the same either way."""
    case = ACCOUNT.Case(cookies={"session": cookie}, headers={"X-Extra": header} if header else None)
    sent_alike(case, None)


def test_event_streams_are_read_only_to_the_limit_and_closed() -> None:
    """An endless event stream ends at schemathesis's event limit, and the app's iterator is closed."""
    closed: list[bool] = []

    class Endless:
        def __iter__(self) -> Any:
            return (b"data: %d\n\n" % n for n in itertools.count())

        def close(self) -> None:
            closed.append(True)

    def streaming(environ: dict[str, Any], start_response: Any) -> Endless:
        start_response("200 OK", [("Content-Type", "text/event-stream")])
        return Endless()

    response = LEAN.send(ACCOUNT.Case(), app=streaming, timeout=5)
    assert response.stream_cut_short
    assert response.content.startswith(b"data: 0\n\n")
    assert closed == [True]


def test_only_marked_apps_get_the_lean_transport() -> None:
    install()
    install()  # twice changes nothing

    def plain(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        return []

    def marked(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        return []

    mark(marked)
    assert schemathesis_transport.get(marked) is LEAN
    assert schemathesis_transport.get(plain) is WSGI_TRANSPORT
    assert schemathesis_transport.get(None) is REQUESTS_TRANSPORT


def test_the_run_sends_through_the_lean_transport() -> None:
    doc = yaml.safe_load(SPEC.read_text())
    spec = SpecUnderTest(version="v3.0", build=None, source=str(SPEC), doc=doc)
    target = build_target(spec, base_url=None, api_key=None, allow_writes=True)
    assert schemathesis_transport.get(target.app) is LEAN
