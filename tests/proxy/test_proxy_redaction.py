"""Keys never reach the log or the recording: by the name that carries them, in every encoding."""

from __future__ import annotations

import base64
import json
import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.proxy.redaction import REDACTED, looks_like_credential, scrub, secrets_in
from mockserver.http.serve import serve_in_thread
from tests.proxy.broken_target import broken_target
from tests.proxy.proxy_helpers import running_proxy

KEY = "k3y+With/slash=="  # what base64 keys hold: '+', '/', '='


def _lower_hex(encoded: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded)


@pytest.fixture
def target_url() -> Iterator[str]:
    with serve_in_thread(broken_target, threads=2) as running:
        yield running.base_url


def _written(tmp_path: Path) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    har = json.loads((tmp_path / "s.har").read_text())
    log = [json.loads(line) for line in (tmp_path / "s.jsonl").read_text().splitlines()]
    return (tmp_path / "s.har").read_text() + (tmp_path / "s.jsonl").read_text(), har, log


@pytest.mark.parametrize("name", ["x-api-key", "X-API-Key", "api-token", "subscription-key", "auth"])
def test_a_key_in_a_query_parameter_is_redacted_in_url_query_string_and_log(
    target_url: str, v3_doc: dict[str, Any], tmp_path: Path, name: str
) -> None:
    secret = "qk-5b1d9e77"
    with running_proxy(
        target_url, {"v3.0": v3_doc}, record=tmp_path / "s.har", log=tmp_path / "s.jsonl"
    ) as proxy:
        echoed = requests.get(f"{proxy.url}/echo/x?take=5&{name}={secret}", timeout=10).json()
    assert echoed["uri"] == f"/echo/x?take=5&{name}={secret}"  # the target still gets it
    text, har, log = _written(tmp_path)
    assert secret not in text
    request = har["log"]["entries"][0]["request"]
    assert request["url"].endswith(f"/echo/x?take=5&{name}={REDACTED}")
    assert {"name": name, "value": REDACTED} in request["queryString"]
    assert {"name": "take", "value": "5"} in request["queryString"]  # other parameters kept
    assert log[0]["query"] == f"take=5&{name}={REDACTED}"


def test_a_key_is_scrubbed_percent_encoded_json_escaped_and_from_basic_credentials(
    target_url: str, v3_doc: dict[str, Any], tmp_path: Path
) -> None:
    basic_key = "basic-pass/9+z"
    basic = base64.b64encode(f"client:{basic_key}".encode()).decode()
    body = json.dumps({"key": KEY, "again": basic_key}).replace("/", "\\/")  # '\/' as some writers do
    with running_proxy(
        target_url, {"v3.0": v3_doc}, record=tmp_path / "s.har", log=tmp_path / "s.jsonl"
    ) as proxy:
        for path in (quote(KEY, safe=""), _lower_hex(quote(KEY, safe="")), quote_plus(basic_key)):
            response = requests.post(
                f"{proxy.url}/echo/{path}?note={quote(basic_key, safe='')}",
                data=body,
                headers={
                    "X-API-Key": KEY,
                    "Authorization": f"Basic {basic}",
                    "Content-Type": "application/json",
                },
                timeout=10,
            )
            assert response.status_code == 200
    text, har, _ = _written(tmp_path)
    encodings = {
        KEY,
        basic_key,
        basic,
        quote(KEY, safe=""),
        _lower_hex(quote(KEY, safe="")),
        quote_plus(basic_key),
        quote(basic_key, safe=""),
        KEY.replace("/", "\\/"),
        basic_key.replace("/", "\\/"),
    }
    for encoded in encodings:
        assert encoded not in text, encoded
    for entry in har["log"]["entries"]:
        assert entry["request"]["url"].endswith(f"/echo/{REDACTED}?note={REDACTED}")
        assert json.loads(entry["request"]["postData"]["text"]) == {"key": REDACTED, "again": REDACTED}


_SECRET = st.text(
    alphabet=string.ascii_letters + string.digits + "+/=-_.~ é", min_size=6, max_size=24
).filter(lambda s: s.strip() == s)
_ENCODINGS = [
    lambda s: s,
    lambda s: quote(s, safe=""),
    lambda s: _lower_hex(quote(s, safe="")),
    lambda s: quote(s, safe="/+="),
    lambda s: quote_plus(s),
    lambda s: json.dumps(s)[1:-1],
    lambda s: json.dumps(s).replace("/", "\\/")[1:-1],
    lambda s: json.dumps(s, ensure_ascii=True)[1:-1],
]


@settings(max_examples=200, deadline=None)
@given(
    secret=_SECRET,
    encode=st.sampled_from(_ENCODINGS),
    around=st.tuples(st.text(max_size=8), st.text(max_size=8)),
)
def test_any_key_in_any_encoding_is_scrubbed(secret: str, encode: Any, around: tuple[str, str]) -> None:
    secrets = secrets_in([("X-API-Key", secret)])
    text = around[0] + encode(secret) + around[1]
    scrubbed = scrub(text, secrets)
    assert REDACTED in scrubbed and encode(secret) not in scrubbed


@pytest.mark.parametrize(
    "name",
    [
        "x-api-key",
        "X-API-Key",
        "api-token",
        "subscription-key",
        "auth",
        "apiKey",
        "access_token",
        "Ocp-Apim-Subscription-Key",
        "client_secret",
        "password",
        "sig",
        "X-Auth-Token",
    ],
)
def test_credential_looking_names_are_secret(name: str) -> None:
    assert looks_like_credential(name)


@pytest.mark.parametrize("name", ["take", "skip", "externalId", "author", "keyword", "Content-Type", "name"])
def test_ordinary_names_are_kept(name: str) -> None:
    assert not looks_like_credential(name)
