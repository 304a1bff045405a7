"""What the mock computes from elements and commodities: refinement's mapping, phase and class;
validation and circularity figures; bills of materials. That any sequence of writes keeps them
consistent is tested in ``test_mock_computed_sequences.py``."""

from __future__ import annotations

import math
import re

import pytest

from contracts.platform import figures
from contracts.platform.catalogue import load_catalogue
from tests.mock.conftest import WRITE, load, operation, runtime_of
from tests.mock.lifecycle_helpers import (
    element_body,
    file_url,
    first_building,
    lifecycle_app,
    new_file,
    specs_of,
)

OPENABLE, OPENABLE_IDS = specs_of(
    "v3.0", ("POST /building/{}/files/{}/setimporting", "POST /building/{}/files/{}/upload/{}")
)
RESTART, RESTART_IDS = specs_of(
    "v3.0", ("POST /building/{}/files/{}/setimporting", "POST /building/{}/files/restartrefinement")
)
V4_BOM, V4_BOM_IDS = specs_of("v4.0", ("POST /commodity/{}/children/weight",))
CATALOGUE = load_catalogue("v3.0")
MADASTER = "00000000-0000-0000-0000-000000000000"
OKOBAUDAT = "cd2bda71-760b-4fcc-8a0b-3877c10000a8"
CONCRETE = "b499c354-fa05-4fc5-8ee4-8df89d09da4a"  # Madaster, density 2400
STEEL = "fafe6a22-b9c0-4062-a7bb-0c8ffce68cb2"  # Madaster, density 7850
OKOBAUDAT_DATASET = "923e1c71-f172-4902-a5f5-c4a1e8a773bc"  # the externalId of an Ökobaudat material
NL_SFB = "a0e74d18-fda2-4b6a-ae4c-c8ff29dffeff"
PLACEHOLDER = re.compile(r"mock-\d+")
REFINED_BY = {
    "materialId", "externalDatabaseId", "materialName", "typeName", "elementClass", "phaseLookup",
    "classificationLookup",
}  # fmt: skip


def _commodity(key: str) -> dict | None:
    assert CATALOGUE is not None
    return next((c for c in CATALOGUE.commodities if c["id"] == key), None)


def _open_file(app, client, building: str, **fields) -> str:
    fields = {
        "preferredDatabaseIds": [MADASTER, OKOBAUDAT],
        "classificationTypeId": NL_SFB,
        "languages": ["nl"],
        **fields,
    }
    file_id = new_file(app, client, building, **fields)["id"]
    opened = client.post(f"{file_url(building, file_id)}/setimporting", headers=WRITE)
    assert opened.status_code in (200, 202, 204), opened.json
    return file_id


def _add(app, client, building: str, file_id: str, element_id: str, **fields) -> dict:
    body = {k: v for k, v in element_body(app, element_id).items() if k not in REFINED_BY}
    body.update(fields)
    created = client.post(f"{file_url(building, file_id)}/elements", json=body, headers=WRITE)
    assert created.status_code in (200, 201), created.json
    read = client.get(f"{file_url(building, file_id)}/elements/{element_id}", headers=WRITE)
    assert read.status_code == 200, read.json
    return read.json


def _request_fields(app) -> set[str]:
    op = operation(app, "v3.0", "POST", "/building/{buildingId}/files/{fileId}/elements")
    schema = next(s for m, s in op.body.media.items() if "json" in m)
    return runtime_of(app, "v3.0").property_names(schema)


def _elements(client, building: str, file_id: str) -> list[dict]:
    return client.get(f"{file_url(building, file_id)}/elements", headers=WRITE).json


# -- 4. refinement -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", OPENABLE, ids=OPENABLE_IDS)
def test_elements_are_mapped_by_material_id_external_id_then_name(path, spec_cache) -> None:
    app = lifecycle_app(path, spec_cache)
    client = app.test_client()
    building = first_building(client)
    file_id = _open_file(app, client, building)
    by_id = _add(app, client, building, file_id, "E-id", materialId=STEEL, materialName="Beton")
    assert by_id["mapping"] == {"id": STEEL, "type": "Material"}
    if "externalDatabaseId" in _request_fields(app):  # not in build 7980
        by_external = _add(app, client, building, file_id, "E-ext", externalDatabaseId=OKOBAUDAT_DATASET)
        assert by_external["mapping"]["id"] == "0e7b4c1d-3a52-4f60-9b8e-2d1c0f9a7e44"
    by_name = _add(app, client, building, file_id, "E-name", materialName="Gewapend beton")
    assert by_name["mapping"]["id"] == CONCRETE  # the term 'beton' (nl, Contains) of the Madaster database
    unknown = _add(app, client, building, file_id, "E-none", materialName="Onbekend goedje")
    assert unknown.get("mapping") is None
    if "materialId" not in runtime_of(app, "v3.0").model.body_parents.get("building/files/elements", {}):
        gone = "11111111-2222-4333-8444-555555555555"  # (build 7980 refuses a materialId naming nothing)
        assert _add(app, client, building, file_id, "E-gone", materialId=gone).get("mapping") is None


