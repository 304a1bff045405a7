"""``POST .../elements/batch`` creates or updates each element of its array body under the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver import create_app
from tests.conftest import PROJECT_ROOT, real_builds
from tests.mock.conftest import WRITE, body_for, load

V3 = "/api/v3.0"
SPECS = [p for p in real_builds() if p.parent.name == "v3.0"] + [PROJECT_ROOT / "specs/v3.0/baseline.yaml"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_batch_upserts_elements_under_the_file(spec: Path, spec_cache) -> None:
    app = create_app([load(spec, spec_cache)], processing_delay=0)
    client = app.test_client()
    folder = client.get(f"{V3}/folder", headers=WRITE).json[0]["id"]
    building = client.post(
        f"{V3}/building", json=body_for(app, "v3.0", "POST", "/building", folderId=folder), headers=WRITE
    ).json["id"]
    file_body = body_for(app, "v3.0", "POST", "/building/{buildingId}/files", preferredDatabaseIds=[])
    files = f"{V3}/building/{building}/files"
    file_id, other_id = (client.post(files, json=file_body, headers=WRITE).json["id"] for _ in range(2))
    for opened in (file_id, other_id):  # open for elements (the baseline has no setimporting: a 404)
        client.post(f"{files}/{opened}/setimporting", headers=WRITE)
    element = "/building/{buildingId}/files/{fileId}/elements"
    first = body_for(app, "v3.0", "POST", element, id="E-1", name="Wall")
    second = body_for(app, "v3.0", "POST", element, id="E-2", name="Slab")
    batch = client.post(f"{files}/{file_id}/elements/batch", json=[first, second], headers=WRITE)
    assert batch.status_code == 200, batch.json
    assert batch.json.get("failures", []) == []
    listed = client.get(f"{files}/{file_id}/elements", headers=WRITE).json
    assert sorted((e["id"], e["name"]) for e in listed) == [("E-1", "Wall"), ("E-2", "Slab")]
    assert all(e["buildingFileId"] == file_id for e in listed)

    renamed = {**first, "name": "Wall, renamed"}
    assert client.post(f"{files}/{file_id}/elements/batch", json=[renamed], headers=WRITE).status_code == 200
    read = client.get(f"{files}/{file_id}/elements/E-1", headers=WRITE).json
    assert read["name"] == "Wall, renamed"
    assert len(client.get(f"{files}/{file_id}/elements", headers=WRITE).json) == 2
    assert client.get(f"{files}/{other_id}/elements", headers=WRITE).json == []


def test_element_ids_belong_to_their_file(spec_cache) -> None:
    """An element id is unique within its file: another file may use it, and neither is touched."""
    spec = PROJECT_ROOT / "specs/v3.0/baseline.yaml"
    app = create_app([load(spec, spec_cache)], processing_delay=0)
    client = app.test_client()
    building = client.get(f"{V3}/building", headers=WRITE).json[0]["id"]
    file_body = body_for(app, "v3.0", "POST", "/building/{buildingId}/files", preferredDatabaseIds=[])
    files = f"{V3}/building/{building}/files"
    first, second = (client.post(files, json=file_body, headers=WRITE).json["id"] for _ in range(2))
    element = body_for(app, "v3.0", "POST", "/building/{buildingId}/files/{fileId}/elements", id="E-9")
    assert client.post(f"{files}/{first}/elements/batch", json=[element], headers=WRITE).status_code == 200
    other = body_for(app, "v3.0", "POST", "/building/{buildingId}/files/{fileId}/elements", id="E-10")
    renamed = {**element, "name": "Column, second file"}
    answer = client.post(f"{files}/{second}/elements/batch", json=[renamed, other], headers=WRITE)
    assert answer.status_code == 200
    assert answer.json.get("failures", []) == []
    assert sorted(e["id"] for e in client.get(f"{files}/{second}/elements", headers=WRITE).json) == [
        "E-10",
        "E-9",
    ]
    kept = client.get(f"{files}/{first}/elements/E-9", headers=WRITE).json
    assert kept["buildingFileId"] == first and kept["name"] == element["name"]
