"""The proxy in front of a server that breaks the contract: every violation named, nothing altered."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import string
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.proxy.app import VERDICT_HEADER
from contracts.proxy.forwarding import HOP_BY_HOP
from mockserver.http.serve import serve_in_thread
from tests.proxy.broken_target import BINARY, BROKEN, UPLOAD, broken_target
from tests.proxy.proxy_helpers import running_proxy

KEY = "secret-key-4f9a2c71"
UPLOAD_BYTES = 50 * 1024 * 1024
CHUNK = 256 * 1024


@pytest.fixture
def target_url() -> Iterator[str]:
    with serve_in_thread(broken_target, threads=4) as running:
        yield running.base_url


@pytest.mark.parametrize("path", sorted(BROKEN))
def test_each_violation_is_found_and_named(target_url: str, v3_doc: dict[str, Any], path: str) -> None:
    status, _, body, (location, words) = BROKEN[path]
    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        response = requests.get(proxy.url + path, headers={"X-API-Key": KEY}, timeout=10)
    assert response.status_code == status and response.content == body  # relayed as it came
    assert response.headers[VERDICT_HEADER] == "violations=1"
    line = proxy.console.getvalue()
    assert f"GET {path} -> {status} [GET " in line
    assert f"response {location}: " in line and words in line, line


def test_request_and_response_bytes_and_headers_pass_unchanged(
    target_url: str, v3_doc: dict[str, Any]
) -> None:
    payload = bytes(range(256)) * 10 + "ünïcode".encode()
    sent = {
        "X-API-Key": KEY,
        "X-Custom": "a, b",
        "Accept": "application/json",
        "Content-Type": "application/x-odd",
    }
    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        echoed = requests.post(
            proxy.url + "/echo/p%2Fq?b=2&a=1&a=%20", data=payload, headers=sent, timeout=10
        ).json()
        binary = requests.get(proxy.url + "/binary", stream=True, timeout=10)
        raw = binary.raw.read(decode_content=False)
    assert echoed["uri"] == "/echo/p%2Fq?b=2&a=1&a=%20"  # path bytes and query as sent
    assert echoed["sha256"] == hashlib.sha256(payload).hexdigest() and echoed["bytes"] == len(payload)
    for name, value in sent.items():
        assert echoed["headers"][name.lower()] == value
    assert "connection" not in echoed["headers"]  # hop-by-hop: the proxy's own connection
    assert echoed["headers"]["host"] == target_url.split("://")[1]
    assert raw == gzip.compress(BINARY, mtime=0)  # not decoded on the way
    assert binary.headers["Content-Encoding"] == "gzip"
    assert binary.raw.headers.getlist("X-Twice") == ["a", "b"]


def test_chunked_answers_and_head_requests_pass(
    target_url: str, mock_url: str, v3_doc: dict[str, Any]
) -> None:
    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        chunked = requests.get(proxy.url + "/chunked", timeout=10)
    assert chunked.content == BINARY  # framing (chunked or a length) is hop-by-hop; the bytes are not
    read = {"X-API-Key": "dev-read"}
    direct = requests.head(mock_url + "/api/v3.0/building", headers=read, timeout=10)
    with running_proxy(mock_url, {"v3.0": v3_doc}) as proxy:
        head = requests.head(proxy.url + "/api/v3.0/building", headers=read, timeout=10)
        get = requests.get(proxy.url + "/api/v3.0/building", headers=read, timeout=10)
    # HEAD is GET without the body (RFC 9110): relayed with the GET's length and no body, and checked
    # as the GET operation without a body to validate
    assert (head.status_code, head.content) == (direct.status_code, b"") == (200, b"")
    assert head.headers["Content-Length"] == direct.headers["Content-Length"] == get.headers["Content-Length"]
    assert head.headers[VERDICT_HEADER] == "ok"
    assert get.headers[VERDICT_HEADER] == "ok"


def test_an_answer_broken_off_is_a_502_problem(target_url: str, v3_doc: dict[str, Any]) -> None:
    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        response = requests.get(proxy.url + "/api/v3.0/folder/external/short", timeout=10)
        after = requests.get(proxy.url + "/api/v3.0/folder", timeout=10)  # the proxy goes on
    assert response.status_code == 502
    assert "broke off its answer" in response.json()["detail"]
    assert after.status_code == 200


def test_a_50_mb_upload_streams_with_bounded_memory(target_url: str, v3_doc: dict[str, Any]) -> None:
    digest = hashlib.sha256()

    def generated() -> Iterator[bytes]:
        block = bytes(range(256)) * (CHUNK // 256)
        for index in range(UPLOAD_BYTES // CHUNK):
            chunk = block[index % 256 :] + block[: index % 256]
            digest.update(chunk)
            yield chunk

    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        tracemalloc.start()
        try:
            response = requests.post(
                proxy.url + UPLOAD,
                data=generated(),
                headers={"X-API-Key": KEY, "Content-Type": "application/octet-stream"},
                timeout=60,
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer == {"bytes": UPLOAD_BYTES, "sha256": digest.hexdigest(), "key": KEY}
    assert peak < 12 * 1024 * 1024, f"peak Python allocation {peak / 2**20:.1f} MiB for a 50 MiB upload"
    assert response.headers[VERDICT_HEADER] == "ok; unchecked=request-body"


def test_downloads_stream_with_memory_that_does_not_grow_with_their_size(
    target_url: str, v3_doc: dict[str, Any]
) -> None:
    """Peak Python memory (proxy and target in this process) for 16 and 64 MiB answers: far below the body.

    What there is comes from waitress's output buffers (bounded by its high watermark), not the body.
    """
    peaks = {}
    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        for mib in (16, 64):
            digest, size = hashlib.sha256(), 0
            tracemalloc.start()
            try:
                with requests.get(f"{proxy.url}/big?mib={mib}", stream=True, timeout=60) as response:
                    for chunk in response.iter_content(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                peaks[mib] = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            assert size == mib * 2**20
            assert digest.hexdigest() == hashlib.sha256(BINARY * (size // len(BINARY))).hexdigest()
    # 48 MiB more body; buffering it would add at least that. What grows is waitress's buffers
    # filling further when the reader is slower (7-10 MiB on a busy machine), bounded by their marks.
    assert peaks[64] < peaks[16] + 16 * 2**20, {k: f"{v / 2**20:.1f} MiB" for k, v in peaks.items()}
    assert peaks[64] < 40 * 2**20
    assert proxy.reporter.exchanges == 2


def test_keys_and_cookies_never_reach_the_console_log_or_recording(
    target_url: str, v3_doc: dict[str, Any], tmp_path: Path
) -> None:
    log, har = tmp_path / "proxy.jsonl", tmp_path / "session.har"
    headers = {
        "X-API-Key": KEY,
        "Authorization": "Bearer token-8d7e6f5a",
        "Cookie": "session=cookie-secret-0",
    }
    with running_proxy(target_url, {"v3.0": v3_doc}, log=log, record=har) as proxy:
        echoed = requests.get(proxy.url + f"/echo/x?token={KEY}", headers=headers, timeout=10)
        sunk = requests.post(proxy.url + UPLOAD, data=b"abc", headers=headers, timeout=10)
        requests.get(proxy.url + "/api/v3.0/account", headers=headers, timeout=10)  # a violation line
    assert echoed.json()["headers"]["x-api-key"] == KEY  # passed through to the target
    assert sunk.json()["key"] == KEY
    written = proxy.console.getvalue() + log.read_text() + har.read_text() + proxy.reporter.summary()
    for secret in (KEY, "token-8d7e6f5a", "cookie-secret-0", "cookie-secret-1"):
        assert secret not in written
    assert "[redacted]" in har.read_text()


def test_concurrent_exchanges_are_all_counted(target_url: str, v3_doc: dict[str, Any]) -> None:
    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        threads = [
            threading.Thread(
                target=requests.get, args=(proxy.url + "/api/v3.0/folder",), kwargs={"timeout": 10}
            )
            for _ in range(12)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert proxy.reporter.exchanges == 12 and proxy.reporter.with_violations == 12
    assert "12  GET /api/v3.0/folder" in proxy.reporter.summary()


_TOKEN = st.text(alphabet=string.ascii_letters + string.digits + "-", min_size=1, max_size=20).filter(
    lambda name: name.lower() not in HOP_BY_HOP | {"host", "content-length", "content-type", "expect"}
)
_VALUE = st.text(alphabet=string.ascii_letters + string.digits + " ;,=/.:_-", max_size=40).map(str.strip)


@pytest.fixture
def proxied_target(target_url: str, v3_doc: dict[str, Any]) -> Iterator[str]:
    with running_proxy(target_url, {"v3.0": v3_doc}) as proxy:
        yield proxy.url


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.binary(max_size=4096),
    # header names are case-insensitive: "X-I" and "X-i" would be one header sent twice
    headers=st.dictionaries(_TOKEN.map(lambda n: "X-" + n), _VALUE, max_size=5).filter(
        lambda h: len({name.lower() for name in h}) == len(h)
    ),
    path=st.lists(st.text(alphabet=string.ascii_letters + "%20~.-_", min_size=1, max_size=8), max_size=3),
)
def test_any_body_headers_and_path_arrive_as_sent(
    proxied_target: str, body: bytes, headers: dict[str, str], path: list[str]
) -> None:
    raw_path = "/echo/" + "/".join(path)  # sent as is: no client-side normalisation of dot segments
    host, port = proxied_target.split("://")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("PUT", raw_path, body=body, headers=headers)
        echoed = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    assert echoed["uri"] == raw_path
    assert echoed["bytes"] == len(body) and echoed["sha256"] == hashlib.sha256(body).hexdigest()
    for name, value in headers.items():
        assert echoed["headers"][name.lower().replace("_", "-")] == value


def test_a_query_given_apart_from_the_path_is_forwarded(target_url: str, v3_doc: dict[str, Any]) -> None:
    """In-process WSGI callers (werkzeug's client) leave the query out of the raw URI; it still goes out."""
    from werkzeug.test import Client

    from contracts.proxy.app import ValidatingProxy
    from contracts.proxy.contract import ContractSet
    from contracts.proxy.forwarding import Target, Upstream

    proxy = ValidatingProxy(ContractSet({"v3.0": v3_doc}), Upstream(Target.parse(target_url), timeout=10), [])
    response = Client(proxy).get("/echo/a%3Fb", query_string={"take": "5", "q": "a b&c"})
    assert response.status_code == 200
    assert response.json["uri"] == "/echo/a%3Fb?take=5&q=a+b%26c"
