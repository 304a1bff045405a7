"""Recording: valid HAR 1.2, redacted; record -> replay gives the same answers; fixtures-from the same entities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests

from contracts.har import load_har
from mockserver import create_app
from mockserver.admin.replay import REPLAY_HEADER, Replayer
from mockserver.fixtures.recorded import recorded_fixtures, store_others
from mockserver.http.serve import serve_in_thread
from tests.mock.conftest import TOKENS, WRITE
from tests.proxy.har_schema import HAR_SCHEMA
from tests.proxy.proxy_helpers import V3, answer, running_proxy, v3_workflow


@pytest.fixture
def recorded(mock_app: Any, mock_url: str, v3_doc: dict[str, Any], tmp_path: Path) -> tuple[Path, list[Any]]:
    """A real v3.0 workflow through the proxy in front of the mock, recorded."""
    har = tmp_path / "session.har"
    with running_proxy(mock_url, {"v3.0": v3_doc}, record=har) as proxy:
        session = v3_workflow(mock_app, proxy.url)
        # the file is a complete HAR document while the proxy still runs
        jsonschema.validate(json.loads(har.read_text()), HAR_SCHEMA)
    return har, session


def test_the_recording_is_valid_har_1_2_with_every_exchange(recorded: tuple[Path, list[Any]]) -> None:
    har, session = recorded
    doc = json.loads(har.read_text())
    jsonschema.validate(doc, HAR_SCHEMA)
    entries = doc["log"]["entries"]
    assert [(e["request"]["method"], e["response"]["status"]) for e in entries] == [
        (step.method, response.status_code) for step, response in session
    ]
    assert [e["response"]["content"]["text"].encode() for e in entries] == [r.content for _, r in session]
    posted = [e for e in entries if e["request"]["method"] in ("POST", "PUT")]
    assert all(
        json.loads(e["request"]["postData"]["text"]) == step.body
        for e, (step, _) in zip(posted, [s for s in session if s[0].method in ("POST", "PUT")], strict=True)
    )
    keys = [h["value"] for e in entries for h in e["request"]["headers"] if h["name"].lower() == "x-api-key"]
    assert keys == ["[redacted]"] * len(entries)
    assert "dev-write" not in har.read_text()


def test_record_then_replay_gives_the_same_answers(
    recorded: tuple[Path, list[Any]], mock_app: Any, v3_doc: dict[str, Any]
) -> None:
    har, session = recorded
    other = create_app([v3_doc], tokens=list(TOKENS), seed=7)  # emulation alone would answer differently
    with serve_in_thread(other, threads=2) as running:
        unreplayed = requests.get(running.base_url + V3 + "/folder", headers=WRITE, timeout=10)
    assert unreplayed.content != answer(session, "GET", V3 + "/folder").content
    other.wsgi_app = Replayer(other.wsgi_app, load_har(har))  # type: ignore[method-assign]
    with serve_in_thread(other, threads=2) as running:
        replayed = v3_workflow(mock_app, running.base_url)
        fallback = requests.get(
            running.base_url + V3 + "/building/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12,
            headers=WRITE,
            timeout=10,
        )
    assert [(r.status_code, r.content) for _, r in replayed] == [
        (r.status_code, r.content) for _, r in session
    ]
    assert all(r.headers[REPLAY_HEADER] == "recorded" for _, r in replayed)
    assert fallback.status_code == 404 and REPLAY_HEADER not in fallback.headers  # emulated


def test_repeated_requests_replay_in_recorded_order(tmp_path: Path, v3_doc: dict[str, Any]) -> None:
    har = _har(
        tmp_path, [("GET", "/api/v3.0/folder", 200, "[]"), ("GET", "/api/v3.0/folder", 200, '[{"id": "x"}]')]
    )
    app = create_app([v3_doc], tokens=list(TOKENS))
    app.wsgi_app = Replayer(app.wsgi_app, load_har(har))  # type: ignore[method-assign]
    client = app.test_client()
    bodies = [client.get("/api/v3.0/folder", headers=WRITE).get_data() for _ in range(3)]
    assert bodies == [b"[]", b'[{"id": "x"}]', b'[{"id": "x"}]']


def test_fixtures_from_a_recording_give_the_same_entities(
    recorded: tuple[Path, list[Any]], v3_doc: dict[str, Any]
) -> None:
    har, session = recorded
    recorded_state = recorded_fixtures(load_har(har), {"v3.0": v3_doc}, "session.har", seed=7)
    offline = create_app([v3_doc], tokens=list(TOKENS), seed=7, fixtures=recorded_state.fixtures)
    store_others(offline, recorded_state.others)
    seeded = recorded_state.count
    client = offline.test_client()
    by_path = {step.path: response for step, response in session}
    final_buildings = by_path[V3 + "/building"].json()
    folders = by_path[V3 + "/folder"].json()
    building = next(r.json() for s, r in session if s.method == "PUT")
    assert seeded == len(folders) + len(final_buildings) + len(
        by_path[f"{V3}/building/{building['id']}/files"].json()
    )
    assert client.get(V3 + "/folder", headers=WRITE).get_json() == folders
    listed = client.get(V3 + "/building", headers=WRITE).get_json()
    assert _by_id(listed) == _by_id(final_buildings)  # same entities (stored in first-seen order)
    assert client.get(f"{V3}/building/{building['id']}", headers=WRITE).get_json() == building
    files = client.get(f"{V3}/building/{building['id']}/files", headers=WRITE).get_json()
    assert files == by_path[f"{V3}/building/{building['id']}/files"].json()


def _by_id(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entities, key=lambda e: e["id"])


def _har(tmp_path: Path, exchanges: list[tuple[str, str, int, str]]) -> Path:
    entries = [
        {
            "startedDateTime": "2026-01-01T00:00:00.000Z",
            "time": 1,
            "request": {
                "method": m,
                "url": f"http://api.example{p}",
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": [],
                "queryString": [],
                "headersSize": -1,
                "bodySize": 0,
            },
            "response": {
                "status": s,
                "statusText": "OK",
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": [{"name": "Content-Type", "value": "application/json"}],
                "content": {"size": len(t), "mimeType": "application/json", "text": t},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": len(t),
            },
            "cache": {},
            "timings": {"send": 0, "wait": 1, "receive": 0},
        }
        for m, p, s, t in exchanges
    ]
    path = tmp_path / "made.har"
    path.write_text(
        json.dumps({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}})
    )
    return path
