"""create_app basics: versions, routing answers, swagger.json, index page, admin endpoints, Prefer."""

from __future__ import annotations

import json

import pytest

from contracts.errors import ContractsError
from mockserver import create_app
from tests.conftest import real_build
from tests.mock.conftest import READ, TOKENS, WRITE, body_for, load


@pytest.fixture(scope="module")
def v3(request: pytest.FixtureRequest) -> object:
    cache = request.getfixturevalue("spec_cache")
    return create_app([load(real_build("v3.0", 30855), cache)], tokens=TOKENS)


@pytest.fixture(scope="module")
def both(request: pytest.FixtureRequest) -> object:
    cache = request.getfixturevalue("spec_cache")
    return create_app(
        [load(real_build("v3.0", 30855), cache), load(real_build("v4.0", 28168), cache)], tokens=TOKENS
    )


def test_each_spec_is_served_under_its_own_prefix(both) -> None:
    client = both.test_client()
    assert client.get("/api/v3.0/building", headers=READ).status_code == 200
    assert client.get("/api/v4.0/database", headers=READ).status_code == 200
    assert client.get("/api/v4.0/building", headers=READ).status_code == 404


def test_unknown_version_names_the_served_ones(both) -> None:
    response = both.test_client().get("/api/v9.9/building", headers=READ)
    assert response.status_code == 404
    assert "v3.0" in response.json["detail"] and "v4.0" in response.json["detail"]


def test_two_specs_of_one_version_are_refused(spec_cache) -> None:
    doc = load(real_build("v3.0", 30855), spec_cache)
    with pytest.raises(ContractsError, match="v3.0 is already served"):
        create_app([doc, load(real_build("v3.0", 28168), spec_cache)])


def test_bad_specs_are_one_clear_error(tmp_path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ContractsError, match="broken.json"):
        create_app([broken])
    with pytest.raises(ContractsError, match="at least one spec"):
        create_app([])
    with pytest.raises(ContractsError, match="expected a mapping or a file path"):
        create_app([42])  # type: ignore[list-item]


def test_unknown_path_and_undeclared_method(v3) -> None:
    client = v3.test_client()
    assert client.get("/api/v3.0/nothing-here", headers=READ).status_code == 404
    response = client.open("/api/v3.0/building", method="TRACE", headers=WRITE)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST"}
    response = client.patch("/api/v3.0/folder/" + "1" * 8, headers=WRITE)
    assert response.status_code == 405 and "Allow" in response.headers


def test_malformed_uuid_in_path_is_400_with_location(v3) -> None:
    response = v3.test_client().get("/api/v3.0/building/not-a-uuid", headers=READ)
    assert response.status_code == 400
    assert response.json["errors"][0]["location"] == "path.id"


def test_swagger_json_is_the_spec(v3, spec_cache) -> None:
    response = v3.test_client().get("/api/v3.0/swagger.json")
    assert response.status_code == 200
    assert response.json == load(real_build("v3.0", 30855), spec_cache)


def test_index_lists_versions_operations_and_masked_tokens(both) -> None:
    page = both.test_client().get("/").get_data(as_text=True)
    assert "v3.0" in page and "v4.0" in page and "/api/v3.0/swagger.json" in page
    assert "GET /api/v3.0/building/{id}" in page
    assert "dev-write" not in page and "scoped-building" not in page


def test_admin_reset_and_request_log_masks_keys(spec_cache) -> None:
    app = create_app([load(real_build("v3.0", 30855), spec_cache)], tokens=TOKENS)
    client = app.test_client()
    before = client.get("/api/v3.0/building", headers=WRITE).json
    folder = client.get("/api/v3.0/folder", headers=WRITE).json[0]
    body = body_for(app, "v3.0", "POST", "/building", folderId=folder["id"])
    created = client.post("/api/v3.0/building", json=body, headers=WRITE)
    assert created.status_code == 201, created.json
    assert len(client.get("/api/v3.0/building", headers=WRITE).json) == len(before) + 1
    log = client.get("/__mock/requests").json
    assert log and all(entry["key"] != "dev-write" for entry in log)
    assert "dev-write" not in json.dumps(log)
    assert client.post("/__mock/reset").status_code == 200
    assert client.get("/api/v3.0/building", headers=WRITE).json == before


def test_admin_endpoints_can_be_turned_off(spec_cache) -> None:
    app = create_app([load(real_build("v3.0", 30855), spec_cache)], admin=False)
    assert app.test_client().post("/__mock/reset").status_code == 404
    assert app.test_client().get("/__mock/requests").status_code == 404


def test_prefer_header_forces_a_declared_status(both) -> None:
    client = both.test_client()
    forced = client.get("/api/v4.0/database", headers={**READ, "Prefer": "code=500"})
    assert forced.status_code == 500 and forced.json["status"] == 500
    building = client.get("/api/v3.0/building", headers=READ).json[0]["id"]
    forced = client.get(f"/api/v4.0/database/{building}", headers={**READ, "Prefer": "code=404"})
    assert forced.status_code == 404
    assert client.get("/api/v3.0/account", headers={**READ, "Prefer": "code=200"}).status_code == 200


def test_same_seed_same_fixtures_other_seed_other_fixtures(spec_cache) -> None:
    doc = load(real_build("v3.0", 30855), spec_cache)
    first = create_app([doc], seed=7).test_client().get("/api/v3.0/building", headers=READ).json
    again = create_app([doc], seed=7).test_client().get("/api/v3.0/building", headers=READ).json
    other = create_app([doc], seed=8).test_client().get("/api/v3.0/building", headers=READ).json
    assert first == again
    assert first != other
