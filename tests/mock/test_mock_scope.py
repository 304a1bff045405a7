"""Scoped tokens and bodies that name entities: the addressed entity (for a create, its parent) and
every entity the body points at must be in scope; nothing moves to, or is created under, a parent
outside it. Checked on the real builds and on the project's own baselines in specs/."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver import create_app
from mockserver.auth.tokens import DEFAULT_TOKENS, Token
from tests.conftest import PROJECT_ROOT, SHARED_SPECS
from tests.mock.conftest import WRITE, body_for, load, runtime_of

V3_SPECS = [SHARED_SPECS / "v3.0" / "build-30855.json", PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"]
V4_SPECS = [SHARED_SPECS / "v4.0" / "build-28168.yaml", PROJECT_ROOT / "specs" / "v4.0" / "baseline.yaml"]


def _app(path: Any, spec_cache: dict, *scoped: Token) -> Any:
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return create_app([load(path, spec_cache)], tokens=[*DEFAULT_TOKENS, *scoped])


class V3World:
    """Folders F1 (top level) > F2 > F2a, and F3 (top level); buildings B1 in F1, B2 in F2."""

    def __init__(self, path: Any, spec_cache: dict) -> None:
        probe = _app(path, spec_cache)
        self.client = probe.test_client()
        self.app = probe
        self.root = runtime_of(probe, "v3.0").account_id
        self.f1 = self.folder(self.root)
        self.f2 = self.folder(self.f1)
        self.f2a = self.folder(self.f2)
        self.f3 = self.folder(self.root)
        self.b1 = self.building(self.f1)
        self.b2 = self.building(self.f2)
        self.token = Token(key="folder-two", name="folder two", permission="write", scope=f"folder:{self.f2}")
        self.app.extensions["mockserver"]["pipeline"].tokens = (*DEFAULT_TOKENS, self.token)
        self.scoped = {"X-API-Key": "folder-two"}

    def folder(self, parent: str) -> str:
        body = body_for(self.app, "v3.0", "POST", "/folder", parentId=parent)
        response = self.client.post("/api/v3.0/folder", json=body, headers=WRITE)
        assert response.status_code in (200, 201), response.json
        return response.json["id"]

    def building(self, folder: str) -> str:
        body = body_for(self.app, "v3.0", "POST", "/building", folderId=folder)
        response = self.client.post("/api/v3.0/building", json=body, headers=WRITE)
        assert response.status_code in (200, 201), response.json
        return response.json["id"]

    def put_building(self, building: str, folder: str, headers: dict[str, str]) -> Any:
        body = body_for(self.app, "v3.0", "PUT", "/building/{id}", folderId=folder, name="moved")
        return self.client.put(f"/api/v3.0/building/{building}", json=body, headers=headers)

    def put_folder(self, folder: str, parent: str, headers: dict[str, str]) -> Any:
        body = body_for(self.app, "v3.0", "PUT", "/folder/{id}", parentId=parent, name="moved")
        return self.client.put(f"/api/v3.0/folder/{folder}", json=body, headers=headers)

    def get(self, collection: str, key: str) -> dict[str, Any]:
        return self.client.get(f"/api/v3.0/{collection}/{key}", headers=WRITE).json

    def parent(self, collection: str, key: str) -> Any:
        return self.app.extensions["mockserver"]["store"].parent_of(collection, key)


@pytest.fixture(params=V3_SPECS, ids=["v3.0@30855", "specs:v3.0/baseline"])
def v3(request, spec_cache) -> V3World:
    return V3World(request.param, spec_cache)


def test_a_body_naming_an_entity_in_scope_does_not_open_one_outside(v3: V3World) -> None:
    before = v3.get("building", v3.b1)
    assert v3.client.get(f"/api/v3.0/building/{v3.b1}", headers=v3.scoped).status_code == 403
    response = v3.put_building(v3.b1, v3.f2, v3.scoped)
    assert response.status_code == 403, response.json
    assert v3.get("building", v3.b1) == before
    assert v3.parent("building", v3.b1) == ("folder", v3.f1)


def test_nothing_moves_out_of_scope(v3: V3World) -> None:
    before = v3.get("building", v3.b2)
    assert v3.put_building(v3.b2, v3.f1, v3.scoped).status_code == 403
    assert v3.get("building", v3.b2) == before
    assert v3.parent("building", v3.b2) == ("folder", v3.f2)
    folder = v3.get("folder", v3.f2)
    for outside in (v3.root, v3.f3):
        assert v3.put_folder(v3.f2, outside, v3.scoped).status_code == 403
        assert v3.get("folder", v3.f2) == folder
        assert v3.parent("folder", v3.f2) == ("folder", v3.f1)


def test_nothing_is_created_outside_scope(v3: V3World) -> None:
    for parent in (v3.root, v3.f1, v3.f3):
        body = body_for(v3.app, "v3.0", "POST", "/folder", parentId=parent)
        assert v3.client.post("/api/v3.0/folder", json=body, headers=v3.scoped).status_code == 403
        body = body_for(v3.app, "v3.0", "POST", "/building", folderId=parent)
        assert v3.client.post("/api/v3.0/building", json=body, headers=v3.scoped).status_code in (403, 404)
    body = body_for(v3.app, "v3.0", "POST", "/building", folderId=v3.f2a)
    assert v3.client.post("/api/v3.0/building", json=body, headers=v3.scoped).status_code in (200, 201)


def test_moves_inside_scope_and_updates_in_place_are_allowed(v3: V3World) -> None:
    assert v3.put_building(v3.b2, v3.f2, v3.scoped).status_code == 200
    assert v3.put_building(v3.b2, v3.f2a, v3.scoped).status_code == 200
    assert v3.parent("building", v3.b2) == ("folder", v3.f2a)
    # the scope root may be updated where it stands: naming its own (outside) parent moves nothing
    assert v3.put_folder(v3.f2, v3.f1, v3.scoped).status_code == 200
    assert v3.parent("folder", v3.f2) == ("folder", v3.f1)


def test_a_building_token_may_keep_its_building_in_its_folder(v3: V3World) -> None:
    token = Token(key="one-building", name="b2", permission="write", scope=f"building:{v3.b2}")
    v3.app.extensions["mockserver"]["pipeline"].tokens = (*DEFAULT_TOKENS, token)
    headers = {"X-API-Key": "one-building"}
    assert v3.put_building(v3.b2, v3.f2, headers).status_code == 200
    assert v3.put_building(v3.b2, v3.f2a, headers).status_code == 403
    assert v3.parent("building", v3.b2) == ("folder", v3.f2)


def test_a_folder_cannot_move_below_itself(v3: V3World) -> None:
    assert v3.put_folder(v3.f2, v3.f2a, WRITE).status_code == 409
    assert v3.parent("folder", v3.f2) == ("folder", v3.f1)
    assert v3.put_folder(v3.f2, v3.root, WRITE).status_code == 200
    assert v3.parent("folder", v3.f2) is None


@pytest.mark.parametrize("path", V4_SPECS, ids=["v4.0@28168", "specs:v4.0/baseline"])
def test_v4_a_database_token_cannot_take_over_a_commodity_of_another_database(path, spec_cache) -> None:
    app = _app(path, spec_cache)
    client = app.test_client()
    databases = []
    for _ in range(2):
        body = body_for(app, "v4.0", "POST", "/database")
        body.pop("id", None)  # the server chooses
        response = client.post("/api/v4.0/database", json=body, headers=WRITE)
        assert response.status_code in (200, 201), response.json
        databases.append(response.json["id"])
    db1, db2 = databases
    body = {"commodityType": "Material", "databaseId": db2, "externalId": "C-2", "isActive": True}
    created = client.post("/api/v4.0/commodity", json=body, headers=WRITE)
    assert created.status_code in (200, 201), created.json
    c2 = created.json["id"]
    token = Token(key="db-one", name="db one", permission="write", scope=f"database:{db1}")
    app.extensions["mockserver"]["pipeline"].tokens = (*DEFAULT_TOKENS, token)
    scoped = {"X-API-Key": "db-one"}
    before = client.get(f"/api/v4.0/commodity/{c2}", headers=WRITE).json
    assert client.get(f"/api/v4.0/commodity/{c2}", headers=scoped).status_code == 403
    takeover = {"commodityType": "Material", "id": c2, "databaseId": db1, "isActive": False}
    response = client.put("/api/v4.0/commodity", json=takeover, headers=scoped)
    assert response.status_code == 403, response.json
    assert client.get(f"/api/v4.0/commodity/{c2}", headers=WRITE).json == before
    store = app.extensions["mockserver"]["store"]
    assert store.parent_of("commodity", c2) == ("database", db2)
    # and a commodity of DB1 cannot be moved out to DB2
    mine = client.post(
        "/api/v4.0/commodity", json={**body, "databaseId": db1, "externalId": "C-1"}, headers=scoped
    )
    assert mine.status_code in (200, 201), mine.json
    move = {"commodityType": "Material", "id": mine.json["id"], "databaseId": db2}
    assert client.put("/api/v4.0/commodity", json=move, headers=scoped).status_code == 403
    assert store.parent_of("commodity", mine.json["id"]) == ("database", db1)
