"""The forwarder's retries through urllib3's ``Retry``: every ``Retry-After`` form, the cap, the counts.

The properties drive ``PolicyRetry`` the way urllib3's connection pool does (``increment`` on an
answer, then ``sleep``); the end-to-end tests send real requests through ``HttpForwarder``.
"""

from __future__ import annotations

import email.utils
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st
from urllib3.response import HTTPResponse
from werkzeug.test import Client

from contracts.runner.retrying import PolicyRetry, RetryJournal
from contracts.runner.transport import (
    BARE_429_HEADER,
    TIMEOUT_HEADER,
    HttpForwarder,
    RetryPolicy,
    TargetUnreachable,
)
from tests.runner.broken_api import serve_wsgi
from tests.runner.scripted import scripted_app

NOW = 1_700_000_000
POLICY = RetryPolicy(retries=3, backoff=0.5, max_wait=30.0)


def first_wait(retry_after: str | None, *, status: int = 429, policy: RetryPolicy = POLICY) -> list[float]:
    """The waits ``PolicyRetry`` makes after one answer, as urllib3's pool drives it."""
    waits: list[float] = []
    retry = PolicyRetry.for_policy(
        retries=policy.retries,
        max_wait=policy.max_wait,
        wait_for=policy.wait_for,
        pause=waits.append,
        clock=lambda: NOW,
    )
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    answer = HTTPResponse(body=b"", headers=headers, status=status, preload_content=False)
    if retry.is_retry("GET", status, has_retry_after=bool(retry_after)):
        retry.increment("GET", "/x", response=answer).sleep(answer)
    return waits


@given(st.integers(min_value=0, max_value=10**30))
def test_seconds_are_waited_up_to_the_cap(seconds: int) -> None:
    assert first_wait(str(seconds)) == [min(float(seconds), POLICY.max_wait)]


@given(st.integers(min_value=4301, max_value=6000))
def test_a_number_too_long_for_int_is_the_longest_wait(digits: int) -> None:
    assert first_wait("9" * digits) == [POLICY.max_wait]


@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_an_http_date_is_measured_against_the_clock(delta: int) -> None:
    header = email.utils.formatdate(NOW + delta, usegmt=True)
    assert first_wait(header) == [min(float(max(delta, 0)), POLICY.max_wait)]


def test_an_http_date_without_an_injected_clock_uses_the_wall_clock() -> None:
    waits: list[float] = []
    retry = PolicyRetry.for_policy(retries=1, max_wait=30.0, wait_for=POLICY.wait_for, pause=waits.append)
    answer = HTTPResponse(
        headers={"Retry-After": email.utils.formatdate(time.time() + 20, usegmt=True)}, status=503
    )
    retry.increment("GET", "/x", response=answer).sleep(answer)
    assert waits and 18 <= waits[0] <= 20


@given(st.text(max_size=40))
def test_any_value_gives_a_bounded_wait_and_no_error(value: str) -> None:
    waits = first_wait(value)
    assert len(waits) == 1 and 0.0 <= waits[0] <= POLICY.max_wait
    if not re.search(r"[0-9]", value):  # neither seconds nor a date: the first backoff
        assert waits == [POLICY.backoff]


@pytest.mark.parametrize("value", ["soon", "-5", "1.5", "²", "٣", "", "Mon, 01 Jan 10000 00:00:00 GMT"])
def test_unreadable_values_back_off_or_cap(value: str) -> None:
    expected = POLICY.max_wait if "10000" in value else POLICY.backoff
    assert first_wait(value) == [expected]


def test_zero_means_at_once_not_the_backoff() -> None:
    """urllib3 reads ``Retry-After: 0`` as no header and backs off; the server asked for no wait."""
    assert first_wait("0") == [0.0]


@pytest.mark.parametrize("status", [413, 500, 502, 504])
def test_only_429_and_503_are_retried(status: int) -> None:
    assert first_wait("1", status=status) == []


