"""Ids a client sends that name the platform's catalogue (folder types, classification methods,
databases) must name something the platform has: otherwise a 404 ProblemDetails naming the field
and the value, and nothing stored. Codes the catalogue holds only a selection of (usage codes,
material classification types) are stored as sent (docs/mock.md)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver import create_app
from tests.conftest import real_build
from tests.mock.conftest import WRITE, body_for, load, runtime_of
from tests.mock.lifecycle_helpers import specs_of, validates

V3, V3_IDS = specs_of("v3.0", ("POST /folder", "POST /building", "POST /building/{}/files"))
MADASTER_DB = "00000000-0000-0000-0000-000000000000"
UNKNOWN = "7d1b6a52-4c1e-4e37-9a57-3f0f2a1c9e01"

if not V3:
    pytest.skip("no v3.0 spec with folders, buildings and files", allow_module_level=True)


def _fields(app, suffix: str) -> set[str]:
    runtime = runtime_of(app, "v3.0")
    op = next(o for o in runtime.operations if o.method == "POST" and o.template == f"/api/v3.0{suffix}")
    return set().union(*(runtime.property_names(s) for s in op.body.media.values()))


def _refused(app, answer, suffix: str, field: str, value: str) -> None:
    assert answer.status_code == 404, answer.json
    assert answer.json["status"] == 404 and f"{field} '{value}'" in answer.json["detail"], answer.json
    assert validates(app, "v3.0", "POST", suffix, 404, answer.json) or "default" not in str(answer.json)


def _count(client, url: str) -> int:
    return len(client.get(url, headers=WRITE).json)


@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_a_folder_of_an_unknown_folder_type_is_refused(path, spec_cache) -> None:
    app = create_app([load(path, spec_cache)])
    client = app.test_client()
    parent = client.get("/api/v3.0/folder", headers=WRITE).json[0]
    folders = _count(client, "/api/v3.0/folder")
    body = body_for(app, "v3.0", "POST", "/folder", parentId=parent["id"], foldertypeId=UNKNOWN)
    _refused(
        app, client.post("/api/v3.0/folder", json=body, headers=WRITE), "/folder", "foldertypeId", UNKNOWN
    )
    assert _count(client, "/api/v3.0/folder") == folders
    body["foldertypeId"] = parent["foldertypeId"]
    created = client.post("/api/v3.0/folder", json=body, headers=WRITE)
    assert created.status_code == 201, created.json
    moved = client.put(
        f"/api/v3.0/folder/{created.json['id']}", json={**body, "foldertypeId": UNKNOWN}, headers=WRITE
    )
    assert moved.status_code == 404 and "foldertypeId" in moved.json["detail"], moved.json
    kept = client.get(f"/api/v3.0/folder/{created.json['id']}", headers=WRITE).json
    assert kept["foldertypeId"] == parent["foldertypeId"]


@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_a_file_naming_an_unknown_database_or_method_is_refused(path, spec_cache) -> None:
    app = create_app([load(path, spec_cache)])
    client = app.test_client()
    building = client.get("/api/v3.0/building", headers=WRITE).json[0]["id"]
    url = f"/api/v3.0/building/{building}/files"
    suffix = "/building/{buildingId}/files"
    files = _count(client, url)
    body = body_for(app, "v3.0", "POST", suffix, preferredDatabaseIds=[MADASTER_DB, UNKNOWN], type="Source")
    _refused(app, client.post(url, json=body, headers=WRITE), suffix, "preferredDatabaseIds", UNKNOWN)
    body["preferredDatabaseIds"] = [MADASTER_DB]
    if "classificationTypeId" in _fields(app, suffix):
        wrong = {**body, "classificationTypeId": UNKNOWN}
        _refused(app, client.post(url, json=wrong, headers=WRITE), suffix, "classificationTypeId", UNKNOWN)
    assert _count(client, url) == files
    assert client.post(url, json=body, headers=WRITE).status_code == 201


@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_a_building_with_an_unknown_method_is_refused_an_unknown_usage_code_kept(path, spec_cache) -> None:
    app = create_app([load(path, spec_cache)])
    client = app.test_client()
    folder = client.get("/api/v3.0/folder", headers=WRITE).json[0]["id"]
    fields = _fields(app, "/building")
    body = body_for(app, "v3.0", "POST", "/building", folderId=folder)
    if "classificationType" in fields:
        wrong = {**body, "classificationType": UNKNOWN}
        _refused(
            app,
            client.post("/api/v3.0/building", json=wrong, headers=WRITE),
            "/building",
            "classificationType",
            UNKNOWN,
        )
    codes = {"buildingUsage": "industrial-coldstorage", "materialClassificationTypeId": "uniclass_2015"}
    sent = {k: v for k, v in codes.items() if k in fields}
    created = client.post("/api/v3.0/building", json={**body, **sent}, headers=WRITE)
    assert created.status_code == 201, created.json
    read = client.get(f"/api/v3.0/building/{created.json['id']}", headers=WRITE).json
    shown = runtime_of(app, "v3.0").property_names(runtime_of(app, "v3.0").entity_schema("building"))
    assert {k: read.get(k) for k in sent if k in shown} == {k: v for k, v in sent.items() if k in shown}


def test_a_database_the_account_made_in_v4_is_a_known_database_in_v3(spec_cache) -> None:
    app = create_app(
        [load(real_build("v3.0", 30855), spec_cache), load(real_build("v4.0", 28168), spec_cache)]
    )
    client = app.test_client()
    own = client.post("/api/v4.0/database", json={"names": {"en": "Own products"}}, headers=WRITE)
    assert own.status_code in (200, 201), own.json
    building = client.get("/api/v3.0/building", headers=WRITE).json[0]["id"]
    suffix = "/building/{buildingId}/files"
    body = body_for(app, "v3.0", "POST", suffix, preferredDatabaseIds=[own.json["id"]], type="Source")
    made = client.post(f"/api/v3.0/building/{building}/files", json=body, headers=WRITE)
    assert made.status_code == 201, made.json


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.uuids(version=4))
def test_any_folder_type_id_outside_the_catalogue_is_refused(spec_cache, value: uuid.UUID) -> None:
    app = _shared_app(spec_cache)
    known = runtime_of(app, "v3.0").catalogue.ids()["folder_types"]
    client = app.test_client()
    parent = client.get("/api/v3.0/folder", headers=WRITE).json[0]["id"]
    body = body_for(app, "v3.0", "POST", "/folder", parentId=parent, foldertypeId=str(value))
    answer = client.post("/api/v3.0/folder", json=body, headers=WRITE)
    assert answer.status_code == (201 if str(value) in known else 404), answer.json


_APPS: dict[str, object] = {}


def _shared_app(spec_cache):
    if "app" not in _APPS:
        _APPS["app"] = create_app([load(real_build("v3.0", 30855), spec_cache)])
    return _APPS["app"]


RESTARTABLE, RESTARTABLE_IDS = specs_of("v3.0", ("POST /building/{}/files/restartrefinement",))


@pytest.mark.parametrize("path", RESTARTABLE, ids=RESTARTABLE_IDS)
def test_restarting_refinement_with_an_unknown_database_starts_nothing(path, spec_cache) -> None:
    app = create_app([load(path, spec_cache)], processing_delay=0)
    client = app.test_client()
    building = client.get("/api/v3.0/building", headers=WRITE).json[0]["id"]
    mapped = client.get(f"/api/v3.0/building/{building}/files", headers=WRITE).json[0]["id"]  # a fixture
    url = f"/api/v3.0/building/{building}/files/restartrefinement"
    body = {"fileId": mapped, "preferredDatabaseIds": [UNKNOWN]}
    answer = client.post(url, json=body, headers=WRITE)
    assert answer.status_code == 404 and f"preferredDatabaseIds '{UNKNOWN}'" in answer.json["detail"]
    assert client.get("/__mock/jobs").json["jobs"] == []
    body["preferredDatabaseIds"] = [MADASTER_DB]
    assert client.post(url, json=body, headers=WRITE).status_code == 202
