"""Refinement works on what a file holds: a file nothing was uploaded to is refused, and no job
starts (every v3.0 build and baseline that has the operation)."""

from __future__ import annotations

import pytest

from tests.mock.conftest import WRITE, operation
from tests.mock.lifecycle_helpers import (
    IFC,
    OCTET,
    element_body,
    file_url,
    specs_of,
    status_of,
    validates,
    with_new_file,
)

START = "/building/{buildingId}/files/{id}/startrefinement"
RESTART = "/building/{buildingId}/files/restartrefinement"
STARTABLE, STARTABLE_IDS = specs_of("v3.0", ("POST /building/{}/files/{}/startrefinement",))
RESTARTABLE, RESTARTABLE_IDS = specs_of("v3.0", ("POST /building/{}/files/restartrefinement",))
OPENABLE, _ = specs_of("v3.0", ("POST /building/{}/files/{}/setimporting",))


def _refused_without_content(app, client, answer, template: str, building: str, file_id: str) -> None:
    declared = operation(app, "v3.0", "POST", template)
    expected = 409  # a conflict with the file's state: the request itself is valid
    assert answer.status_code == expected, answer.json
    assert {"type", "title", "status", "detail"} <= set(answer.json) and answer.json["status"] == expected
    assert f"'{file_id}' is Creating" in answer.json["detail"] and "uploaded" in answer.json["detail"]
    assert declared.response_for(expected) is None or validates(
        app, "v3.0", "POST", template, expected, answer.json
    )
    assert client.get("/__mock/jobs").json["jobs"] == []
    assert status_of(client, building, file_id) == "Creating"


@pytest.mark.parametrize("path", STARTABLE, ids=STARTABLE_IDS)
def test_startrefinement_of_a_file_never_uploaded_is_refused(path, spec_cache) -> None:
    app, client, building, file_id = with_new_file(path, spec_cache, delay=0)
    answer = client.post(f"{file_url(building, file_id)}/startrefinement", headers=WRITE)
    _refused_without_content(app, client, answer, START, building, file_id)
    upload = client.post(f"{file_url(building, file_id)}/upload/model.ifc", data=IFC, headers=OCTET)
    assert upload.status_code in (201, 202), upload.json
    if path in OPENABLE:  # opened for elements through the API: content too
        other = with_new_file(path, spec_cache, delay=0)
        assert other[1].post(f"{file_url(other[2], other[3])}/setimporting", headers=WRITE).status_code == 204
        opened = other[1].post(f"{file_url(other[2], other[3])}/startrefinement", headers=WRITE)
        assert opened.status_code == 202, opened.json
    again = client.post(f"{file_url(building, file_id)}/startrefinement", headers=WRITE)
    assert again.status_code == 202, again.json
    assert status_of(client, building, file_id) == "Mapped"


@pytest.mark.parametrize("path", RESTARTABLE, ids=RESTARTABLE_IDS)
def test_restartrefinement_of_a_file_never_uploaded_is_refused(path, spec_cache) -> None:
    app, client, building, file_id = with_new_file(path, spec_cache, delay=0)
    url = f"/api/v3.0/building/{building}/files/restartrefinement"
    answer = client.post(url, json={"fileId": file_id}, headers=WRITE)
    _refused_without_content(app, client, answer, RESTART, building, file_id)
    upload = client.post(f"{file_url(building, file_id)}/upload/model.ifc", data=IFC, headers=OCTET)
    assert upload.status_code in (201, 202), upload.json
    assert client.post(url, json={"fileId": file_id}, headers=WRITE).status_code == 202
    assert status_of(client, building, file_id) == "Mapped"


def test_a_file_holding_elements_has_content_where_no_setimporting_exists(spec_cache) -> None:
    """Builds without setimporting take elements into any file: such a file is not empty."""
    without = [p for p in STARTABLE if p not in OPENABLE]
    if not without:
        pytest.skip("every v3.0 spec here declares setimporting")
    app, client, building, file_id = with_new_file(without[0], spec_cache, delay=0)
    made = client.post(
        f"{file_url(building, file_id)}/elements", json=element_body(app, "slab-1"), headers=WRITE
    )
    assert made.status_code == 201, made.json
    started = client.post(f"{file_url(building, file_id)}/startrefinement", headers=WRITE)
    assert started.status_code == 202, started.json
    assert status_of(client, building, file_id) == "Mapped"
