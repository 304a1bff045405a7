"""``Expect: 100-continue`` over real HTTP (waitress): a request without a body is answered at
once, one with a body still gets its 100 and is answered after the body came."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.testing import running
from tests.conftest import real_build

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


@pytest.fixture(scope="module")
def mock() -> Iterator[Any]:
    with running(specs=[str(real_build("v3.0", 30855))], threads=2) as served:
        yield served


def _exchange(base_url: str, request: bytes, then: bytes = b"") -> bytes:
    """Send raw bytes (``then`` after a 100 Continue); the final answer's head, b'' after 5 s of silence."""
    host, port = base_url.split("://")[1].rsplit(":", 1)
    data = b""
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        try:
            while b"\r\n\r\n" not in data.replace(CONTINUE, b""):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
                if data.startswith(CONTINUE) and then:
                    sock.sendall(then)
                    then = b""
            head, _, body = data.replace(CONTINUE, b"").partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                ),
                0,
            )
            while len(body) < length:
                body += sock.recv(65536)
        except TimeoutError:
            return b""
    return head + b"\r\n\r\n" + body


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (
            b"GET /api/v3.0/account HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: dev-read\r\nExpect: 100-continue\r\n\r\n",
            200,
        ),
        (
            b"POST /api/v3.0/folder HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: dev-write\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
            None,
        ),
        (
            b"DELETE /api/v3.0/folder/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: dev-write\r\nExpect: 100-continue\r\n\r\n",
            None,
        ),
        (b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n\r\n", None),
    ],
    ids=["GET", "POST-empty", "DELETE", "admin"],
)
def test_expect_100_continue_without_a_body_is_answered(mock: Any, head: bytes, status: int | None) -> None:
    answer = _exchange(mock.url, head)
    assert answer.startswith(b"HTTP/1.1 "), "no answer in 5 s"
    code = int(answer.split(b" ", 2)[1])
    assert code < 500 and (status is None or code == status), answer[:300]


def test_expect_100_continue_with_a_body_still_waits_for_it(mock: Any) -> None:
    body = json.dumps({"name": "after the 100"}).encode()  # without it the folder is made (201)
    head = (
        b"POST /api/v3.0/folder HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: dev-write\r\n"
        b"Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
    )
    answer = _exchange(mock.url, head, then=body)
    assert answer.startswith(b"HTTP/1.1 "), "no answer in 5 s"
    assert answer.startswith(b"HTTP/1.1 400 ")  # the body came after the 100 and was checked
    assert b"foldertypeId" in answer