@pytest.mark.parametrize("path", OPENABLE, ids=OPENABLE_IDS)
def test_name_matching_looks_only_in_the_preferred_databases(path, spec_cache) -> None:
    app = lifecycle_app(path, spec_cache)
    client = app.test_client()
    building = first_building(client)
    file_id = _open_file(app, client, building, preferredDatabaseIds=[OKOBAUDAT])
    assert _add(app, client, building, file_id, "E-1", materialName="Beton").get("mapping") is None


@pytest.mark.parametrize("path", OPENABLE, ids=OPENABLE_IDS)
def test_phase_classification_and_layer_resolve_to_catalogue_entries(path, spec_cache) -> None:
    app = lifecycle_app(path, spec_cache)
    client = app.test_client()
    building = first_building(client)
    file_id = _open_file(app, client, building)
    element = _add(
        app,
        client,
        building,
        file_id,
        "W-1",
        elementClass="IfcWall",
        phaseLookup="nieuwbouw",
        classificationLookup="22.11",
    )
    assert element["phaseMatch"]["id"] == "edaa943c-e6a9-4ed9-83c2-f0391a577202"
    assert element["phaseMatch"]["name"] == "Nieuwbouw"
    assert element["classificationMatch"] == {
        "id": "5b0f64a4-2a3e-4f2b-9d55-0f1d1f8d2201",
        "name": "Binnenwanden; niet dragend",
        "code": "22.11",
    }
    assert element["brandLayerMatch"] == {"id": "8acf7fd3-e17d-4c7c-ab48-bf8493eba00a", "name": "Skin"}
    bare = _add(app, client, building, file_id, "X-1", elementClass="IfcBuildingElementProxy")
    assert all(bare.get(f) is None for f in ("phaseMatch", "classificationMatch", "brandLayerMatch"))


@pytest.mark.parametrize("path", RESTART, ids=RESTART_IDS)
def test_a_restarted_refinement_maps_again_with_the_databases_it_names(path, spec_cache) -> None:
    app = lifecycle_app(path, spec_cache)
    client = app.test_client()
    building = first_building(client)
    file_id = _open_file(app, client, building, preferredDatabaseIds=[OKOBAUDAT])
    assert _add(app, client, building, file_id, "E-1", materialName="Beton").get("mapping") is None
    assert _add(app, client, building, file_id, "E-2", materialId=STEEL)["mapping"]["id"] == STEEL
    body = {"fileId": file_id, "preferredDatabaseIds": [MADASTER]}
    restarted = client.post(
        f"/api/v3.0/building/{building}/files/restartrefinement", json=body, headers=WRITE
    )
    assert restarted.status_code in (200, 202, 204), restarted.json
    mapped = {e["id"]: (e.get("mapping") or {}).get("id") for e in _elements(client, building, file_id)}
    assert mapped == {"E-1": CONCRETE, "E-2": STEEL}  # the materialId still names what it named


@pytest.mark.parametrize("path", OPENABLE, ids=OPENABLE_IDS)
def test_a_refinement_keeps_the_phase_class_and_external_id_each_element_named(path, spec_cache) -> None:
    """The answers show a lookup as a list (or not at all): a refinement maps from what the
    create sent, so the phase, class and external product found at the create stay."""
    app = lifecycle_app(path, spec_cache)
    client = app.test_client()
    building = first_building(client)
    file_id = _open_file(app, client, building)
    fields = {"elementClass": "IfcWall", "phaseLookup": "nieuwbouw", "classificationLookup": "22.11"}
    if "externalDatabaseId" in _request_fields(app):  # not in build 7980
        fields["externalDatabaseId"] = OKOBAUDAT_DATASET
    created = _add(app, client, building, file_id, "W-1", **fields)
    assert created["phaseMatch"]["name"] == "Nieuwbouw" and created["classificationMatch"]["code"] == "22.11"
    started = client.post(f"{file_url(building, file_id)}/startrefinement", headers=WRITE)
    assert started.status_code in (200, 202, 204), started.json
    (refined,) = _elements(client, building, file_id)
    derived = ("phaseMatch", "classificationMatch", "brandLayerMatch", "mapping")
    assert {k: refined.get(k) for k in derived} == {k: created.get(k) for k in derived}


