"""``/__mock/as/<n>/api/...`` calls the API with a token's key, so without an admin token it must
answer the console (local Host, same origin) and nothing else: no web page of another origin and
no rebound DNS name may act as a token through it."""

from __future__ import annotations

import pytest
import requests

from mockserver.auth.tokens import DEFAULT_TOKENS
from mockserver.http.serve import serve_in_thread
from tests.mock.conftest import WRITE, body_for, real_app

WRITER = next(i for i, t in enumerate(DEFAULT_TOKENS) if t.permission == "write")
AS_WRITER = f"/__mock/as/{WRITER}/api/v3.0"
REFUSED = [
    {"Origin": "http://evil.example"},
    {"Origin": "http://localhost:9999"},  # another port is another origin
    {"Origin": "null"},  # a sandboxed frame or a file: page
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # another subdomain of the same site
    {"Host": "evil.example"},  # DNS rebinding: the page's own name
    {"Host": "127.0.0.1.evil.example:8080", "Origin": "http://127.0.0.1.evil.example:8080"},
]


@pytest.fixture(scope="module")
def app(spec_cache):
    """One app for the module: the refusals change nothing, the served calls only add folders."""
    built = real_app("v3.0", 30855, spec_cache)  # the dev tokens: no admin token, no admin key
    assert not any(t.permission == "admin" for t in built.extensions["mockserver"]["tokens"])
    return built


def _folder_body(app) -> dict:
    parent = app.test_client().get("/api/v3.0/folder", headers=WRITE).json[0]["id"]
    return body_for(app, "v3.0", "POST", "/folder", parentId=parent)


def _api_calls(app) -> int:
    return len([e for e in app.test_client().get("/__mock/requests").json if e["path"].startswith("/api/")])


@pytest.mark.parametrize("headers", REFUSED)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "OPTIONS"])
def test_foreign_pages_cannot_call_as_a_token(app, headers, method) -> None:
    body = _folder_body(app)
    folders = len(app.test_client().get("/api/v3.0/folder", headers=WRITE).json)
    calls = _api_calls(app)
    answer = app.test_client().open(f"{AS_WRITER}/folder", method=method, json=body, headers=headers)
    assert answer.status_code == 403, answer.data
    assert answer.mimetype == "application/problem+json" and answer.json["status"] == 403
    assert _api_calls(app) == calls  # the call never reached the API
    assert len(app.test_client().get("/api/v3.0/folder", headers=WRITE).json) == folders


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "localhost:8080", "Origin": "http://localhost:8080", "Sec-Fetch-Site": "same-origin"},
        {"Host": "127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"},  # a same-origin GET-like fetch
        {"Host": "[::1]:8080"},  # curl or a script on this machine
    ],
)
def test_the_console_on_this_machine_calls_as_a_token(app, headers) -> None:
    created = app.test_client().post(f"{AS_WRITER}/folder", json=_folder_body(app), headers=headers)
    assert created.status_code == 201, created.json
    read = app.test_client().get(f"{AS_WRITER}/folder/{created.json['id']}", headers=headers)
    assert read.status_code == 200


def test_over_http_a_cross_origin_call_as_a_token_is_refused(app) -> None:
    body = _folder_body(app)
    with serve_in_thread(app, threads=2) as (base_url, _stop):
        url = f"{base_url}{AS_WRITER}/folder"
        foreign = requests.post(url, json=body, headers={"Origin": "http://evil.example"}, timeout=10)
        assert foreign.status_code == 403, foreign.text
        rebound = requests.post(url, json=body, headers={"Host": "evil.example"}, timeout=10)
        assert rebound.status_code == 403, rebound.text
        own = requests.post(url, json=body, headers={"Origin": base_url}, timeout=10)
        assert own.status_code == 201, own.text
