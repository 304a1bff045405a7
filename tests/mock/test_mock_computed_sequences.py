"""Any sequence of writes keeps what the mock computes consistent with the state (hypothesis):
creates (one or a batch), IFC uploads, refinements (started or restarted with other databases),
deletes and activations across two files keep each file's status counts and validation and the
building's validation those of the elements; children added to a bill of materials by weight,
quantity or unit, and removed, keep the weight percentages summing to 100."""

from __future__ import annotations

import functools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.platform import figures
from contracts.platform.catalogue import load_catalogue
from tests.ifc_models import author
from tests.mock.conftest import TOKENS, WRITE, load
from tests.mock.lifecycle_helpers import OCTET, element_body, file_url, lifecycle_app, new_file, specs_of

OPENABLE, _ = specs_of(
    "v3.0", ("POST /building/{}/files/{}/setimporting", "POST /building/{}/files/{}/upload/{}")
)
V4_BOM, _ = specs_of("v4.0", ("POST /commodity/{}/children/weight", "DELETE /commodity/{}/children/{}"))
CATALOGUE = load_catalogue("v3.0")
MADASTER = "00000000-0000-0000-0000-000000000000"
OKOBAUDAT = "cd2bda71-760b-4fcc-8a0b-3877c10000a8"
CONCRETE = "b499c354-fa05-4fc5-8ee4-8df89d09da4a"  # Madaster, density 2400
STEEL = "fafe6a22-b9c0-4062-a7bb-0c8ffce68cb2"  # Madaster, density 7850
GONE = "11111111-2222-4333-8444-555555555555"  # names nothing
NL_SFB = "a0e74d18-fda2-4b6a-ae4c-c8ff29dffeff"
REFINED_BY = {
    "materialId", "externalDatabaseId", "materialName", "typeName", "elementClass", "phaseLookup",
    "classificationLookup",
}  # fmt: skip
FILES = 2


def _commodity(key: str) -> dict | None:
    assert CATALOGUE is not None
    return next((c for c in CATALOGUE.commodities if c["id"] == key), None)


@functools.cache
def _small_ifc(seed: int) -> bytes:
    return author("IFC4", 12, seed=seed).content


def _mapped(element: dict) -> bool:
    return _commodity(str((element.get("mapping") or {}).get("id"))) is not None


element = st.fixed_dictionaries(
    {
        "materialId": st.sampled_from([None, CONCRETE, STEEL, GONE]),
        "materialName": st.sampled_from([None, "Beton", "Staal", "Onbekend"]),
        "volume": st.sampled_from([0.0, 0.5, 2.0]),
        "classificationLookup": st.sampled_from([None, "22.11", "99.99"]),
    }
)
file_index = st.integers(0, FILES - 1)
action = st.one_of(
    st.tuples(st.just("create"), file_index, st.lists(element, min_size=1, max_size=3)),
    st.tuples(st.just("upload"), file_index, st.integers(0, 2)),
    st.tuples(st.just("refine"), file_index),
    st.tuples(
        st.just("restart"), file_index, st.sampled_from([[MADASTER], [OKOBAUDAT], [OKOBAUDAT, MADASTER]])
    ),
    st.tuples(st.just("delete"), file_index),
    st.tuples(st.just("activate"), file_index, st.booleans()),
)


class Building:
    """A building of the mock whose only Source files are the ones the sequence writes to."""

    def __init__(self, app, client) -> None:
        self.app, self.client = app, client
        self.id = client.get("/api/v3.0/building", headers=WRITE).json[0]["id"]
        for file in self.client.get(f"/api/v3.0/building/{self.id}/files", headers=WRITE).json:
            self.client.post(f"{file_url(self.id, file['id'])}/active", json=False, headers=WRITE)
        fields = {"preferredDatabaseIds": [MADASTER, OKOBAUDAT], "classificationTypeId": NL_SFB}
        self.files = [new_file(app, client, self.id, **fields)["id"] for _ in range(FILES)]
        self.created = 0

    def url(self, index: int) -> str:
        return file_url(self.id, self.files[index])

    def elements(self, index: int) -> list[dict]:
        return self.client.get(f"{self.url(index)}/elements", headers=WRITE).json

    def body(self, fields: dict) -> dict:
        body = {k: v for k, v in element_body(self.app, f"E-{self.created}").items() if k not in REFINED_BY}
        self.created += 1
        return {**body, **{k: v for k, v in fields.items() if v is not None}}

    def run(self, step: tuple) -> None:
        kind, index, *rest = step
        url, client = self.url(index), self.client
        if kind == "create":
            client.post(f"{url}/setimporting", headers=WRITE)
            bodies = [self.body(fields) for fields in rest[0]]
            if len(bodies) == 1:
                assert client.post(f"{url}/elements", json=bodies[0], headers=WRITE).status_code in (200, 201)
            else:
                answer = client.post(f"{url}/elements/batch", json=bodies, headers=WRITE)
                assert answer.status_code in (200, 201), answer.json
        elif kind == "upload":
            client.post(f"{url}/upload/model.ifc", data=_small_ifc(rest[0]), headers=OCTET)
        elif kind == "refine":
            client.post(f"{url}/startrefinement", headers=WRITE)
        elif kind == "restart":
            body = {"fileId": self.files[index], "preferredDatabaseIds": rest[0]}
            client.post(f"/api/v3.0/building/{self.id}/files/restartrefinement", json=body, headers=WRITE)
        elif kind == "delete":
            listed = self.elements(index)
            if listed:
                client.delete(f"{url}/elements/{listed[0]['id']}", headers=WRITE)
        else:
            client.post(f"{url}/active", json=rest[0], headers=WRITE)


