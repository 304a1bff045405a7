"""``POST .../elements/batch`` creates or updates each element of its array body under the file."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

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


def test_element_ids_are_unique_per_file_not_across_files(spec_cache) -> None:
    """Two files (two versions of one IFC model) hold elements of the same IFC id, added alone or
    in a batch; each file shows, changes and deletes its own."""
    spec = PROJECT_ROOT / "specs/v3.0/baseline.yaml"
    app = create_app([load(spec, spec_cache)], processing_delay=0)
    client = app.test_client()
    building = client.get(f"{V3}/building", headers=WRITE).json[0]["id"]
    file_body = body_for(app, "v3.0", "POST", "/building/{buildingId}/files", preferredDatabaseIds=[])
    files = f"{V3}/building/{building}/files"
    first, second = (client.post(files, json=file_body, headers=WRITE).json["id"] for _ in range(2))
    path = "/building/{buildingId}/files/{fileId}/elements"
    wall = body_for(app, "v3.0", "POST", path, id="2O2Fr$t4X7Zf8NOew3FLOH", name="Wall v1")
    slab = body_for(app, "v3.0", "POST", path, id="1kTvXnbbzCWw8lcMd1dR4o", name="Slab")
    made = client.post(f"{files}/{first}/elements", json=wall, headers=WRITE)
    assert made.status_code == 201 and made.json["id"] == wall["id"]
    assert made.headers["Location"].endswith(f"/elements/{quote(wall['id'], safe='')}")
    again = client.post(f"{files}/{second}/elements", json={**wall, "name": "Wall v2"}, headers=WRITE)
    assert again.status_code == 201 and again.json["buildingFileId"] == second
    batch = client.post(f"{files}/{second}/elements/batch", json=[slab], headers=WRITE)
    assert batch.status_code == 200 and batch.json["failures"] == []
    assert client.post(f"{files}/{first}/elements", json=wall, headers=WRITE).status_code == 409

    def names(file_id: str) -> list[tuple[str, str]]:
        return sorted(
            (e["id"], e["name"]) for e in client.get(f"{files}/{file_id}/elements", headers=WRITE).json
        )

    assert names(first) == [(wall["id"], "Wall v1")]
    assert names(second) == [(slab["id"], "Slab"), (wall["id"], "Wall v2")]
    one = f"{files}/{first}/elements/{quote(wall['id'], safe='')}"
    assert client.get(one, headers=WRITE).json["name"] == "Wall v1"
    assert client.delete(one, headers=WRITE).status_code in (200, 204)
    assert client.get(one, headers=WRITE).status_code == 404
    assert names(second) == [(slab["id"], "Slab"), (wall["id"], "Wall v2")]
