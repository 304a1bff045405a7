"""Building files move through the statuses of each build's enum as the platform moves them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.platform.lifecycles import load_lifecycles
from mockserver.auth.admin_guard import allow_host
from mockserver.platform.lifecycle_work import is_ifc
from tests.mock.conftest import WRITE, operation
from tests.mock.lifecycle_helpers import (
    IFC,
    OCTET,
    FakeClock,
    element_body,
    enum_of,
    file_url,
    first_building,
    lifecycle_app,
    new_file,
    poll,
    specs_of,
    status_of,
    validates,
    with_new_file,
)

UPLOAD = "POST /building/{}/files/{}/upload/{}"
V3, V3_IDS = specs_of("v3.0", (UPLOAD,))
OPENABLE, OPENABLE_IDS = specs_of("v3.0", ("POST /building/{}/files/{}/setimporting",))
RESTART, RESTART_IDS = specs_of("v3.0", ("POST /building/{}/files/restartrefinement",))
IFC_STEPS = list(load_lifecycles().lifecycles["file-processing"].variants["ifc"])
ELEMENTS = "/building/{buildingId}/files/{fileId}/elements"

if not V3:
    pytest.skip("no v3.0 spec with building file uploads", allow_module_level=True)


def _upload(client, building: str, file_id: str, content: bytes, name: str = "model.ifc"):
    response = client.post(f"{file_url(building, file_id)}/upload/{name}", data=content, headers=OCTET)
    assert response.status_code in (201, 202), response.json
    return response


@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_an_ifc_upload_is_processed_to_mapped(path, spec_cache) -> None:
    app = lifecycle_app(path, spec_cache, delay=0)
    client = app.test_client()
    building = first_building(client)
    created = new_file(app, client, building)
    assert created["status"] == "Creating"  # nothing uploaded yet
    _upload(client, building, created["id"], IFC)
    stored = client.get(file_url(building, created["id"]), headers=WRITE).json
    assert (
        stored["status"] == "Mapped" and stored["fileName"] == "model.ifc" and stored["fileSize"] == len(IFC)
    )
    status = client.get(f"{file_url(building, created['id'])}/status", headers=WRITE).json
    assert status["status"] == "Mapped"
    listed = client.get(f"/api/v3.0/building/{building}/files", headers=WRITE).json
    assert [f["status"] for f in listed if f["id"] == created["id"]] == ["Mapped"]
    jobs = client.get("/__mock/jobs").json["jobs"]
    assert [(j["kind"], j["status"], j["state"], j["entity"]["path"]) for j in jobs] == [
        ("file-processing", "Mapped", "done", file_url(building, created["id"]))
    ]


@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_every_status_of_the_build_is_passed_in_order(path, spec_cache) -> None:
    clock = FakeClock()
    app, client, building, file_id = with_new_file(path, spec_cache, delay=1.0, clock=clock)
    _upload(client, building, file_id, IFC)
    expected = [s.status for s in IFC_STEPS if s.status in enum_of(app)]
    seen = []
    for _ in expected:
        seen.append(status_of(client, building, file_id))
        clock.advance(1.0)
    assert seen == expected
    assert expected[0] == "Uploaded" and expected[-1] == "Mapped"
    clock.advance(60)
    assert status_of(client, building, file_id) == "Mapped"


def test_polling_in_real_time_sees_the_steps_in_order(spec_cache) -> None:
    path = V3[-1]
    app, client, building, file_id = with_new_file(path, spec_cache, delay=0.15)
    _upload(client, building, file_id, IFC)
    seen = poll(lambda: status_of(client, building, file_id), lambda s: s == "Mapped")
    order = [s.status for s in IFC_STEPS]
    assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)
    assert seen[-1] == "Mapped" and len(seen) >= 3


@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_an_upload_that_is_not_ifc_fails_to_import(path, spec_cache) -> None:
    app, client, building, file_id = with_new_file(path, spec_cache, delay=0)
    _upload(client, building, file_id, b"%PDF-1.4 not a model", name="drawing.pdf")
    outcome = status_of(client, building, file_id)
    assert outcome in {"UnknownImportFile", "ImportFailed"} & enum_of(app)
    [job] = client.get("/__mock/jobs").json["jobs"]
    assert job["state"] == "failed" and job["status"] == outcome and job["next"] is None


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(content=st.binary(max_size=64).filter(lambda b: not is_ifc(b)), seed=st.integers(0, 3))
def test_the_non_ifc_outcome_is_the_same_under_the_same_seed(spec_cache, content, seed) -> None:
    outcomes = []
    for _ in range(2):
        app = lifecycle_app(V3[-1], spec_cache, delay=0, seed=seed)
        client = app.test_client()
        building = first_building(client)
        file_id = new_file(app, client, building)["id"]
        _upload(client, building, file_id, content, name="notes.txt")
        outcomes.append(status_of(client, building, file_id))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0] in {"UnknownImportFile", "ImportFailed", "Error"}


def test_both_non_ifc_outcomes_occur_where_the_build_declares_both(spec_cache) -> None:
    app = lifecycle_app(V3[-1], spec_cache, delay=0)
    if not {"UnknownImportFile", "ImportFailed"} <= enum_of(app):
        pytest.skip("the newest build declares one non-IFC outcome only")
    client = app.test_client()
    building = first_building(client)
    seen = set()
    for index in range(16):
        file_id = new_file(app, client, building)["id"]
        _upload(client, building, file_id, f"sheet {index}".encode(), name=f"sheet{index}.xlsx")
        seen.add(status_of(client, building, file_id))
    assert seen == {"UnknownImportFile", "ImportFailed"}


@given(tail=st.binary(max_size=40), lead=st.sampled_from([b"", b"\xef\xbb\xbf", b"\r\n", b"  "]))
def test_ifc_is_recognised_by_its_first_bytes(tail, lead) -> None:
    assert is_ifc(lead + b"ISO-10303-21;" + tail)
    assert not is_ifc(b"PK\x03\x04" + tail)


@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_an_information_file_is_kept_not_imported(path, spec_cache) -> None:
    app, client, building, file_id = with_new_file(path, spec_cache, delay=0, type="Information")
    _upload(client, building, file_id, b"meeting notes", name="notes.txt")
    assert status_of(client, building, file_id) == "Uploaded"


@pytest.mark.parametrize("path", OPENABLE, ids=OPENABLE_IDS)
def test_elements_go_only_into_a_file_that_is_importing(path, spec_cache) -> None:
    clock = FakeClock()
    app, client, building, file_id = with_new_file(path, spec_cache, delay=1.0, clock=clock)
    url = f"{file_url(building, file_id)}/elements"
    element = element_body(app, "wall-1")
    refused = client.post(url, json=element, headers=WRITE)
    assert refused.status_code == 409, refused.json
    assert refused.json["status"] == 409 and "Importing" in refused.json["detail"]
    declared = operation(app, "v3.0", "POST", ELEMENTS).response_for(409)
    assert declared is None or validates(app, "v3.0", "POST", ELEMENTS, 409, refused.json)
    assert client.post(f"{file_url(building, file_id)}/setimporting", headers=WRITE).status_code == 204
    assert status_of(client, building, file_id) == "Importing"
    clock.advance(3600)  # an opened file stays open until refinement starts
    made = client.post(url, json=element, headers=WRITE)
    assert made.status_code == 201 and made.json["id"] == "wall-1"
    assert client.post(f"{file_url(building, file_id)}/startrefinement", headers=WRITE).status_code == 202
    second = element_body(app, "wall-2")
    assert client.post(url, json=second, headers=WRITE).status_code == 409
    assert [e["id"] for e in client.get(url, headers=WRITE).json] == ["wall-1"]


def test_without_setimporting_in_the_build_elements_are_accepted(spec_cache) -> None:
    without = [p for p in V3 if p not in OPENABLE]
    if not without:
        pytest.skip("every v3.0 spec here declares setimporting")
    app, client, building, file_id = with_new_file(without[0], spec_cache, delay=0)
    element = element_body(app, "slab-1")
    made = client.post(f"{file_url(building, file_id)}/elements", json=element, headers=WRITE)
    assert made.status_code == 201, made.json


@pytest.mark.parametrize("path", OPENABLE, ids=OPENABLE_IDS)
def test_startrefinement_runs_refinement_to_mapped(path, spec_cache) -> None:
    clock = FakeClock()
    app, client, building, file_id = with_new_file(path, spec_cache, delay=2.0, clock=clock)
    client.post(f"{file_url(building, file_id)}/setimporting", headers=WRITE)
    element = element_body(app, "beam-1")
    assert (
        client.post(f"{file_url(building, file_id)}/elements", json=element, headers=WRITE).status_code == 201
    )
    assert client.post(f"{file_url(building, file_id)}/startrefinement", headers=WRITE).status_code == 202
    seen = []
    for _ in range(4):
        seen.append(status_of(client, building, file_id))
        clock.advance(2.0)
    assert seen == ["Refining", "Refined", "Mapping", "Mapped"]


@pytest.mark.parametrize("path", RESTART, ids=RESTART_IDS)
def test_restartrefinement_names_the_file_in_its_body(path, spec_cache) -> None:
    app, client, building, file_id = with_new_file(path, spec_cache, delay=0)
    _upload(client, building, file_id, IFC)
    url = f"/api/v3.0/building/{building}/files/restartrefinement"
    assert client.post(url, json={"fileId": file_id}, headers=WRITE).status_code == 202
    assert status_of(client, building, file_id) == "Mapped"
    [job] = client.get("/__mock/jobs").json["jobs"]
    assert job["kind"] == "refinement" and job["entity"]["id"] == file_id
    missing = client.post(url, json={"fileId": "00000000-0000-4000-8000-00000000abcd"}, headers=WRITE)
    assert missing.status_code == 404 and "fileId" in missing.json["detail"]


@pytest.mark.parametrize("path", V3, ids=V3_IDS)
def test_an_uploaded_file_downloads_from_the_mock_itself(path, spec_cache) -> None:
    app, client, building, file_id = with_new_file(path, spec_cache, delay=0)
    content = IFC + bytes(range(256))
    _upload(client, building, file_id, content, name="tower block.ifc")
    allow_host(app, "mock.test")  # the name the client reaches the mock by (--allowed-host)
    answer = client.get(
        f"{file_url(building, file_id)}/download", headers=WRITE, base_url="http://mock.test:8123"
    )
    assert answer.status_code == 200
    assert validates(app, "v3.0", "GET", "/building/{buildingId}/files/{id}/download", 200, answer.json)
    url = answer.json["url"]
    assert url.startswith("http://mock.test:8123/downloads/v3.0/")
    served = client.get(url)  # no API key: a storage URL, as the platform's
    assert served.status_code == 200 and served.data == content
    assert "tower%20block.ifc" in served.headers["Content-Disposition"]
    empty = new_file(app, client, building)["id"]
    nothing = client.get(client.get(f"{file_url(building, empty)}/download", headers=WRITE).json["url"])
    assert nothing.status_code == 404 and "nothing was uploaded" in nothing.json["detail"]


def test_deleting_a_file_deletes_its_job_and_content(spec_cache) -> None:
    app, client, building, file_id = with_new_file(V3[-1], spec_cache, delay=5)
    _upload(client, building, file_id, IFC)
    url = client.get(f"{file_url(building, file_id)}/download", headers=WRITE).json["url"]
    assert len(client.get("/__mock/jobs").json["jobs"]) == 1
    assert client.delete(file_url(building, file_id), headers=WRITE).status_code == 204
    assert client.get("/__mock/jobs").json["jobs"] == []
    assert client.get(url).status_code == 404
