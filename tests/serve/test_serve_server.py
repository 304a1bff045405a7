"""The waitress server wrapper: background serving on a free port, concurrency, clean stop, port errors."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from contracts.errors import ContractsError
from mockserver.auth.tokens import DEFAULT_TOKENS, Token
from mockserver.http.serve import MockServer, format_banner, serve_in_thread


def echo_app(environ, start_response):
    body = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}".encode()
    if environ["PATH_INFO"] == "/slow":
        time.sleep(0.3)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def test_serve_in_thread_uses_a_free_port_and_stops() -> None:
    with serve_in_thread(echo_app) as (base_url, stop):
        assert base_url.startswith("http://127.0.0.1:")
        assert requests.get(base_url + "/hello", timeout=5).text == "GET /hello"
        port = int(base_url.rsplit(":", 1)[1])
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/hello", timeout=2)


def test_two_servers_run_side_by_side() -> None:
    with serve_in_thread(echo_app) as first, serve_in_thread(echo_app) as second:
        assert first.base_url != second.base_url
        assert requests.get(second.base_url + "/b", timeout=5).text == "GET /b"
        first.stop()
        assert requests.get(second.base_url + "/still", timeout=5).status_code == 200


def test_many_concurrent_clients_are_all_answered() -> None:
    with serve_in_thread(echo_app) as (base_url, _), ThreadPoolExecutor(64) as pool:
        bodies = list(pool.map(lambda n: requests.get(f"{base_url}/n{n}", timeout=10).text, range(300)))
    assert bodies == [f"GET /n{n}" for n in range(300)]


def test_stop_lets_a_running_request_finish() -> None:
    with serve_in_thread(echo_app) as (base_url, stop):
        result: dict[str, str] = {}
        client = threading.Thread(
            target=lambda: result.update(text=requests.get(base_url + "/slow", timeout=5).text)
        )
        client.start()
        time.sleep(0.1)
        stop()
        client.join(5)
    assert result.get("text") == "GET /slow"


def test_a_port_in_use_is_one_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ContractsError, match=f"127.0.0.1:{port}: the port is already in use"):
            MockServer(echo_app, "127.0.0.1", port)


@pytest.mark.parametrize(
    ("host", "port", "message"),
    [("127.0.0.1", 70000, "between 0 and 65535"), ("no.such.host.invalid", 0, "cannot listen")],
)
def test_bad_listen_address_is_one_clear_error(host: str, port: int, message: str) -> None:
    with pytest.raises(ContractsError, match=message):
        MockServer(echo_app, host, port)


def test_banner_shows_builtin_tokens_in_clear_and_file_tokens_masked() -> None:
    common = dict(
        base_url="http://127.0.0.1:8080",
        specs=[("v3.0", "30855", 35, "specs/v3.0/build-30855.json"), ("v4.0", None, 30, "x.yaml")],
        store="memory",
        seed=3,
        admin=True,
        faults="none",
        threads=8,
        startup_seconds=0.25,
    )
    builtin = format_banner(tokens=DEFAULT_TOKENS, tokens_in_clear=True, **common)
    assert "http://127.0.0.1:8080/api/v3.0/" in builtin and "build 30855" in builtin
    assert "dev-read" in builtin and "dev-write" in builtin
    assert "ready in 250 ms" in builtin and "/__mock/" in builtin
    assert "Console: http://127.0.0.1:8080/__mock/console" in builtin
    secret = Token(key="super-secret-key-123", name="ci", permission="write", scope="building:abc")
    from_file = format_banner(tokens=(secret,), tokens_in_clear=False, **{**common, "admin": False})
    assert "super-secret-key-123" not in from_file and secret.masked() in from_file
    assert "building:abc" in from_file and "Admin: off" in from_file and "Console" not in from_file


def test_a_server_that_never_served_stops_at_once_and_frees_its_port() -> None:
    server = MockServer(echo_app)
    port = server.port
    started = time.perf_counter()
    server.stop()
    assert time.perf_counter() - started < 1
    MockServer(echo_app, "127.0.0.1", port).stop()  # the port is free again
