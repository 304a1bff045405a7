"""Activation keeps a building dirty until processed; a v4.0 commodity version becomes active in time."""

from __future__ import annotations

import pytest

from tests.mock.conftest import WRITE
from tests.mock.lifecycle_helpers import (
    IFC,
    OCTET,
    FakeClock,
    file_url,
    first_building,
    lifecycle_app,
    new_file,
    poll,
    specs_of,
    validates,
)

ACTIVE, ACTIVE_IDS = specs_of("v3.0", ("POST /building/{}/files/{}/active",))
BATCH, BATCH_IDS = specs_of("v3.0", ("POST /building/{}/batchactivate",))
PROCESS, PROCESS_IDS = specs_of("v3.0", ("POST /building/{}/process",))
VERSION, VERSION_IDS = specs_of("v4.0", ("POST /commodity/{}/version",))


def _dirty(client, building: str) -> bool:
    return client.get(f"/api/v3.0/building/{building}", headers=WRITE).json["isDirty"]


@pytest.mark.parametrize("path", ACTIVE, ids=ACTIVE_IDS)
def test_activating_a_file_makes_the_building_dirty_until_processed(path, spec_cache) -> None:
    clock = FakeClock()
    app = lifecycle_app(path, spec_cache, delay=3.0, clock=clock)
    client = app.test_client()
    building = first_building(client)
    assert _dirty(client, building) is False  # fixtures are processed
    file_id = new_file(app, client, building)["id"]
    client.post(f"{file_url(building, file_id)}/upload/model.ifc", data=IFC, headers=OCTET)
    clock.advance(60)
    switched = client.post(f"{file_url(building, file_id)}/active", json=True, headers=WRITE)
    assert switched.status_code == 200, switched.json
    assert switched.json["isActive"] is True and switched.json["id"] == file_id
    assert validates(app, "v3.0", "POST", "/building/{buildingId}/files/{id}/active", 200, switched.json)
    assert _dirty(client, building) is True
    clock.advance(2.9)
    assert _dirty(client, building) is True
    clock.advance(0.2)
    assert _dirty(client, building) is False
    off = client.post(f"{file_url(building, file_id)}/active", json=False, headers=WRITE)
    assert off.json["isActive"] is False and _dirty(client, building) is True


@pytest.mark.parametrize("path", BATCH, ids=BATCH_IDS)
def test_batchactivate_switches_the_files_on_and_processes_the_building(path, spec_cache) -> None:
    app = lifecycle_app(path, spec_cache, delay=1.0)
    client = app.test_client()
    building = first_building(client)
    files = [new_file(app, client, building)["id"] for _ in range(2)]
    foreign = "00000000-0000-4000-8000-0000000000ff"  # not a file of this building: left alone
    answer = client.post(
        f"/api/v3.0/building/{building}/batchactivate", json=[*files, foreign], headers=WRITE
    )
    assert answer.status_code == 202
    for file_id in files:
        assert client.get(file_url(building, file_id), headers=WRITE).json["isActive"] is True
    seen = poll(lambda: _dirty(client, building), lambda dirty: dirty is False)
    assert seen[-1] is False and seen[0] is True  # polled as a client would, until processed


@pytest.mark.parametrize("path", PROCESS, ids=PROCESS_IDS)
def test_process_recalculates_the_building(path, spec_cache) -> None:
    app = lifecycle_app(path, spec_cache, delay=0)
    client = app.test_client()
    building = first_building(client)
    assert client.post(f"/api/v3.0/building/{building}/process", headers=WRITE).status_code == 202
    assert _dirty(client, building) is False
    [job] = client.get("/__mock/jobs").json["jobs"]
    assert job["kind"] == "activation" and job["status"] == "Processed" and job["state"] == "done"
    assert job["entity"]["path"] == f"/api/v3.0/building/{building}"


@pytest.mark.parametrize("path", VERSION, ids=VERSION_IDS)
def test_a_new_commodity_version_becomes_active_and_retires_the_old(path, spec_cache) -> None:
    clock = FakeClock()
    app = lifecycle_app(path, spec_cache, delay=1.0, clock=clock)
    client = app.test_client()
    database = client.get("/api/v4.0/database", headers=WRITE).json[0]["id"]
    old = client.get(f"/api/v4.0/database/{database}/commodities", headers=WRITE).json[0]
    answer = client.post(f"/api/v4.0/commodity/{old['id']}/version", headers=WRITE)
    assert answer.status_code == 202
    new_id = answer.json
    assert isinstance(new_id, str) and new_id != old["id"]
    assert validates(app, "v4.0", "POST", "/commodity/{id}/version", 202, new_id)
    created = client.get(f"/api/v4.0/commodity/{new_id}", headers=WRITE)
    assert created.status_code == 200 and created.json["isActive"] is False
    assert created.json["databaseId"] == database
    [job] = client.get("/__mock/jobs").json["jobs"]
    assert (job["kind"], job["status"], job["next"]) == ("commodity-version", "Creating", "Active")
    assert job["entity"]["path"] == f"/api/v4.0/commodity/{new_id}"
    clock.advance(1.0)
    assert client.get(f"/api/v4.0/commodity/{new_id}", headers=WRITE).json["isActive"] is True
    assert client.get(f"/api/v4.0/commodity/{old['id']}", headers=WRITE).json["isActive"] is False
    listed = client.get(f"/api/v4.0/database/{database}/commodities", headers=WRITE).json
    assert new_id in [c["id"] for c in listed]
