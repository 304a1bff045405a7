"""A scoped admin token is bounded by its scope in /__mock/: what it sees, and whom it may act as."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.auth.tokens import DEFAULT_TOKENS, Token
from tests.mock.conftest import WRITE, real_app

V3 = "/api/v3.0"
ACCOUNT_ADMIN = Token(key="admin-of-all-7f3", name="account admin", permission="admin")


@pytest.fixture
def scoped(spec_cache: dict[Any, Any]) -> dict[str, Any]:
    """An app whose tokens include an admin of one folder (F) and a writer inside F."""
    probe = real_app("v3.0", 30855, spec_cache).test_client()
    buildings = probe.get(f"{V3}/building", headers=WRITE).json
    inside = buildings[0]["folderId"]
    outside = next(b["folderId"] for b in buildings if b["folderId"] != inside)
    tokens = [
        *DEFAULT_TOKENS,  # 0: dev-read, 1: dev-write (account-wide)
        ACCOUNT_ADMIN,  # 2
        Token(key="admin-of-f-91c", name="folder admin", permission="admin", scope=f"folder:{inside}"),  # 3
        Token(key="writer-in-f-2b", name="folder writer", permission="write", scope=f"folder:{inside}"),  # 4
        Token(
            key="writer-below-f",
            name="building writer",
            permission="write",
            scope=f"building:{buildings[0]['id']}",
        ),  # 5
    ]
    app = real_app("v3.0", 30855, spec_cache, tokens=tokens)
    return {"app": app, "inside": inside, "outside": outside, "buildings": buildings}


FOLDER_ADMIN = {"X-API-Key": "admin-of-f-91c"}
ALL_ADMIN = {"X-API-Key": ACCOUNT_ADMIN.key}


def _ids(state: dict[str, Any]) -> set[str]:
    return {
        entity["id"]
        for version in state["versions"].values()
        for collection in version["collections"]
        for entity in collection["entities"]
    }


def test_a_scoped_admin_sees_only_its_scope_in_the_state(scoped: dict[str, Any]) -> None:
    client = scoped["app"].test_client()
    everything = _ids(client.get("/__mock/state", headers=ALL_ADMIN).json)
    mine = _ids(client.get("/__mock/state", headers=FOLDER_ADMIN).json)
    assert scoped["outside"] in everything and scoped["outside"] not in mine
    assert scoped["inside"] in mine
    assert {b["id"] for b in scoped["buildings"] if b["folderId"] == scoped["inside"]} <= mine
    assert not {b["id"] for b in scoped["buildings"] if b["folderId"] != scoped["inside"]} & mine


def test_a_scoped_admin_sees_only_requests_made_inside_its_scope(scoped: dict[str, Any]) -> None:
    client = scoped["app"].test_client()
    client.get(f"{V3}/folder/{scoped['outside']}", headers=WRITE)
    client.get(f"{V3}/folder/{scoped['inside']}", headers={"X-API-Key": "writer-in-f-2b"})
    everything = client.get("/__mock/requests", headers=ALL_ADMIN).json
    mine = client.get("/__mock/requests", headers=FOLDER_ADMIN).json
    assert any(scoped["outside"] in e["path"] for e in everything)
    assert not any(scoped["outside"] in e["path"] for e in mine)
    assert [e["path"] for e in mine] == [f"{V3}/folder/{scoped['inside']}"]
    outside_seq = next(e["seq"] for e in everything if scoped["outside"] in e["path"])
    assert client.get(f"/__mock/requests/{outside_seq}", headers=FOLDER_ADMIN).status_code == 404


def test_a_scoped_admin_may_lend_only_tokens_inside_its_scope(scoped: dict[str, Any]) -> None:
    client = scoped["app"].test_client()
    current = client.get(f"{V3}/folder/{scoped['outside']}", headers=WRITE).json
    rename = {k: current[k] for k in ("name", "parentId", "foldertypeId")} | {"name": "renamed via console"}
    outside = f"/__mock/as/1/api/v3.0/folder/{scoped['outside']}"
    refused = client.put(outside, json=rename, headers=FOLDER_ADMIN)
    assert refused.status_code == 403, refused.data
    assert "folder:" in refused.json["detail"]
    after = client.get(f"{V3}/folder/{scoped['outside']}", headers=WRITE).json
    assert after["name"] != rename["name"]
    # a writer of F, a writer of a building in F (whose own scope does not reach F), itself
    for lent, status in ((4, 200), (5, 403), (3, 200)):
        answer = client.get(f"/__mock/as/{lent}/api/v3.0/folder/{scoped['inside']}", headers=FOLDER_ADMIN)
        assert answer.status_code == status, (lent, answer.data)
    assert client.put(outside, json=rename, headers=ALL_ADMIN).status_code == 200


def test_a_scoped_admin_lists_only_tokens_it_may_lend_and_cannot_reset(scoped: dict[str, Any]) -> None:
    client = scoped["app"].test_client()
    listed = client.get("/__mock/tokens", headers=FOLDER_ADMIN).json["tokens"]
    assert [t["id"] for t in listed] == [3, 4, 5]
    assert len(client.get("/__mock/tokens", headers=ALL_ADMIN).json["tokens"]) == 6
    assert client.post("/__mock/reset", headers=FOLDER_ADMIN).status_code == 403
    assert client.post("/__mock/reset", headers=ALL_ADMIN).status_code == 200


def test_a_scoped_admin_sees_and_moves_only_the_jobs_of_its_scope(
    scoped: dict[str, Any], spec_cache: dict[Any, Any]
) -> None:
    from tests.mock.lifecycle_helpers import IFC, OCTET, file_url, new_file

    tokens = scoped["app"].extensions["mockserver"]["tokens"]
    app = real_app("v3.0", 30855, spec_cache, tokens=tokens, processing_delay=600)
    client = app.test_client()
    building = {}
    for where in ("inside", "outside"):
        building[where] = next(b["id"] for b in scoped["buildings"] if b["folderId"] == scoped[where])
        file_id = new_file(app, client, building[where])["id"]
        sent = client.post(f"{file_url(building[where], file_id)}/upload/m.ifc", data=IFC, headers=OCTET)
        assert sent.status_code in (201, 202), sent.json
    everything = client.get("/__mock/jobs", headers=ALL_ADMIN).json["jobs"]
    by_building = {
        where: next(j for j in everything if building[where] in j["entity"]["path"]) for where in building
    }
    mine = client.get("/__mock/jobs", headers=FOLDER_ADMIN).json["jobs"]
    assert [j["id"] for j in mine] == [by_building["inside"]["id"]]
    outside = by_building["outside"]["id"]
    assert client.post(f"/__mock/jobs/{outside}/finish", headers=FOLDER_ADMIN).status_code == 404
    assert client.post(f"/__mock/jobs/{outside}/fail", headers=FOLDER_ADMIN).status_code == 404
    assert client.post("/__mock/jobs/finish", headers=FOLDER_ADMIN).json["finished"] == 1
    states = {j["id"]: j["state"] for j in client.get("/__mock/jobs", headers=ALL_ADMIN).json["jobs"]}
    assert states == {by_building["inside"]["id"]: "done", outside: "running"}