def _check_file(building: Building, index: int) -> list[dict]:
    client, url = building.client, building.url(index)
    elements = building.elements(index)
    status = client.get(f"{url}/status", headers=WRITE).json
    assert status["elementCount"] == len(elements)
    assert status["elementProcessedCount"] in (0, len(elements))
    if status["status"] == "Mapped":
        mapped = sum(1 for e in elements if (e.get("mapping") or {}).get("id"))
        assert status["statusMessage"] == f"{mapped} of {len(elements)} elements mapped"
    validation = client.get(url, headers=WRITE).json["validation"]
    assert all(0.0 <= v <= 100.0 for v in validation.values())
    assert validation == {
        k: v for k, v in figures.validation(elements, _commodity).items() if k in validation
    }
    expected = round(100 * sum(map(_mapped, elements)) / len(elements), 2) if elements else 0.0
    assert validation["percentageElementsMappedByNumber"] == expected
    assert client.get(f"{url}/status", headers=WRITE).json == status  # the same state, the same answer
    return elements


@pytest.mark.skipif(not OPENABLE, reason="no v3.0 build with setimporting and uploads")
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(action, min_size=1, max_size=7))
def test_any_sequence_keeps_counts_and_percentages_consistent(actions, spec_cache) -> None:
    app = lifecycle_app(OPENABLE[-1], spec_cache)
    building = Building(app, app.test_client())
    for step in actions:
        building.run(step)
    active: list[dict] = []
    files = {
        f["id"]: f for f in building.client.get(f"/api/v3.0/building/{building.id}/files", headers=WRITE).json
    }
    for index in range(FILES):
        elements = _check_file(building, index)
        if files[building.files[index]]["isActive"]:
            active += elements
    figures_now = building.client.get(f"/api/v3.0/building/{building.id}/validation", headers=WRITE).json
    expected = figures.validation(active, _commodity)
    assert figures_now == {k: v for k, v in expected.items() if k in figures_now}
    by_number = round(100 * sum(map(_mapped, active)) / len(active), 2) if active else 0.0
    assert figures_now["percentageElementsMappedByNumber"] == by_number


child = st.one_of(
    st.tuples(
        st.sampled_from(["weight", "quantity"]),
        st.sampled_from([CONCRETE, STEEL]),
        st.sampled_from([0, 0.01, 1, 50, 100]),
    ),
    st.tuples(st.just("delete"), st.integers(0, 3), st.just(0)),
)


@pytest.mark.skipif(not V4_BOM, reason="no v4.0 build with bills of materials")
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(child, min_size=1, max_size=6))
def test_any_bill_of_materials_keeps_its_weight_percentages_summing_to_100(steps, spec_cache) -> None:
    from mockserver import create_app

    client = create_app([load(V4_BOM[-1], spec_cache)], tokens=TOKENS).test_client()
    base = "/api/v4.0/commodity/d0b2cfde-2c9c-4209-a6bf-607919e2764e/children"  # a catalogue product
    for kind, target, quantity in steps:
        if kind == "delete":
            children = client.get(base, headers=WRITE).json
            if children:
                gone = client.delete(f"{base}/{children[target % len(children)]['id']}", headers=WRITE)
                assert gone.status_code in (200, 202, 204), gone.json
            continue
        added = client.post(
            f"{base}/{kind}", json={"commodityId": target, "quantity": quantity}, headers=WRITE
        )
        assert added.status_code in (200, 201, 202), added.json
    children = client.get(base, headers=WRITE).json
    total = sum(c["weight"] for c in children)
    shares = [c["weightPercentage"] for c in children]
    if total > 0:
        assert math.isclose(sum(shares), 100.0, abs_tol=1e-9), children
        for one in children:
            assert abs(one["weightPercentage"] - 100 * one["weight"] / total) <= 0.01, one
    else:
        assert all(share == 0 for share in shares), children
    for one in children:
        if one["quantityType"] == "weight":
            assert one["weight"] == one["quantity"], one  # kept as sent
    assert client.get(base, headers=WRITE).json == children  # the same state, the same answer
