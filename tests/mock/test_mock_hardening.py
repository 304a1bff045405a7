"""Faults a hostile client found: 500s on odd input, unbounded entities and lists, HEAD, tokens-file
keys with whitespace, and client-chosen ids that leaked across parents through 409."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from mockserver.auth.tokens import DEFAULT_TOKENS, Token, TokensFileError, parse_tokens
from mockserver.state import listing
from mockserver.state.store import MAX_ENTITY_BYTES
from tests.mock.conftest import WRITE, body_for

V3 = "/api/v3.0"
V4 = "/api/v4.0"


def _folder(app) -> str:
    return app.test_client().get(f"{V3}/folder", headers=WRITE).json[0]["id"]


def test_a_json_integer_beyond_the_digit_limit_is_a_400_not_a_500(v3) -> None:
    text = '{"name": "x", "grossSurfaceArea": ' + "7" * 5000 + "}"
    response = v3.test_client().post(
        f"{V3}/building", data=text, headers={**WRITE, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.json
    assert "digits" in response.json["detail"]


@pytest.mark.parametrize("code", ["100", "101", "103", "000", "999", "199"])
def test_prefer_cannot_force_a_non_final_or_undeclared_status(v3, code) -> None:
    response = v3.test_client().get(f"{V3}/building", headers={**WRITE, "Prefer": f"code={code}"})
    assert response.status_code == 400, (code, response.status_code)
    assert response.json["status"] == 400


def test_prefer_still_forces_a_declared_status(v3) -> None:
    building = v3.test_client().get(f"{V3}/building", headers=WRITE).json[0]["id"]
    response = v3.test_client().get(f"{V3}/building/{building}", headers={**WRITE, "Prefer": "code=404"})
    assert response.status_code == 404


def test_one_entity_may_hold_at_most_the_documented_size(v3) -> None:
    client = v3.test_client()
    body = body_for(v3, "v3.0", "POST", "/building", folderId=_folder(v3), name="x" * (MAX_ENTITY_BYTES + 1))
    response = client.post(f"{V3}/building", json=body, headers=WRITE)
    assert response.status_code == 413 and response.json["status"] == 413
    small = client.post(f"{V3}/building", json={**body, "name": "small"}, headers=WRITE)
    assert small.status_code == 201
    # growing an entity by updates hits the same cap
    update = body_for(v3, "v3.0", "PUT", "/building/{id}", folderId=body["folderId"])
    half = "y" * (MAX_ENTITY_BYTES // 2 + 10)
    url = f"{V3}/building/{small.json['id']}"
    assert client.put(url, json={**update, "name": half}, headers=WRITE).status_code == 200
    grown = client.put(url, json={**update, "name": half, "ownerName": half}, headers=WRITE)
    assert grown.status_code == 413
    assert client.get(url, headers=WRITE).json["name"] == half


def test_a_reset_gives_the_memory_of_dropped_entities_back(v3) -> None:
    client = v3.test_client()
    body = body_for(v3, "v3.0", "POST", "/building", folderId=_folder(v3))
    big = "z" * (MAX_ENTITY_BYTES - 100_000)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(6):
            assert (
                client.post(
                    f"{V3}/building", json={**body, "name": big[: -n or None]}, headers=WRITE
                ).status_code
                == 201
            )
        held = tracemalloc.get_traced_memory()[0] - before
        assert client.post("/__mock/reset").status_code == 200
        gc.collect()
        left = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held > 5 * len(big)
    assert left < len(big), f"{left} bytes still held after the reset (held {held})"


def test_lists_without_declared_paging_are_bounded(v3, monkeypatch) -> None:
    monkeypatch.setattr(listing, "MAX_LIST", 5)
    client = v3.test_client()
    root = _folder(v3)
    made = []
    for n in range(8):
        body = body_for(v3, "v3.0", "POST", "/folder", parentId=root, name=f"bounded {n}")
        made.append(client.post(f"{V3}/folder", json=body, headers=WRITE).json["id"])
    response = client.get(f"{V3}/folder", headers=WRITE)
    total = v3.extensions["mockserver"]["store"].count("folder")
    assert [f["id"] for f in response.json] == made[-5:]  # the newest, in creation order
    assert response.headers["X-Total-Count"] == str(total)
    assert response.headers["X-Mock-Truncated"].startswith(f"5 of {total}")
    small = client.get(f"{V3}/building", headers=WRITE)
    assert "X-Mock-Truncated" not in small.headers and "X-Total-Count" not in small.headers


def test_declared_skip_and_take_are_honoured(v4) -> None:
    client = v4.test_client()
    database = body_for(v4, "v4.0", "POST", "/database")
    database.pop("id", None)
    db = client.post(f"{V4}/database", json=database, headers=WRITE).json["id"]
    ids = []
    for n in range(5):
        body = {"commodityType": "Material", "databaseId": db, "externalId": f"P-{n}", "isActive": True}
        ids.append(client.post(f"{V4}/commodity", json=body, headers=WRITE).json["id"])
    page = client.get(f"{V4}/database/{db}/commodities?skip=1&take=2", headers=WRITE)
    assert page.status_code == 200
    assert [c["id"] for c in page.json] == ids[1:3]
    assert page.headers["X-Total-Count"] == "5"
    rest = client.get(f"{V4}/database/{db}/commodities?skip=3", headers=WRITE)
    assert [c["id"] for c in rest.json] == ids[3:]
    assert client.get(f"{V4}/database/{db}/commodities?skip=9&take=2", headers=WRITE).json == []


def test_head_on_a_get_route_is_the_get_without_its_body(v3) -> None:
    client = v3.test_client()
    got = client.get(f"{V3}/building", headers=WRITE)
    head = client.head(f"{V3}/building", headers=WRITE)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == got.headers["Content-Length"]
    assert client.head(f"{V3}/building").status_code == 401
    assert "HEAD" in client.options(f"{V3}/building", headers=WRITE).headers["Allow"]


@pytest.mark.parametrize("key", ["secret ", " secret", "secret\t", "secret\n"])
def test_a_tokens_file_key_with_surrounding_whitespace_is_refused(key) -> None:
    with pytest.raises(TokensFileError, match=r"tokens\[0\]: 'key' has leading or trailing whitespace"):
        parse_tokens({"tokens": [{"key": key, "permission": "write"}]}, "tokens.yaml")


def test_client_chosen_element_ids_are_unique_per_file_not_globally(v3) -> None:
    client = v3.test_client()
    buildings = [b["id"] for b in client.get(f"{V3}/building", headers=WRITE).json[:2]]
    files = [client.get(f"{V3}/building/{b}/files", headers=WRITE).json[0]["id"] for b in buildings]
    body = body_for(v3, "v3.0", "POST", "/building/{buildingId}/files/{fileId}/elements", id="ELEMENT-1")
    urls = [f"{V3}/building/{b}/files/{f}/elements" for b, f in zip(buildings, files, strict=True)]
    for url in urls:  # elements are added to a file that is importing (the file-processing lifecycle)
        assert client.post(url.replace("/elements", "/setimporting"), headers=WRITE).status_code < 300
    assert client.post(urls[0], json=body, headers=WRITE).status_code in (200, 201)
    token = Token(key="second", name="second building", permission="write", scope=f"building:{buildings[1]}")
    v3.extensions["mockserver"]["pipeline"].tokens = (*DEFAULT_TOKENS, token)
    second = client.post(urls[1], json={**body, "name": "mine"}, headers={"X-API-Key": "second"})
    assert second.status_code in (200, 201), second.json  # no 409 telling of the other building
    assert client.post(urls[1], json=body, headers=WRITE).status_code == 409  # within one file: taken
    first = client.get(f"{urls[0]}/ELEMENT-1", headers=WRITE).json
    assert first["id"] == "ELEMENT-1" and first.get("name") != "mine"
    assert client.get(f"{urls[1]}/ELEMENT-1", headers=WRITE).json["id"] == "ELEMENT-1"
    assert client.delete(f"{urls[1]}/ELEMENT-1", headers=WRITE).status_code in (200, 204)
    assert client.get(f"{urls[0]}/ELEMENT-1", headers=WRITE).status_code == 200
