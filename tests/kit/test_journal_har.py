"""``GET /__mock/requests.har``: the journal as HAR 1.2, read back by the project's own HAR reader."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contracts.cli import main
from contracts.har import parse_har
from tests.conftest import PROJECT_ROOT

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
READ = {"X-API-Key": "dev-read"}
WRITE = {"X-API-Key": "dev-write"}


@pytest.fixture(scope="module")
def client() -> Any:
    from mockserver import create_app

    return create_app([V3], processing_delay=0).test_client()


@pytest.fixture
def journal(client: Any) -> Any:
    client.post("/__mock/reset")
    buildings = client.get("/api/v3.0/building", headers=READ).get_json()
    client.get(f"/api/v3.0/building/{buildings[0]['id']}?x=1&y=", headers=READ)
    client.post("/api/v3.0/building", json={"name": "no folder"}, headers=WRITE)  # 400
    client.get("/api/v3.0/account")  # 401
    return client


def test_the_har_holds_every_request_in_order_and_reads_back(journal: Any) -> None:
    response = journal.get("/__mock/requests.har")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    doc = json.loads(response.data)
    assert doc["log"]["version"] == "1.2" and doc["log"]["creator"]["name"] == "madaster-contracts mock"
    entries = parse_har(doc, "journal")
    assert [(e.method, e.path, e.status) for e in entries] == [
        ("GET", "/api/v3.0/building", 200),
        ("GET", entries[1].path, 200),
        ("POST", "/api/v3.0/building", 400),
        ("GET", "/api/v3.0/account", 401),
    ]
    assert entries[1].query == "x=1&y="
    assert doc["log"]["entries"][1]["request"]["queryString"] == [
        {"name": "x", "value": "1"},
        {"name": "y", "value": ""},
    ]
    assert json.loads(entries[2].request_body or b"") == {"name": "no folder"}
    assert entries[2].response_type == "application/problem+json"
    assert isinstance(json.loads(entries[0].response_body or b""), list)
    keys = [v for e in entries for n, v in e.request_headers if n == "X-API-Key"]
    logged = [e["key"] for e in journal.get("/__mock/requests").get_json() if e["key"]]
    assert keys == logged and len(keys) == 3  # masked as in the journal; the 401 had no key
    assert "dev-read" not in response.get_data(as_text=True)


def test_the_journal_filters_apply_and_a_bad_one_is_a_400(journal: Any) -> None:
    posts = parse_har(journal.get("/__mock/requests.har?method=POST").get_json(), "journal")
    assert [(e.method, e.status) for e in posts] == [("POST", 400)]
    errors = parse_har(journal.get("/__mock/requests.har?status=4xx").get_json(), "journal")
    assert {e.status for e in errors} == {400, 401}
    bad = journal.get("/__mock/requests.har?colour=red")
    assert bad.status_code == 400 and "unknown filter colour" in bad.get_json()["detail"]


def test_diff_usage_reads_the_journal_of_a_team_s_tests(journal: Any, tmp_path, capsys) -> None:
    har = tmp_path / "usage.har"
    har.write_bytes(journal.get("/__mock/requests.har").data)
    old = tmp_path / "old.yaml"
    old.write_text(V3.read_text())
    assert main(["diff", str(old), str(V3), "--usage", str(har), "--format", "json"]) == 0
    usage = json.loads(capsys.readouterr().out)["usage"]
    assert usage["operations_called"] == 4 and usage["unmatched_requests"] == 0
