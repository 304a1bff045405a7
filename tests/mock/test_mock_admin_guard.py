"""The admin guard: every route under /__mock/ (and the index) answers local, same-origin requests
only, and needs an admin key when the tokens define an admin token."""

from __future__ import annotations

import flask
import pytest

from mockserver.auth.admin_guard import allow_host
from mockserver.auth.tokens import DEFAULT_TOKENS, Token
from tests.mock.conftest import WRITE, body_for, real_app

ADMIN = Token(key="Xk9-admin-secret", name="admin", permission="admin")
V3 = "/api/v3.0"


@pytest.fixture
def app(v3):
    return v3


@pytest.fixture
def keyed(spec_cache):
    return real_app("v3.0", 30855, spec_cache, tokens=[*DEFAULT_TOKENS, ADMIN])


def _building_count(app) -> int:
    return len(app.test_client().get(f"{V3}/building", headers=WRITE).json)


def _add_building(app) -> None:
    client = app.test_client()
    folder = client.get(f"{V3}/folder", headers=WRITE).json[0]["id"]
    body = body_for(app, "v3.0", "POST", "/building", folderId=folder)
    assert client.post(f"{V3}/building", json=body, headers=WRITE).status_code == 201


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "http://localhost:9999"},  # another port is another origin
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Host": "evil.example"},
        {"Host": "evil.example:8080"},
        {"Host": "127.0.0.1.evil.example"},
    ],
)
def test_cross_origin_and_foreign_host_requests_cannot_reset(app, headers) -> None:
    _add_building(app)
    count = _building_count(app)
    response = app.test_client().post("/__mock/reset", headers=headers)
    assert response.status_code == 403, response.data
    assert response.json["status"] == 403 and response.mimetype == "application/problem+json"
    assert _building_count(app) == count
    assert app.test_client().get("/__mock/requests", headers=headers).status_code == 403
    assert app.test_client().get("/", headers=headers).status_code == 403


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1:1", "[::1]:8080", "LOCALHOST"])
def test_local_same_origin_requests_are_served(app, host) -> None:
    client = app.test_client()
    origin = f"http://{host.lower()}"
    assert client.get("/__mock/requests", headers={"Host": host}).status_code == 200
    assert client.post("/__mock/reset", headers={"Host": host, "Origin": origin}).status_code == 200
    assert client.get("/", headers={"Host": host, "Sec-Fetch-Site": "none"}).status_code == 200


def test_the_bound_host_is_accepted_once_allowed(app) -> None:
    headers = {"Host": "10.1.2.3:8080"}
    assert app.test_client().get("/__mock/requests", headers=headers).status_code == 403
    allow_host(app, "10.1.2.3")
    assert app.test_client().get("/__mock/requests", headers=headers).status_code == 200


def test_the_api_itself_is_not_behind_the_origin_rule(app) -> None:
    """Browser apps on other origins call the API; only the Host must name the mock (rebinding)."""
    headers = {**WRITE, "Origin": "http://elsewhere.example", "Host": "localhost:8080"}
    assert app.test_client().get(f"{V3}/account", headers=headers).status_code == 200
    foreign = app.test_client().get(f"{V3}/account", headers={**headers, "Host": "mock.internal"})
    assert foreign.status_code == 421


def test_an_admin_token_in_the_tokens_makes_the_admin_key_required(keyed) -> None:
    client = keyed.test_client()
    _add_building(keyed)
    count = _building_count(keyed)
    assert client.post("/__mock/reset").status_code == 401
    assert client.post("/__mock/reset", headers={"X-API-Key": "nope"}).status_code == 401
    refused = client.post("/__mock/reset", headers=WRITE)
    assert refused.status_code == 403 and "no admin permission" in refused.json["detail"]
    assert _building_count(keyed) == count
    assert client.get("/__mock/requests", headers=WRITE).status_code == 403
    admin = {"X-API-Key": ADMIN.key}
    assert client.get("/__mock/requests", headers=admin).status_code == 200
    assert client.post("/__mock/reset", headers=admin).status_code == 200
    assert _building_count(keyed) < count
    assert client.get("/__mock/health").status_code == 200  # key-free, still local only
    assert client.get("/__mock/health", headers={"Host": "evil.example"}).status_code == 403
    # an admin key also writes through the API
    folder = client.get(f"{V3}/folder", headers=admin).json[0]["id"]
    body = body_for(keyed, "v3.0", "POST", "/building", folderId=folder)
    assert client.post(f"{V3}/building", json=body, headers=admin).status_code == 201


def test_an_expired_admin_token_is_refused(spec_cache) -> None:
    from datetime import UTC, datetime

    old = Token(
        key="old-admin-key", name="old admin", permission="admin", expires=datetime(2020, 1, 1, tzinfo=UTC)
    )
    app = real_app("v3.0", 30855, spec_cache, tokens=[*DEFAULT_TOKENS, ADMIN, old])
    assert app.test_client().get("/__mock/requests", headers={"X-API-Key": old.key}).status_code == 401


def test_admin_routes_added_later_are_guarded_too(keyed) -> None:
    @keyed.post("/__mock/jobs/advance")
    def advance() -> flask.Response:
        return flask.jsonify({"advanced": True})

    client = keyed.test_client()
    assert client.post("/__mock/jobs/advance").status_code == 401
    assert (
        client.post(
            "/__mock/jobs/advance", headers={"X-API-Key": ADMIN.key, "Origin": "http://x.example"}
        ).status_code
        == 403
    )
    assert client.post("/__mock/jobs/advance", headers={"X-API-Key": ADMIN.key}).json == {"advanced": True}
    assert client.get("/__mock/no-such-page").status_code == 401  # unknown admin paths tell nothing


def test_the_index_shows_no_character_of_any_key(keyed) -> None:
    page = keyed.test_client().get("/").get_data(as_text=True)
    assert "admin" in page and "dev writer" in page
    for token in (*DEFAULT_TOKENS, ADMIN):
        assert token.masked() not in page and token.key not in page
    assert "Xk9" not in page
