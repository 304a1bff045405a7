"""Slow and idle clients cannot stop the server: 1,010 idle connections, or a slow-loris client
trickling header bytes, and a normal GET still answers within a few seconds. Loopback only, bounded
time, every socket closed."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from mockserver import create_app
from mockserver.http import connection_guard
from mockserver.http.serve import serve_in_thread
from tests.conftest import real_build
from tests.serve.mock_client import READ, mock_process

IDLE_CONNECTIONS = 1010
ANSWER_WITHIN = 5.0


@contextlib.contextmanager
def idle_sockets(host: str, port: int, count: int) -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.settimeout(5)
            sock.connect((host, port))  # the kernel completes it from the backlog even when not accepted
            opened.append(sock)
        yield opened
    finally:
        for sock in opened:
            sock.close()


def _timed_get(url: str) -> float:
    started = time.monotonic()
    response = requests.get(url, headers=READ, timeout=ANSWER_WITHIN)
    assert response.status_code == 200
    return time.monotonic() - started


def test_a_thousand_idle_connections_do_not_stop_normal_requests() -> None:
    with mock_process("--spec", str(real_build("v3.0", 30855))) as mock:
        parts = urlsplit(mock.base_url)
        url = f"{mock.base_url}/api/v3.0/account"
        with idle_sockets(parts.hostname or "127.0.0.1", parts.port or 0, IDLE_CONNECTIONS):
            time.sleep(0.5)  # let the server accept what it will
            try:
                elapsed = [_timed_get(url) for _ in range(3)]
            except requests.RequestException as exc:
                pytest.fail(
                    f"no answer within {ANSWER_WITHIN} s behind {IDLE_CONNECTIONS} idle connections: {exc}"
                )
        assert max(elapsed) < ANSWER_WITHIN
        code, _, stderr = mock.stop()
        assert code == 0
        assert "connection limit 500" in stderr and "closing" in stderr


def test_a_slow_loris_client_is_cut_off_after_the_header_timeout(monkeypatch) -> None:
    monkeypatch.setattr(connection_guard, "HEADER_TIMEOUT", 1.5)
    app = create_app([str(real_build("v3.0", 30855))])
    with serve_in_thread(app) as (base_url, _stop):
        parts = urlsplit(base_url)
        with idle_sockets(parts.hostname or "127.0.0.1", parts.port or 0, 20) as slow:
            for sock in slow:
                sock.sendall(b"GET /api/v3.0/account HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            deadline = time.monotonic() + 8
            cut = set()
            while time.monotonic() < deadline and len(cut) < len(slow):
                for n, sock in enumerate(slow):
                    if n in cut:
                        continue
                    try:
                        sock.sendall(
                            b"X-Slow: 1\r\n"
                        )  # a byte now and then keeps waitress's idle timer fresh
                        sock.settimeout(0.05)
                        if sock.recv(1) == b"":
                            cut.add(n)
                    except TimeoutError:
                        pass
                    except OSError:
                        cut.add(n)
                time.sleep(0.2)
            assert len(cut) == len(slow), f"{len(slow) - len(cut)} slow clients still connected after 8 s"
            assert _timed_get(f"{base_url}/api/v3.0/account") < ANSWER_WITHIN