def test_the_hooks_and_the_journal_survive_every_attempt() -> None:
    waits: list[float] = []
    journal = RetryJournal()
    retry = PolicyRetry.for_policy(
        retries=3, max_wait=30.0, wait_for=POLICY.wait_for, pause=waits.append, journal=journal
    )
    bare = HTTPResponse(headers={}, status=429)
    for _ in range(3):
        retry = retry.increment("POST", "/x", response=bare)
        retry.sleep(bare)
    assert waits == [0.5, 1.0, 2.0]
    assert journal.retries == 3 and journal.waited == 3.5 and journal.bare_429
    assert retry.journal is journal and retry.total == 0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("7", 7.0),
        (email.utils.formatdate(NOW + 4, usegmt=True), 4.0),
        (email.utils.formatdate(NOW - 60, usegmt=True), 0.0),
        ("0", 0.0),
        ("in a while", 0.5),
        ("99999999999999999999", 30.0),
    ],
)
def test_the_forwarder_waits_what_retry_after_says(header: str, expected: float) -> None:
    app = scripted_app([(503, {"Retry-After": header})])
    waits: list[float] = []
    with serve_wsgi(app) as url:
        forwarder = HttpForwarder(url, POLICY, sleep=waits.append, clock=lambda: NOW)
        response = Client(forwarder).get("/api/v3.0/account")
    assert response.status_code == 200 and waits == [expected]
    assert forwarder.waited == expected and len(app.config["calls"]) == 2


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_writes_are_retried_on_429_and_503_as_reads_are(method: str) -> None:
    app = scripted_app([(429, {"Retry-After": "1"}), (503, {"Retry-After": "2"})])
    waits: list[float] = []
    with serve_wsgi(app) as url:
        response = Client(HttpForwarder(url, POLICY, sleep=waits.append)).open(
            "/api/v3.0/account", method=method
        )
    assert response.status_code == 200 and waits == [1.0, 2.0]
    assert app.config["calls"] == [method] * 3


def test_a_413_with_retry_after_is_the_answer_not_retried() -> None:
    app = scripted_app([(413, {"Retry-After": "1"})])
    waits: list[float] = []
    with serve_wsgi(app) as url:
        response = Client(HttpForwarder(url, POLICY, sleep=waits.append)).post("/api/v3.0/account")
    assert response.status_code == 413 and waits == [] and len(app.config["calls"]) == 1


def test_each_request_starts_with_a_clean_journal() -> None:
    app = scripted_app([(429, {}), (200, {}), (429, {"Retry-After": "1"})])
    waits: list[float] = []
    with serve_wsgi(app) as url:
        client = Client(HttpForwarder(url, POLICY, sleep=waits.append))
        marked = client.get("/api/v3.0/account")
        polite = client.get("/api/v3.0/account")
    assert BARE_429_HEADER in marked.headers and BARE_429_HEADER not in polite.headers
    assert waits == [0.5, 1.0]


def test_a_lost_host_names_the_attempts_made() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    forwarder = HttpForwarder(f"http://127.0.0.1:{port}", RetryPolicy(retries=2), sleep=lambda _s: None)
    with pytest.raises(TargetUnreachable, match="after 3 attempts"):
        Client(forwarder).post("/api/v3.0/account?x=1")
    assert forwarder.lost is not None and forwarder.lost.endswith("(on POST /api/v3.0/account)")


@contextmanager
def stalling_server(*, send_headers: bool) -> Iterator[tuple[str, list[int]]]:
    """A server that never finishes its answer: silent, or headers and then nothing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.05)
        held = []
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(1)
            conn.recv(65536)
            if send_headers:
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"
                )
            held.append(conn)
        for conn in held:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join()
        server.close()


@pytest.mark.parametrize("send_headers", [False, True], ids=["no-answer", "body-stalls"])
def test_a_read_timeout_is_the_finding_never_retried(send_headers: bool) -> None:
    waits: list[float] = []
    with stalling_server(send_headers=send_headers) as (url, accepted):
        forwarder = HttpForwarder(url, RetryPolicy(retries=3, timeout=0.2), sleep=waits.append)
        response = Client(forwarder).get("/api/v3.0/account")
    assert response.status_code == 504 and response.headers[TIMEOUT_HEADER] == "0.2"
    assert waits == [] and len(accepted) == 1 and forwarder.lost is None