# -- 5. validation and circularity ---------------------------------------------------------------
@pytest.mark.parametrize("path", OPENABLE, ids=OPENABLE_IDS)
def test_validation_and_circularity_follow_the_active_files_elements(path, spec_cache) -> None:
    app = lifecycle_app(path, spec_cache)
    client = app.test_client()
    building = first_building(client)
    for file in client.get(f"/api/v3.0/building/{building}/files", headers=WRITE).json:
        client.post(f"{file_url(building, file['id'])}/active", json=False, headers=WRITE)
    file_id = _open_file(app, client, building)
    _add(app, client, building, file_id, "M-1", materialId=CONCRETE, volume=3.0, classificationLookup="22.11")
    _add(app, client, building, file_id, "U-1", materialName="Onbekend", volume=1.0)
    client.post(f"{file_url(building, file_id)}/active", json=True, headers=WRITE)
    file = client.get(file_url(building, file_id), headers=WRITE).json
    assert file["validation"]["percentageElementsMappedByNumber"] == 50.0
    assert file["validation"]["percentageClassificationAssignedByVolume"] == 75.0
    building_figures = client.get(f"/api/v3.0/building/{building}/validation", headers=WRITE).json
    assert building_figures["percentageElementsMappedByNumber"] == 50.0
    assert building_figures["percentageElementsMappedByVolume"] == 75.0
    assert building_figures == client.get(f"/api/v3.0/building/{building}/validation", headers=WRITE).json
    circular = client.get(f"/api/v3.0/building/{building}/circular", headers=WRITE).json
    expected = figures.circularity(_elements(client, building, file_id), _commodity)
    assert circular == {k: v for k, v in expected.items() if k in circular}
    assert circular["circularityConstructionPhase"] == 10.0  # concrete: 10 % recycled feedstock
    assert circular.get("penaltyElementsWithoutMass", 50.0) == 50.0  # the unmapped one has no mass
    assert not PLACEHOLDER.search(str([file["validation"], building_figures, circular]))


# -- 6. bills of materials ------------------------------------------------------------------------
@pytest.mark.parametrize("path", V4_BOM, ids=V4_BOM_IDS)
def test_a_bill_of_materials_keeps_what_was_sent_and_derives_the_shares(path, spec_cache) -> None:
    from mockserver import create_app
    from tests.mock.conftest import TOKENS

    client = create_app([load(path, spec_cache)], tokens=TOKENS).test_client()
    product = "d0b2cfde-2c9c-4209-a6bf-607919e2764e"  # a catalogue product with two children
    base = f"/api/v4.0/commodity/{product}/children"
    before = {c["id"] for c in client.get(base, headers=WRITE).json}
    for quantity in (100, 50):
        added = client.post(
            f"{base}/weight", json={"commodityId": CONCRETE, "quantity": quantity}, headers=WRITE
        )
        assert added.status_code in (200, 201, 202), added.json
    added = client.post(f"{base}/quantity", json={"commodityId": STEEL, "quantity": 0.01}, headers=WRITE)
    assert added.status_code in (200, 201, 202), added.json
    children = client.get(base, headers=WRITE).json
    new = [c for c in children if c["id"] not in before]
    by_weight = sorted(
        (c["quantity"], c["quantityType"], c["weight"]) for c in new if c["commodityId"] == CONCRETE
    )
    assert by_weight == [(50, "weight", 50.0), (100, "weight", 100.0)]
    steel = next(c for c in new if c["commodityId"] == STEEL)
    assert steel["quantity"] == 0.01 and steel["quantityType"] == "m3"
    assert math.isclose(steel["weight"], 78.5)  # 0.01 m3 of 7850 kg/m3
    total = sum(c["weight"] for c in children)
    assert math.isclose(sum(c["weightPercentage"] for c in children), 100.0)
    for child in children:
        assert abs(child["weightPercentage"] - 100 * child["weight"] / total) <= 0.01
    assert client.get(base, headers=WRITE).json == children  # the same state, the same answer
