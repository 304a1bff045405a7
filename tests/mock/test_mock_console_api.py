"""The admin endpoints behind the console: request log with bodies, state, tokens, calls as a token."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver import create_app
from mockserver.auth.tokens import Token
from mockserver.http.request_log import BODY_LIMIT, LogEntry, RequestLog
from tests.conftest import PROJECT_ROOT
from tests.mock.conftest import body_for

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
V4 = PROJECT_ROOT / "specs" / "v4.0" / "baseline.yaml"
TOKENS = (
    Token(key="wri-console-key", name="writer", permission="write"),
    Token(key="rea-console-key", name="reader", permission="read"),
    Token(key="old-console-key", name="old", permission="write", expires=datetime(2020, 1, 1, tzinfo=UTC)),
)
WRITE = {"X-API-Key": "wri-console-key"}


@pytest.fixture()
def app():
    return create_app([V3, V4], tokens=TOKENS)


def _new_building(app, client, **fields):
    folder = client.get("/api/v3.0/folder", headers=WRITE).json[0]
    body = body_for(app, "v3.0", "POST", "/building", folderId=folder["id"], **fields)
    created = client.post("/api/v3.0/building", json=body, headers=WRITE)
    assert created.status_code == 201, created.json
    return created.json


def test_log_entries_are_numbered_and_since_returns_only_newer_ones(app) -> None:
    client = app.test_client()
    client.get("/api/v3.0/building", headers=WRITE)
    first = client.get("/__mock/requests").json
    assert [e["path"] for e in first] == ["/api/v3.0/building"]
    seq = first[-1]["seq"]
    client.get("/api/v3.0/folder", headers=WRITE)
    client.get("/api/v4.0/database", headers=WRITE)
    newer = client.get(f"/__mock/requests?since={seq}").json
    assert [e["path"] for e in newer] == ["/api/v3.0/folder", "/api/v4.0/database"]
    assert [e["seq"] for e in newer] == [seq + 1, seq + 2]
    assert client.get(f"/__mock/requests?since={seq + 2}").json == []


def test_reset_clears_the_log_but_numbering_goes_on(app) -> None:
    client = app.test_client()
    client.get("/api/v3.0/building", headers=WRITE)
    last = client.get("/__mock/requests").json[-1]["seq"]
    client.post("/__mock/reset")
    assert client.get("/__mock/requests").json == []
    client.get("/api/v3.0/folder", headers=WRITE)
    assert [e["seq"] for e in client.get(f"/__mock/requests?since={last}").json] == [last + 1]


def test_a_bad_since_is_a_problem_not_a_crash(app) -> None:
    response = app.test_client().get("/__mock/requests?since=yesterday")
    assert response.status_code == 400
    assert "since" in response.json["detail"]


def test_an_invalid_request_is_logged_with_its_problems_and_bodies(app) -> None:
    client = app.test_client()
    answer = client.post("/api/v3.0/building", json={"name": 5}, headers=WRITE)
    assert answer.status_code == 400
    entry = client.get("/__mock/requests").json[-1]
    assert entry["status"] == 400
    locations = {p["location"] for p in entry["problems"]}
    assert "body.name" in locations and all(p["message"] for p in entry["problems"])
    assert entry["problems"] == answer.json["errors"]
    detail = client.get(f"/__mock/requests/{entry['seq']}").json
    assert detail["request"]["json"] == {"name": 5}
    assert detail["response"]["json"] == answer.json
    assert detail["response"]["truncated"] is False


def test_a_logged_body_is_cut_at_the_limit_and_says_so(app) -> None:
    client = app.test_client()
    big = {"name": "x" * (BODY_LIMIT + 100)}
    client.post("/api/v3.0/building", data=json.dumps(big), content_type="application/json", headers=WRITE)
    seq = client.get("/__mock/requests").json[-1]["seq"]
    request = client.get(f"/__mock/requests/{seq}").json["request"]
    assert request["truncated"] is True and request["size"] == len(json.dumps(big))
    assert len(request["text"].encode()) == BODY_LIMIT and "json" not in request


def test_an_unknown_log_entry_is_a_404(app) -> None:
    response = app.test_client().get("/__mock/requests/424242")
    assert response.status_code == 404 and "424242" in response.json["detail"]


def test_the_log_never_shows_a_key_in_clear(app) -> None:
    client = app.test_client()
    client.get("/api/v3.0/building", headers=WRITE)
    client.get("/api/v3.0/building", headers={"X-API-Key": "not-a-token-at-all"})
    text = client.get("/__mock/requests").get_data(as_text=True)
    assert "wri-console-key" not in text and "not-a-token-at-all" not in text
    assert [e["key"] for e in json.loads(text)] == [TOKENS[0].masked(), "****"]


@settings(max_examples=60, deadline=None)
@given(
    # a one-byte bytes object is a singleton: kept once however many entries show it (as equal bodies are)
    sizes=st.lists(st.integers(min_value=0, max_value=300).filter(lambda n: n != 1), max_size=60),
    size=st.integers(min_value=1, max_value=20),
    budget=st.integers(min_value=0, max_value=1500),
)
def test_the_log_stays_within_its_entry_and_body_bounds(sizes: list[int], size: int, budget: int) -> None:
    log = RequestLog(size=size, body_budget=budget)
    for index, n in enumerate(sizes):
        log.add(
            LogEntry(
                time=0,
                method="POST",
                path=f"/api/{index}",
                query="",
                status=200,
                key=None,
                ms=0,
                request=b"x" * n,
            )
        )
    entries = log.entries()
    assert len(entries) == min(size, len(sizes))
    assert [e["seq"] for e in entries] == list(range(len(sizes) - len(entries) + 1, len(sizes) + 1))
    details = [log.find(e["seq"]) for e in entries]
    kept = [d["request"] is not None for d in details if d is not None]
    assert sum(d["request"]["size"] for d in details if d and d["request"]) == log.body_bytes <= budget
    # bodies are dropped oldest first: once an entry keeps its body, every newer one with a body does too
    with_body = [k for k, n in zip(kept, sizes[-len(kept) :] if kept else [], strict=True) if n]
    assert with_body == sorted(with_body)


def test_state_lists_entities_with_parent_children_and_get_path(app) -> None:
    client = app.test_client()
    building = _new_building(app, client, name="console-state-building")
    view = client.get("/__mock/state").json
    v3 = {c["name"]: c for c in view["versions"]["v3.0"]["collections"]}
    entity = next(e for e in v3["building"]["entities"] if e["id"] == building["id"])
    assert entity["fields"]["name"] == "console-state-building"
    assert entity["parent"] == {"collection": "folder", "id": building["folderId"]}
    assert entity["get"] == f"/api/v3.0/building/{building['id']}"
    folder = next(e for e in v3["folder"]["entities"] if e["id"] == building["folderId"])
    assert {"collection": "building", "id": building["id"]} in folder["children"]
    # nested entities link to a GET that names every ancestor, and the GET answers
    files = v3["building/files"]["entities"]
    assert files
    for file in files:
        assert file["get"].startswith(f"/api/v3.0/building/{file['parent']['id']}/files/")
        assert client.get(file["get"], headers=WRITE).status_code == 200
    assert "database" in {c["name"] for c in view["versions"]["v4.0"]["collections"]}


def test_tokens_are_listed_masked_with_permission_scope_and_expiry(app) -> None:
    response = app.test_client().get("/__mock/tokens")
    assert "wri-console-key" not in response.get_data(as_text=True)
    tokens = response.json["tokens"]
    assert [(t["id"], t["name"], t["permission"], t["scope"]) for t in tokens] == [
        (0, "writer", "write", "account"),
        (1, "reader", "read", "account"),
        (2, "old", "write", "account"),
    ]
    assert [t["key"] for t in tokens] == [t.masked() for t in TOKENS]
    assert tokens[2]["expired"] is True and tokens[2]["expires"].startswith("2020-01-01")
    assert tokens[0]["expires"] is None and tokens[0]["expired"] is False


def test_a_call_as_a_token_answers_like_the_api_with_that_key(app) -> None:
    client = app.test_client()
    direct = client.get("/api/v3.0/building", headers=WRITE)
    as_writer = client.get("/__mock/as/0/api/v3.0/building")
    assert as_writer.status_code == 200 and as_writer.json == direct.json
    assert as_writer.headers["Content-Type"] == direct.headers["Content-Type"]
    assert client.get("/__mock/as/none/api/v3.0/building").status_code == 401
    assert client.get("/__mock/as/2/api/v3.0/building").status_code == 401  # expired
    parent = client.get("/api/v3.0/folder", headers=WRITE).json[0]["id"]
    body = body_for(app, "v3.0", "POST", "/folder", parentId=parent)
    assert client.post("/__mock/as/1/api/v3.0/folder", json=body).status_code == 403  # read token
    created = client.post("/__mock/as/0/api/v3.0/folder", json=body)
    assert created.status_code == 201
    assert client.get(f"/api/v3.0/folder/{created.json['id']}", headers=WRITE).status_code == 200
    logged = [(e["method"], e["status"], e["key"]) for e in client.get("/__mock/requests").json]
    writer, reader, old = (t.masked() for t in TOKENS)
    assert logged[1:4] == [("GET", 200, writer), ("GET", 401, None), ("GET", 401, old)]
    assert logged[-3:-1] == [("POST", 403, reader), ("POST", 201, writer)]


def test_a_call_as_an_unknown_token_is_refused(app) -> None:
    client = app.test_client()
    for who in ("7", "writer"):
        refused = client.get(f"/__mock/as/{who}/api/v3.0/building")
        assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
        assert f"no token '{who}'" in refused.json["detail"]


def test_the_console_and_its_files_are_served_locally(app) -> None:
    client = app.test_client()
    page = client.get("/__mock/console")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "http://" not in text and "https://" not in text  # nothing from the network
    for asset in ("/__mock/console/static/console.js", "/__mock/console/static/console.css"):
        assert asset in text and client.get(asset).status_code == 200
    for asset in (
        "/__mock/console/swagger-ui/swagger-ui-bundle.js",
        "/__mock/console/swagger-ui/swagger-ui.css",
    ):
        assert asset in text
        assert client.get(asset).status_code == 200
    assert client.get("/__mock/console/swagger-ui/index.html").status_code == 404
    version = client.get("/__mock/console/swagger-ui/VERSION").get_data(as_text=True).strip()
    assert int(version.lstrip("v").split(".")[0]) >= 5  # a current Swagger UI, not 4.15
    assert client.get("/__mock/console/swagger-ui/..%2Fswagger-initializer.js").status_code == 404
    features = client.get("/__mock/console/features").json
    assert [v["version"] for v in features["versions"]] == ["v3.0", "v4.0"]
    assert "/__mock/console" in client.get("/").get_data(as_text=True)


def test_no_console_without_admin() -> None:
    client = create_app([V3], admin=False).test_client()
    assert client.get("/__mock/console").status_code == 404
    assert client.get("/__mock/as/0/api/v3.0/building").status_code == 404
    assert client.get("/__mock/state").status_code == 404
    assert client.get("/__mock/tokens").status_code == 404
