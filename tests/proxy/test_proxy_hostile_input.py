"""Hostile input at the proxy: too-deep JSON, an expectation with no body, a control character in the path.

Each is answered (never a hang, a bare 500 or a traceback) and recorded like any exchange.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from contracts.json_depth import MAX_JSON_DEPTH, too_deep
from contracts.proxy.app import VERDICT_HEADER
from mockserver.http.serve import serve_in_thread
from tests.proxy.broken_target import broken_target
from tests.proxy.proxy_helpers import running_proxy

CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
WRITE = {"X-API-Key": "dev-write", "Content-Type": "application/json"}


@pytest.fixture
def target_url() -> Iterator[str]:
    with serve_in_thread(broken_target, threads=2) as running:
        yield running.base_url


def _nested(depth: int) -> bytes:
    return b'{"a":' * (depth - 1) + b"[]" + b"}" * (depth - 1)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 256, 300, 5000])
def test_a_too_deep_request_body_is_a_400_naming_the_limit_and_is_recorded(
    target_url: str, v3_doc: dict[str, Any], tmp_path: Path, depth: int
) -> None:
    log = tmp_path / "p.jsonl"
    with running_proxy(target_url, {"v3.0": v3_doc}, log=log) as proxy:
        refused = requests.post(
            proxy.url + "/api/v3.0/building", data=_nested(depth), headers=WRITE, timeout=10
        )
        after = requests.get(proxy.url + "/api/v3.0/folder", timeout=10)  # the proxy goes on
    assert refused.status_code == 400, refused.text
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert f"deeper than {MAX_JSON_DEPTH} levels (the limit)" in refused.json()["detail"]
    assert after.status_code == 200
    record = json.loads(log.read_text().splitlines()[0])
    assert record["forwarded"] is False and record["status"] == 400
    assert record["violations"][0]["location"] == "body"


def test_a_body_at_the_limit_is_checked_and_forwarded(target_url: str, v3_doc: dict[str, Any]) -> None:
    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        response = requests.post(
            proxy.url + "/api/v3.0/building", data=_nested(MAX_JSON_DEPTH), headers=WRITE, timeout=10
        )
    assert response.status_code == 418  # the target's own answer: forwarded
    assert response.headers[VERDICT_HEADER].startswith("violations=")


def test_depth_is_measured_outside_strings() -> None:
    assert not too_deep(json.dumps({"text": "[" * 1000 + '\\"{' * 500}).encode())
    assert not too_deep(b"[]" * 10_000)  # wide is not deep
    assert too_deep(b"[" * 129 + b"]" * 129) and not too_deep(b"[" * 128 + b"]" * 128)
    assert too_deep("[" * 200)  # unclosed: measured as it stands, the parser says the rest


def _raw_exchange(url: str, request: bytes, then: bytes = b"") -> bytes:
    """Send raw bytes (and ``then`` after a 100 Continue); the final answer whole, b'' on a timeout."""
    host, port = url.split("://")[1].rsplit(":", 1)
    data = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        try:
            while not _complete(data.replace(CONTINUE, b"")):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
                if data.startswith(CONTINUE) and then:
                    sock.sendall(then)
                    then = b""
        except TimeoutError:
            return b""
    return data.replace(CONTINUE, b"")


def _complete(answer: bytes) -> bool:
    head, sep, body = answer.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return True


@pytest.mark.parametrize(
    "head",
    [
        b"GET /api/v3.0/folder HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
        b"POST /api/v3.0/folder HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
        b"DELETE /echo/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
    ],
)
def test_expect_100_continue_without_a_body_is_answered(
    target_url: str, v3_doc: dict[str, Any], head: bytes
) -> None:
    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        answer = _raw_exchange(proxy.url, head)
    assert answer.startswith(b"HTTP/1.1 "), "no answer in 10 s"
    assert not answer.startswith(b"HTTP/1.1 5")


def test_expect_100_continue_with_a_body_still_waits_for_it(target_url: str, v3_doc: dict[str, Any]) -> None:
    head = b"PUT /echo/x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        answer = _raw_exchange(proxy.url, head, then=b"hello")
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["bytes"] == 5  # the body came after the 100


@pytest.mark.parametrize("char", [b"\x7f", b"\x01", b"\x1f"])
def test_a_control_character_in_the_path_is_a_400_not_a_502(
    target_url: str, v3_doc: dict[str, Any], char: bytes
) -> None:
    request = b"GET /api/v3.0/fol" + char + b"der HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        answer = _raw_exchange(proxy.url, request)
        counted = proxy.reporter.exchanges
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    problem = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert f"control character 0x{char[0]:02x}" in problem["detail"]
    assert counted == 1  # recorded like any exchange
