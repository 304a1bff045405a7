"""Reads answered in the server's event loop: which requests go inline, order kept, nothing held."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import requests

from mockserver import create_app
from mockserver.admin.faults import FaultInjector
from mockserver.http.inline import reads_inline, reads_under_api
from mockserver.http.serve import MockServer, serve_in_thread
from tests.conftest import PROJECT_ROOT

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
DELAYED = {"status": 200, "body": {}, "delay_ms": 1500}


def thread_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Answers with the name of the thread that ran it; ``/api/slow-write`` takes 1 s."""
    if environ["PATH_INFO"] == "/api/slow-write":
        time.sleep(1.0)
    length = int(environ.get("CONTENT_LENGTH") or 0)
    sent = environ["wsgi.input"].read(length) if length else b""
    thread = threading.current_thread().name
    body = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']} {len(sent)} {thread}"
    headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("X-Thread", thread)]
    start_response("200 OK", headers)
    return [body.encode()]


def answered_by(base_url: str, method: str, path: str, **kwargs: Any) -> str:
    return requests.request(method, base_url + path, timeout=10, **kwargs).headers["X-Thread"]


def test_bodyless_reads_under_api_are_answered_by_the_loop_and_the_rest_by_workers() -> None:
    with serve_in_thread(thread_app, inline=reads_under_api) as (base_url, _):
        loop = answered_by(base_url, "GET", "/api/v3.0/building")
        assert loop.startswith("mock-server:")  # serve_in_thread's loop thread
        assert answered_by(base_url, "HEAD", "/api/v3.0/building") == loop
        for method, path, extra in [
            ("POST", "/api/v3.0/building", {"data": b"{}"}),
            ("PUT", "/api/v3.0/building/1", {"data": b"{}"}),
            ("DELETE", "/api/v3.0/building/1", {}),
            ("GET", "/__mock/requests", {}),
            ("GET", "/", {}),
            ("GET", "/api/v3.0/building", {"data": b"a body"}),  # a GET with a body is not bounded
        ]:
            assert answered_by(base_url, method, path, **extra).startswith("waitress-"), (method, path)


def test_without_the_rule_every_request_is_answered_by_a_worker() -> None:
    with serve_in_thread(thread_app) as (base_url, _):
        assert answered_by(base_url, "GET", "/api/v3.0/building").startswith("waitress-")


def test_pipelined_requests_on_one_connection_are_answered_in_order() -> None:
    """Reads (inline) and writes (on workers) sent back to back come back in the order sent."""
    sent = [
        ("GET", "/api/a", b""),
        ("POST", "/api/slow-write", b"12345"),
        ("GET", "/api/b", b""),
        ("PUT", "/api/c", b"xy"),
        ("GET", "/api/d", b""),
    ]
    wire = b"".join(
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
        for method, path, body in sent
    )
    with serve_in_thread(thread_app, inline=reads_under_api) as (base_url, _):
        host, port = base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as conn:
            conn.sendall(wire)
            received = b""
            deadline = time.monotonic() + 10
            while received.count(b"HTTP/1.1 200") < len(sent) or not received.endswith(
                b"mock-server:" + port.encode()
            ):
                chunk = conn.recv(65536)
                assert chunk and time.monotonic() < deadline, received
                received += chunk
    bodies = [part.split(b"\r\n\r\n", 1)[1].decode() for part in received.split(b"HTTP/1.1 200 OK")[1:]]
    assert [b.rsplit(" ", 1)[0] for b in bodies] == [f"{m} {p} {len(b)}" for m, p, b in sent]
    threads = [b.rsplit(" ", 1)[1] for b in bodies]
    assert [t.startswith("mock-server:") for t in threads] == [True, False, True, False, True]


def test_a_slow_write_on_a_worker_does_not_hold_the_reads() -> None:
    with serve_in_thread(thread_app, inline=reads_under_api) as (base_url, _):
        writer = threading.Thread(
            target=requests.post, args=(base_url + "/api/slow-write",), kwargs={"timeout": 10}
        )
        writer.start()
        time.sleep(0.2)
        started = time.monotonic()
        for n in range(20):
            assert requests.get(f"{base_url}/api/read/{n}", timeout=10).status_code == 200
        elapsed = time.monotonic() - started
        still_writing = writer.is_alive()
        writer.join(10)
    assert still_writing, f"the 20 reads took {elapsed:.2f} s: they waited for the write"


def test_the_mock_answers_its_reads_inline_unless_a_wait_is_asked_for() -> None:
    app = create_app([V3])
    quick = reads_inline(app)

    class Parsed:
        def __init__(self, command: str, path: str, content_length: int = 0) -> None:
            self.command, self.path, self.content_length = command, path, content_length
            self.error, self.chunked = None, False

    assert quick(Parsed("GET", "/api/v3.0/building"))
    assert quick(Parsed("HEAD", "/api/v3.0/building"))
    assert not quick(Parsed("POST", "/api/v3.0/building", 12))
    assert not quick(Parsed("GET", "/__mock/requests"))
    assert reads_inline(app, FaultInjector(app, latency_ms=50)) is None  # every read waits: all on threads
    assert reads_inline(app, FaultInjector(app, error_rate=0.5))(Parsed("GET", "/api/v3.0/building"))
    stubs = app.extensions["mockserver"]["stubs"]
    stubs.add({"match": {"method": "GET", "path": "/api/v3.0/account"}, "answer": DELAYED, "unchecked": True})
    assert not quick(Parsed("GET", "/api/v3.0/building"))  # a delayed stub waits: on a worker


def test_a_delayed_stub_does_not_hold_the_other_reads() -> None:
    app = create_app([V3])
    stubs = app.extensions["mockserver"]["stubs"]
    stubs.add({"match": {"method": "GET", "path": "/api/v3.0/account"}, "answer": DELAYED, "unchecked": True})
    with serve_in_thread(app, inline=reads_inline(app)) as (base_url, _):
        key = {"X-API-Key": "dev-read"}
        waiting = threading.Thread(
            target=requests.get,
            args=(base_url + "/api/v3.0/account",),
            kwargs={"headers": key, "timeout": 10},
        )
        waiting.start()
        time.sleep(0.2)
        assert requests.get(base_url + "/api/v3.0/folder", headers=key, timeout=10).status_code == 200
        assert waiting.is_alive()  # the folder list did not wait for the delayed stub
        waiting.join(10)


def test_after_a_slow_inline_read_the_reads_go_to_workers_for_a_while() -> None:
    """A read that turns out long (an import its job reaches) holds the loop once, not every time."""
    calls: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/api/slow" and not calls:
            time.sleep(0.2)
        calls.append(environ["PATH_INFO"])
        return thread_app(environ, start_response)

    server = MockServer(app, "127.0.0.1", 0, inline=reads_under_api)
    assert server.inline is not None
    server.inline.cool_off = 1.0
    runner = threading.Thread(target=server.serve, daemon=True)
    runner.start()
    try:
        base_url = server.base_url
        assert answered_by(base_url, "GET", "/api/slow") == runner.name  # answered in the loop: 0.2 s
        assert answered_by(base_url, "GET", "/api/fast").startswith("waitress-")  # cooling off: a worker
        time.sleep(1.1)
        assert answered_by(base_url, "GET", "/api/fast") == runner.name  # back in the loop
    finally:
        server.stop()
        runner.join(10)
