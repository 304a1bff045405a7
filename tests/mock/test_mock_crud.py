"""Stateful behaviour: create -> get -> update -> list -> delete -> 404, children, cascades, lookups."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver import create_app
from tests.conftest import real_build
from tests.mock.conftest import TOKENS, WRITE, body_for, load, runtime_of

V3 = "/api/v3.0"
V4 = "/api/v4.0"


@pytest.fixture
def v3(spec_cache):
    return create_app([load(real_build("v3.0", 30855), spec_cache)], tokens=TOKENS)


@pytest.fixture
def v4(spec_cache):
    return create_app([load(real_build("v4.0", 28168), spec_cache)], tokens=TOKENS)


def _new_building(app, client, **overrides):
    folder = client.get(f"{V3}/folder", headers=WRITE).json[0]["id"]
    body = body_for(app, "v3.0", "POST", "/building", folderId=folder, **overrides)
    response = client.post(f"{V3}/building", json=body, headers=WRITE)
    assert response.status_code == 201, response.json
    assert response.headers["Location"] == f"{V3}/building/{response.json['id']}"
    return response.json


def test_building_lifecycle(v3) -> None:
    client = v3.test_client()
    created = _new_building(v3, client, name="Town hall", externalId="TH-1")
    building_id = created["id"]
    assert created["name"] == "Town hall"
    assert client.get(f"{V3}/building/{building_id}", headers=WRITE).json == created
    body = body_for(v3, "v3.0", "PUT", "/building/{id}", folderId=created["folderId"], name="City hall")
    body.pop("externalId", None)
    updated = client.put(f"{V3}/building/{building_id}", json=body, headers=WRITE)
    assert updated.status_code == 200 and updated.json["name"] == "City hall"
    assert updated.json["id"] == building_id
    listed = client.get(f"{V3}/building", headers=WRITE).json
    assert [b for b in listed if b["id"] == building_id] == [updated.json]
    by_external = client.get(f"{V3}/building/external/TH-1", headers=WRITE)
    assert by_external.status_code == 200 and by_external.json["id"] == building_id
    assert client.delete(f"{V3}/building/{building_id}", headers=WRITE).status_code == 204
    assert client.get(f"{V3}/building/{building_id}", headers=WRITE).status_code == 404
    assert client.get(f"{V3}/building/external/TH-1", headers=WRITE).status_code == 404
    assert all(b["id"] != building_id for b in client.get(f"{V3}/building", headers=WRITE).json)


def test_children_live_under_parents_and_go_with_them(v3) -> None:
    client = v3.test_client()
    building = _new_building(v3, client)["id"]
    other = _new_building(v3, client)["id"]
    file_body = body_for(v3, "v3.0", "POST", "/building/{buildingId}/files", preferredDatabaseIds=[])
    created = client.post(f"{V3}/building/{building}/files", json=file_body, headers=WRITE)
    assert created.status_code == 201, created.json
    file_id = created.json["id"]
    assert created.json["buildingId"] == building
    assert [f["id"] for f in client.get(f"{V3}/building/{building}/files", headers=WRITE).json] == [file_id]
    assert client.get(f"{V3}/building/{other}/files", headers=WRITE).json == []
    assert client.get(f"{V3}/building/{other}/files/{file_id}", headers=WRITE).status_code == 404
    element = body_for(v3, "v3.0", "POST", "/building/{buildingId}/files/{fileId}/elements", id="E-1")
    opened = client.post(f"{V3}/building/{building}/files/{file_id}/setimporting", headers=WRITE)
    assert opened.status_code == 204  # elements go into a file that is importing
    made = client.post(f"{V3}/building/{building}/files/{file_id}/elements", json=element, headers=WRITE)
    assert made.status_code == 201 and made.json["id"] == "E-1"
    assert made.json["buildingFileId"] == file_id
    element_url = f"{V3}/building/{building}/files/{file_id}/elements/E-1"
    assert client.get(element_url, headers=WRITE).status_code == 200
    assert client.delete(f"{V3}/building/{building}", headers=WRITE).status_code == 204
    assert client.get(f"{V3}/building/{building}/files/{file_id}", headers=WRITE).status_code == 404
    assert client.get(element_url, headers=WRITE).status_code == 404
    runtime = runtime_of(v3, "v3.0")
    assert runtime is not None


def test_missing_parents_are_404(v3) -> None:
    client = v3.test_client()
    missing = str(uuid.uuid4())
    body = body_for(v3, "v3.0", "POST", "/building", folderId=missing)
    response = client.post(f"{V3}/building", json=body, headers=WRITE)
    assert response.status_code == 404 and missing in response.json["detail"]
    file_body = body_for(v3, "v3.0", "POST", "/building/{buildingId}/files")
    assert client.post(f"{V3}/building/{missing}/files", json=file_body, headers=WRITE).status_code == 404
    folder = body_for(v3, "v3.0", "POST", "/folder", parentId=missing)
    assert client.post(f"{V3}/folder", json=folder, headers=WRITE).status_code == 404


def test_folder_tree_hangs_under_the_account(v3) -> None:
    client = v3.test_client()
    account = client.get(f"{V3}/account", headers=WRITE).json["id"]
    folders = client.get(f"{V3}/folder", headers=WRITE).json
    ids = {f["id"] for f in folders}
    assert any(f["parentId"] == account for f in folders)
    assert any(f["parentId"] in ids for f in folders)
    top = client.post(
        f"{V3}/folder", json=body_for(v3, "v3.0", "POST", "/folder", parentId=account), headers=WRITE
    )
    assert top.status_code == 201
    child = body_for(v3, "v3.0", "POST", "/folder", parentId=top.json["id"])
    assert client.post(f"{V3}/folder", json=child, headers=WRITE).json["parentId"] == top.json["id"]


def test_actions_change_what_the_api_shows(spec_cache) -> None:
    v3 = create_app([load(real_build("v3.0", 30855), spec_cache)], tokens=TOKENS, processing_delay=600)
    client = v3.test_client()
    building = _new_building(v3, client)["id"]
    file_body = body_for(v3, "v3.0", "POST", "/building/{buildingId}/files", preferredDatabaseIds=[])
    file_id = client.post(f"{V3}/building/{building}/files", json=file_body, headers=WRITE).json["id"]
    upload = client.post(
        f"{V3}/building/{building}/files/{file_id}/upload/model.ifc",
        data=b"ISO-10303-21;",
        headers={**WRITE, "Content-Type": "application/octet-stream"},
    )
    assert upload.status_code in (201, 202)
    stored = client.get(f"{V3}/building/{building}/files/{file_id}", headers=WRITE).json
    assert stored["status"] == "Uploaded" and stored["fileName"] == "model.ifc" and stored["fileSize"] == 13
    status = client.get(f"{V3}/building/{building}/files/{file_id}/status", headers=WRITE).json
    assert status["status"] == "Uploaded"
    url = f"{V3}/building/{building}/files/{file_id}/startrefinement"
    assert client.post(url, headers=WRITE).status_code == 202
    status = client.get(f"{V3}/building/{building}/files/{file_id}/status", headers=WRITE).json
    assert status["status"] == "Refining"
    assert client.post(f"{V3}/building/{building}/process", headers=WRITE).status_code == 202


def test_an_empty_upload_is_an_empty_payload_not_a_missing_body(v3) -> None:
    client = v3.test_client()
    building = _new_building(v3, client)["id"]
    file_body = body_for(v3, "v3.0", "POST", "/building/{buildingId}/files", preferredDatabaseIds=[])
    file_id = client.post(f"{V3}/building/{building}/files", json=file_body, headers=WRITE).json["id"]
    url = f"{V3}/building/{building}/files/{file_id}/upload/empty.ifc"
    empty = client.post(url, data=b"", headers={**WRITE, "Content-Type": "application/octet-stream"})
    assert empty.status_code in (201, 202)
    stored = client.get(f"{V3}/building/{building}/files/{file_id}", headers=WRITE).json
    assert stored["fileSize"] == 0


def test_v4_commodities_carry_ids_in_the_body(v4) -> None:
    client = v4.test_client()
    database = client.post(f"{V4}/database", json=body_for(v4, "v4.0", "POST", "/database"), headers=WRITE)
    assert database.status_code == 201, database.json
    database_id = database.json["id"]
    body = {"commodityType": "Material", "databaseId": database_id, "externalId": "M-1", "isActive": True}
    created = client.post(f"{V4}/commodity", json=body, headers=WRITE)
    assert created.status_code == 200, created.json
    commodity_id = created.json["id"]
    assert created.json["databaseId"] == database_id
    assert client.get(f"{V4}/commodity/{commodity_id}", headers=WRITE).json["externalId"] == "M-1"
    found = client.get(f"{V4}/commodity/{database_id}/external/M-1", headers=WRITE)
    assert found.status_code == 200 and found.json["id"] == commodity_id
    other_db = client.get(f"{V4}/database", headers=WRITE).json[0]["id"]
    assert client.get(f"{V4}/commodity/{other_db}/external/M-1", headers=WRITE).status_code == 404
    update = {"commodityType": "Material", "id": commodity_id, "isActive": False}
    updated = client.put(f"{V4}/commodity", json=update, headers=WRITE)
    assert updated.status_code == 200 and updated.json["isActive"] is False
    listed = client.get(f"{V4}/database/{database_id}/commodities", headers=WRITE)
    assert listed.status_code == 200
    assert commodity_id in str(listed.json)
    missing = client.put(f"{V4}/commodity", json={**update, "id": str(uuid.uuid4())}, headers=WRITE)
    assert missing.status_code == 404
    assert client.delete(f"{V4}/database/{database_id}", headers=WRITE).status_code == 204
    assert client.get(f"{V4}/commodity/{commodity_id}", headers=WRITE).status_code == 404


def test_commodity_for_a_missing_database_is_404(v4) -> None:
    client = v4.test_client()
    body = {"commodityType": "Material", "databaseId": str(uuid.uuid4())}
    assert client.post(f"{V4}/commodity", json=body, headers=WRITE).status_code == 404


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(min_size=1, max_size=40), external=st.text(alphabet="abcXYZ019-_. ", min_size=1, max_size=12)
)
def test_what_is_stored_is_what_comes_back(v3, name: str, external: str) -> None:
    client = v3.test_client()
    created = _new_building(v3, client, name=name, externalId=external)
    assert client.get(f"{V3}/building/{created['id']}", headers=WRITE).json["name"] == name
    from urllib.parse import quote

    found = client.get(f"{V3}/building/external/{quote(external, safe='')}", headers=WRITE)
    assert found.status_code == 200 and found.json["externalId"] == external


def test_v4_bill_of_materials_children(v4) -> None:
    client = v4.test_client()
    databases = [d["id"] for d in client.get(f"{V4}/database", headers=WRITE).json]
    listed = [c for d in databases for c in client.get(f"{V4}/database/{d}/commodities", headers=WRITE).json]
    parent, child = listed[0]["id"], listed[1]["id"]
    before = client.get(f"{V4}/commodity/{parent}/children", headers=WRITE).json
    added = client.post(
        f"{V4}/commodity/{parent}/children/quantity",
        json={"commodityId": child, "quantity": 2},
        headers=WRITE,
    )
    assert added.status_code == 202
    children = client.get(f"{V4}/commodity/{parent}/children", headers=WRITE).json
    new = [c for c in children if c["id"] not in {b["id"] for b in before}]  # the shares change
    assert len(new) == 1 and new[0]["commodityId"] == child and new[0]["quantity"] == 2
    url = f"{V4}/commodity/{parent}/children/{new[0]['id']}"
    assert client.delete(url, headers=WRITE).status_code == 202
    assert client.delete(url, headers=WRITE).status_code == 404
    missing = {"commodityId": str(uuid.uuid4()), "quantity": 1}
    assert (
        client.post(f"{V4}/commodity/{parent}/children/weight", json=missing, headers=WRITE).status_code
        == 404
    )
    assert client.delete(f"{V4}/commodity/{parent}/children/clear", headers=WRITE).status_code == 202
    assert client.get(f"{V4}/commodity/{parent}/children", headers=WRITE).json == []
