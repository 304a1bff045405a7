"""The WSGI layers: key injection, write guard, retries with bounded Retry-After, creation tracking."""

from __future__ import annotations

import email.utils

import flask
import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.test import Client

from contracts.runner.gate import prefix_names
from contracts.runner.transport import (
    KEY_PLACEHOLDER,
    HttpForwarder,
    KeyInjector,
    RetryPolicy,
    TargetUnreachable,
    WriteBlocked,
    WriteGuard,
    parse_retry_after,
)
from tests.runner.broken_api import serve_wsgi
from tests.runner.scripted import scripted_app


def echo_app() -> flask.Flask:
    app = flask.Flask("echo")

    @app.route("/<path:path>", methods=["GET", "HEAD", "POST", "PUT", "DELETE"])
    def echo(path: str) -> object:
        return {"key": flask.request.headers.get("X-API-Key"), "method": flask.request.method}

    return app


@given(st.integers(min_value=0, max_value=10**6))
def test_retry_after_seconds(seconds: int) -> None:
    assert parse_retry_after(str(seconds)) == float(seconds)


@given(st.integers(min_value=0, max_value=10**5))
def test_retry_after_http_date(delta: int) -> None:
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + delta, usegmt=True)
    assert parse_retry_after(header, now=now) == pytest.approx(delta, abs=1)


@pytest.mark.parametrize("value", [None, "", "soon", "-5"])
def test_retry_after_invalid_is_none(value: str | None) -> None:
    assert parse_retry_after(value) is None


@given(st.integers(min_value=0, max_value=10), st.one_of(st.none(), st.floats(min_value=0, max_value=1e6)))
def test_waits_are_bounded(attempt: int, retry_after: float | None) -> None:
    policy = RetryPolicy(max_wait=30.0)
    assert 0.0 <= policy.wait_for(attempt, retry_after) <= 30.0


def test_key_injector_replaces_only_the_placeholder() -> None:
    client = Client(KeyInjector(echo_app(), "real-key"))
    assert client.get("/x", headers={"X-API-Key": KEY_PLACEHOLDER}).json["key"] == "real-key"
    assert client.get("/x", headers={"X-API-Key": "other"}).json["key"] == "other"
    assert client.get("/x").json["key"] is None
    assert "real-key" not in repr(KeyInjector(echo_app(), "real-key"))


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_write_guard_refuses_everything_but_get_and_head(method: str) -> None:
    guard = WriteGuard(echo_app())
    with pytest.raises(WriteBlocked):
        Client(guard).open("/x", method=method)
    assert guard.blocked == [f"{method} /x"]
    assert Client(guard).get("/x").status_code == 200
    assert Client(guard).head("/x").status_code == 200


@pytest.mark.parametrize("status", [429, 503])
def test_forwarder_honours_retry_after_with_a_bound(status: int) -> None:
    app = scripted_app([(status, {"Retry-After": "2"}), (status, {"Retry-After": "3600"})])
    waits: list[float] = []
    with serve_wsgi(app) as url:
        forwarder = HttpForwarder(url, RetryPolicy(retries=3, max_wait=5.0), sleep=waits.append)
        response = Client(forwarder).get("/api/v3.0/account")
    assert response.status_code == 200
    assert waits == [2.0, 5.0]
    assert len(app.config["calls"]) == 3


def test_forwarder_gives_up_after_bounded_retries() -> None:
    app = scripted_app([(429, {})] * 10)
    waits: list[float] = []
    with serve_wsgi(app) as url:
        forwarder = HttpForwarder(url, RetryPolicy(retries=2, backoff=0.1), sleep=waits.append)
        response = Client(forwarder).get("/api/v3.0/account")
    assert response.status_code == 429
    assert waits == [0.1, 0.2]


def test_forwarder_reports_an_unreachable_host() -> None:
    waits: list[float] = []
    forwarder = HttpForwarder("http://127.0.0.1:9", RetryPolicy(retries=2, timeout=1), sleep=waits.append)
    with pytest.raises(TargetUnreachable):
        Client(forwarder).get("/api/v3.0/account")
    assert len(waits) == 2 and forwarder.lost


@given(st.one_of(st.none(), st.text(max_size=20)))
def test_prefix_name_always_marks_the_name(name: str | None) -> None:
    data = {"name": name, "other": 1}
    prefix_names(data, "mc-1-")
    assert data["name"].startswith("mc-1") and data["other"] == 1


def raw_uri_app() -> flask.Flask:
    app = flask.Flask("raw-uri")

    @app.route("/<path:path>", methods=["GET", "POST"])
    def echo(path: str) -> object:
        environ = flask.request.environ
        return {"raw": environ.get("RAW_URI") or environ.get("REQUEST_URI"), "path": flask.request.path}

    return app


@pytest.mark.parametrize(
    "target",
    [
        "/api/v3.0/building/%3F%C2%9F/images",
        "/api/v3.0/folder/a%23b/x",
        "/api/v3.0/folder/a%2Fb/x",
        "/api/v3.0/folder/%C3%A9t%C3%A9%20x",
        "/api/v3.0/folder/%25",
        "/api/v3.0/folder/plain?q=a+b%26c",
    ],
)
def test_forwarder_sends_exactly_the_bytes_the_case_means(target: str) -> None:
    with serve_wsgi(raw_uri_app()) as url:
        response = Client(HttpForwarder(url)).get(target)
    assert response.status_code == 200
    assert response.json["raw"] == target


@pytest.mark.parametrize("query", [{"take": "2147483648"}, {"skip": "1", "q": "a b&c"}, {"id": ["1", "2"]}])
def test_forwarder_keeps_a_query_given_apart_from_the_path(query: dict[str, object]) -> None:
    """schemathesis hands werkzeug the query as a mapping: it is then absent from the raw URI."""
    from urllib.parse import parse_qs, urlsplit

    with serve_wsgi(raw_uri_app()) as url:
        response = Client(HttpForwarder(url)).get("/api/v4.0/database/a%3Fb/commodities", query_string=query)
    raw = urlsplit(response.json["raw"])
    assert raw.path == "/api/v4.0/database/a%3Fb/commodities"
    expected = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    assert parse_qs(raw.query) == expected


@given(st.lists(st.binary(min_size=1, max_size=8), min_size=1, max_size=4))
def test_encode_path_keeps_every_segment_byte_for_byte(segments: list[bytes]) -> None:
    from urllib.parse import unquote_to_bytes

    from contracts.request_target import encode_path

    decoded = "/" + "/".join(s.decode("latin-1") for s in segments if b"/" not in s)
    encoded = encode_path(decoded)
    assert "?" not in encoded and "#" not in encoded and encoded.isascii()
    assert unquote_to_bytes(encoded) == decoded.encode("latin-1")


def test_without_a_raw_uri_the_decoded_path_is_encoded_again() -> None:
    from contracts.runner.transport import wire_target

    environ = {"PATH_INFO": "/folder/a?b#c/\xc3\xa9", "QUERY_STRING": "x=1"}
    assert wire_target(environ) == "/folder/a%3Fb%23c/%C3%A9?x=1"
