"""What the mock computes for folders and files: the empty Guid as the account, new files inactive
and nameless until an upload, an uploaded IFC file imported in its job, counts from the elements."""

from __future__ import annotations

import functools
import math
import re

import pytest

from contracts.platform.ifc_import import load_rules
from mockserver import create_app
from tests.conftest import real_build
from tests.ifc_models import Authored, author
from tests.mock.conftest import WRITE
from tests.mock.lifecycle_helpers import (
    OCTET,
    FakeClock,
    file_url,
    first_building,
    lifecycle_app,
    new_file,
    specs_of,
    with_new_file,
)

UPLOAD = "POST /building/{}/files/{}/upload/{}"
V3, V3_IDS = specs_of("v3.0", (UPLOAD,))
FOLDERS, FOLDER_IDS = specs_of("v3.0", ("POST /folder",))
EMPTY_GUID = "00000000-0000-0000-0000-000000000000"
PLACEHOLDER = re.compile(r"mock-\d+")

if not V3:
    pytest.skip("no v3.0 spec with building file uploads", allow_module_level=True)


@functools.cache
def authored(schema: str, elements: int) -> Authored:
    return author(schema, elements, seed=3)


def _upload(client, building: str, file_id: str, content: bytes, name: str = "office.ifc") -> None:
    response = client.post(f"{file_url(building, file_id)}/upload/{name}", data=content, headers=OCTET)
    assert response.status_code in (201, 202), response.json


def _status(client, building: str, file_id: str) -> dict:
    response = client.get(f"{file_url(building, file_id)}/status", headers=WRITE)
    assert response.status_code == 200, response.json
    return response.json


def _elements(client, building: str, file_id: str) -> list[dict]:
    response = client.get(f"{file_url(building, file_id)}/elements", headers=WRITE)
    assert response.status_code == 200, response.json
    return response.json


# -- 1. the empty Guid as a folder's parent ----------------------------------------------------
@pytest.mark.parametrize("path", FOLDERS, ids=FOLDER_IDS)
def test_a_folder_whose_parent_is_the_empty_guid_lands_at_the_account_top(path, spec_cache) -> None:
    client = lifecycle_app(path, spec_cache).test_client()
    account = client.get("/api/v3.0/account", headers=WRITE).json["id"]
    folder_type = client.get("/api/v3.0/account/foldertypes", headers=WRITE).json[0]["id"]
    body = {"name": "Portefeuille Utrecht", "parentId": EMPTY_GUID, "foldertypeId": folder_type}
    created = client.post("/api/v3.0/folder", json=body, headers=WRITE)
    assert created.status_code in (200, 201), created.json
    assert created.headers["X-Mock-Leniency"] == "empty-guid-parent; body.parentId"
    listed = {f["name"]: f for f in client.get("/api/v3.0/folder", headers=WRITE).json}
    assert listed["Portefeuille Utrecht"]["parentId"] == account
    logged = [e for e in client.get("/__mock/requests").json if e["method"] == "POST"][-1]
    assert logged["leniencies"] == [{"leniency": "empty-guid-parent", "location": "body.parentId"}]


def test_strict_refuses_the_empty_guid_as_a_parent() -> None:
    client = create_app([real_build("v3.0", 30855)], strict=True).test_client()
    folder_type = client.get("/api/v3.0/account/foldertypes", headers=WRITE).json[0]["id"]
    body = {"name": "Portefeuille", "parentId": EMPTY_GUID, "foldertypeId": folder_type}
    assert client.post("/api/v3.0/folder", json=body, headers=WRITE).status_code == 404


# -- 2. and 7. a new file: inactive, no name, no bytes; then the upload's ----------------------
@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_a_new_file_is_inactive_and_nameless_until_uploaded_and_activated(path, spec_cache) -> None:
    app = lifecycle_app(path, spec_cache)
    client = app.test_client()
    building = first_building(client)
    created = new_file(app, client, building, name="Constructie.ifc")
    assert created["isActive"] is False and created["status"] == "Creating"
    assert created["fileName"] is None and created.get("fileSize") in (None, 0)
    read = client.get(file_url(building, created["id"]), headers=WRITE).json
    assert read["isActive"] is False and read["fileName"] is None and read.get("fileSize") in (None, 0)
    content = authored("IFC4", 12).content
    _upload(client, building, created["id"], content, "Constructie.ifc")
    read = client.get(file_url(building, created["id"]), headers=WRITE).json
    assert (read["fileName"], read["fileSize"], read["status"]) == ("Constructie.ifc", len(content), "Mapped")
    assert read["isActive"] is False  # processing does not activate a file: the client does
    before = client.get(f"/api/v3.0/building/{building}/validation", headers=WRITE).json
    switched = client.post(f"{file_url(building, created['id'])}/active", json=True, headers=WRITE)
    assert switched.status_code in (200, 202), switched.json
    assert client.get(file_url(building, created["id"]), headers=WRITE).json["isActive"] is True
    after = client.get(f"/api/v3.0/building/{building}/validation", headers=WRITE).json
    assert before != after  # the building's figures now count the activated file's elements
    assert client.get(f"/api/v3.0/building/{building}", headers=WRITE).json["isDirty"] is False


# -- 3. an uploaded IFC file is imported in its job -------------------------------------------
@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4"])
@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_an_uploaded_ifc_file_lists_its_building_elements_by_global_id(path, schema, spec_cache) -> None:
    model = authored(schema, 40)
    app, client, building, file_id = with_new_file(path, spec_cache)
    _upload(client, building, file_id, model.content)
    listed = {e["id"]: e for e in _elements(client, building, file_id)}
    assert set(listed) == set(model.expected) and not model.not_listed & set(listed)
    for global_id, expected in model.expected.items():
        got = listed[global_id]
        assert got["buildingFileId"] == file_id
        for name in ("name", "elementClass", "typeName", "materialName", "floor"):
            assert got.get(name) == expected[name], (global_id, name)
        for name in ("volume", "area", "length", "width", "height"):
            assert math.isclose(got[name], expected[name], rel_tol=1e-6, abs_tol=1e-9), (global_id, name)
    one = next(iter(model.expected))
    read = client.get(f"{file_url(building, file_id)}/elements/{one}", headers=WRITE)
    assert read.status_code == 200 and read.json["id"] == one
    status = _status(client, building, file_id)
    assert status["elementCount"] == status["elementProcessedCount"] == len(model.expected)


@pytest.mark.parametrize("path", V3[:1], ids=V3_IDS[:1])
def test_the_elements_appear_when_the_job_reaches_imported(path, spec_cache) -> None:
    clock = FakeClock()
    app, client, building, file_id = with_new_file(path, spec_cache, delay=1.0, clock=clock)
    _upload(client, building, file_id, authored("IFC4", 12).content)
    seen = []
    for _ in range(8):
        status = _status(client, building, file_id)
        seen.append((status["status"], status["elementCount"], len(_elements(client, building, file_id))))
        clock.advance(1.0)
    assert seen[0] == ("Uploaded", 0, 0) and seen[1] == ("Importing", 0, 0)
    imported = seen[2]
    assert imported[0] == "Imported" and imported[1] == imported[2] >= 12
    assert seen[-1] == ("Mapped", imported[1], imported[2])


@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_a_file_that_is_no_readable_ifc_fails_to_import_and_says_why(path, spec_cache) -> None:
    app, client, building, file_id = with_new_file(path, spec_cache)
    _upload(client, building, file_id, b"ISO-10303-21;\nHEADER;\nthis is no STEP file\n")
    status = _status(client, building, file_id)
    assert status["status"] in ("ImportFailed", "UnknownImportFile", "Error")
    assert status["statusMessage"].startswith("The IFC file could not be read: ")
    assert status["elementCount"] == 0 and _elements(client, building, file_id) == []
    other = new_file(app, client, building)["id"]
    _upload(client, building, other, b"%PDF-1.4 not a model", "drawing.pdf")
    status = _status(client, building, other)
    assert status["status"] in ("ImportFailed", "UnknownImportFile")
    assert status["statusMessage"] == load_rules().messages["not_ifc"]


@pytest.mark.parametrize("path", V3[:1], ids=V3_IDS[:1])
def test_the_element_list_answers_every_element_as_the_spec_declares_no_paging(path, spec_cache) -> None:
    model = authored("IFC4", 300)
    app, client, building, file_id = with_new_file(path, spec_cache)
    _upload(client, building, file_id, model.content)
    response = client.get(f"{file_url(building, file_id)}/elements", headers=WRITE)
    assert len(response.json) == len(model.expected) >= 300
    assert "X-Mock-Truncated" not in response.headers


@pytest.mark.parametrize("path", V3[:1], ids=V3_IDS[:1])
def test_a_new_upload_replaces_the_elements_of_the_previous_one(path, spec_cache) -> None:
    app, client, building, file_id = with_new_file(path, spec_cache)
    _upload(client, building, file_id, authored("IFC4", 12).content)
    second = author("IFC2X3", 20, seed=9)
    _upload(client, building, file_id, second.content)
    assert {e["id"] for e in _elements(client, building, file_id)} == set(second.expected)


# -- 5. counts: from the elements, the same on every read, never placeholders -------------------
@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_file_status_is_derived_from_the_elements_and_the_same_on_every_read(path, spec_cache) -> None:
    app = lifecycle_app(path, spec_cache)
    client = app.test_client()
    building = first_building(client)
    for file in client.get(f"/api/v3.0/building/{building}/files", headers=WRITE).json:
        first, second = _status(client, building, file["id"]), _status(client, building, file["id"])
        assert first == second
        count = len(_elements(client, building, file["id"]))
        assert first["elementCount"] == count and first["elementProcessedCount"] in (0, count)
        assert not PLACEHOLDER.search(str(first))
    created = new_file(app, client, building)
    assert _status(client, building, created["id"]) == {
        "status": "Creating",
        "elementCount": 0,
        "elementProcessedCount": 0,
        "statusMessage": None,
    }
