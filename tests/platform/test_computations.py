"""The computation rules: file status counts, validation percentages, circularity, bills of
materials and the refinement's mapping order, for any elements (hypothesis) and for known cases."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.platform import bill_of_materials as bom
from contracts.platform import figures
from contracts.platform.catalogue import load_catalogue
from contracts.platform.refinement import (
    Refiner,
    brand_layer_match,
    classification_match,
    phase_match,
    term_matches,
)

CATALOGUE = load_catalogue("v3.0")
assert CATALOGUE is not None
COMMODITIES = {c["id"]: c for c in CATALOGUE.commodities}
MADASTER, EPEA, OKOBAUDAT = (
    "00000000-0000-0000-0000-000000000000",
    "00000000-0000-0000-0000-000000000003",
    "cd2bda71-760b-4fcc-8a0b-3877c10000a8",
)
CONCRETE = "b499c354-fa05-4fc5-8ee4-8df89d09da4a"  # Madaster, density 2400
STEEL = "fafe6a22-b9c0-4062-a7bb-0c8ffce68cb2"  # Madaster, density 7850
OKOBAUDAT_DATASET = "923e1c71-f172-4902-a5f5-c4a1e8a773bc"

quantity = st.one_of(st.just(0.0), st.floats(0.001, 1e4, allow_nan=False))
element = st.fixed_dictionaries(
    {
        "id": st.uuids().map(str),
        "volume": quantity,
        "area": quantity,
        "length": quantity,
        "materialName": st.sampled_from([None, "", "Beton", "Concrete C30/37", "Onbekend"]),
        "mapping": st.one_of(
            st.none(),
            st.sampled_from([*COMMODITIES, "11111111-2222-4333-8444-555555555555"]).map(
                lambda key: {"id": key, "type": "Material"}
            ),
        ),
        "classificationMatch": st.one_of(st.none(), st.just({"id": "5b0f64a4-2a3e-4f2b-9d55-0f1d1f8d2101"})),
    }
)
elements = st.lists(element, max_size=30)


def lookup(key: str) -> dict | None:
    return COMMODITIES.get(key)


# -- file status -----------------------------------------------------------------------------
@given(
    elements,
    st.sampled_from(["Creating", "Uploaded", "Importing", "Imported", "Refining", "Mapped", "ImportFailed"]),
)
def test_status_counts_are_the_elements(items: list[dict], status: str) -> None:
    answer = figures.file_status(status, items, "Imported 3 elements from an IFC4 file")
    assert answer["elementCount"] == len(items)
    assert answer["elementProcessedCount"] == (
        len(items) if status in ("Importing", "Imported", "Mapped") else 0
    )
    mapped = sum(1 for e in items if e["mapping"])
    if status == "Mapped":
        assert answer["statusMessage"] == f"{mapped} of {len(items)} elements mapped"
    else:
        assert answer["statusMessage"] == "Imported 3 elements from an IFC4 file"
    assert figures.file_status(status, items, "Imported 3 elements from an IFC4 file") == answer


# -- validation ------------------------------------------------------------------------------
@given(elements)
def test_validation_percentages_follow_the_elements(items: list[dict]) -> None:
    got = figures.validation(items, lookup)
    assert all(0 <= value <= 100 for value in got.values()), got
    n = len(items)

    def by_number(test) -> float:
        return round(100 * sum(1 for e in items if test(e)) / n, 2) if n else 0.0

    def mapped(e: dict) -> bool:
        return bool(e["mapping"]) and e["mapping"]["id"] in COMMODITIES

    assert got["percentageElementsMappedByNumber"] == by_number(mapped)
    assert got["percentageVolumeBaseQuantityAssignedByNumber"] == by_number(lambda e: e["volume"] > 0)
    assert got["percentageClassificationAssignedByNumber"] == by_number(lambda e: e["classificationMatch"])
    assert got["percentageBaseQuantitiesAssignedByNumber"] >= max(
        got["percentageVolumeBaseQuantityAssignedByNumber"],
        got["percentageAreaBaseQuantityAssignedByNumber"],
        got["percentageLengthBaseQuantityAssignedByNumber"],
    )
    assert got["percentageMaterialSpecifiedByNumber"] >= got["percentageElementsMappedByNumber"]
    assert got["percentageElementsWithKnownMassByNumber"] <= got["percentageElementsMappedByNumber"]
    volume = sum(e["volume"] for e in items)
    expected = round(100 * sum(e["volume"] for e in items if mapped(e)) / volume, 2) if volume else 0.0
    assert math.isclose(got["percentageElementsMappedByVolume"], expected, abs_tol=0.011)


def test_validation_of_a_known_file() -> None:
    items = [
        {
            "volume": 3.0,
            "mapping": {"id": CONCRETE},
            "classificationMatch": {"id": "x"},
            "materialName": "Beton",
        },
        {"volume": 1.0, "area": 2.0, "mapping": None, "materialName": "Onbekend"},
    ]
    got = figures.validation(items, lookup)
    assert got["percentageElementsMappedByNumber"] == 50.0
    assert got["percentageElementsMappedByVolume"] == 75.0
    assert got["percentageClassificationAssignedByVolume"] == 75.0
    assert got["percentageMaterialSpecifiedByNumber"] == 100.0
    assert got["percentageAreaBaseQuantityAssignedByNumber"] == 50.0
    assert figures.validation([], lookup) == {k: 0.0 for k in got}


# -- circularity -----------------------------------------------------------------------------
@given(elements)
def test_circularity_is_bounded_and_penalised(items: list[dict]) -> None:
    got = figures.circularity(items, lookup)
    assert all(0 <= value <= 100 for value in got.values()), got
    assert got["madasterCiScore"] <= got["ciScoreBuilding"] + 0.01
    assert got["ciScoreBuilding"] == round(
        (got["circularityConstructionPhase"] + got["circularityEndOfLifePhase"]) / 2, 2
    )


def test_circularity_of_one_concrete_element() -> None:
    # Concrete C30/37: recycled 0.1; available for recycling 0.95 at efficiency 0.9
    got = figures.circularity([{"volume": 2.0, "mapping": {"id": CONCRETE}}], lookup)
    assert got["circularityConstructionPhase"] == 10.0
    assert got["circularityEndOfLifePhase"] == 85.5
    assert got["ciScoreBuilding"] == 47.75
    assert got["penaltyElementsWithoutMass"] == 0.0
    assert got["madasterCiScore"] == 47.75
    half = figures.circularity([{"volume": 2.0, "mapping": {"id": CONCRETE}}, {"volume": 1.0}], lookup)
    assert half["penaltyElementsWithoutMass"] == 50.0
    assert half["madasterCiScore"] == round(47.75 * 0.5, 2)


def test_an_element_weighs_its_volume_times_the_density() -> None:
    assert figures.element_mass({"volume": 2.0}, COMMODITIES[CONCRETE]) == 4800.0
    assert figures.element_mass({"volume": 2.0}, None) == 0.0
    piece = {"commodityType": "Product", "functionalUnit": "Quantity", "weight": 12.5}
    assert figures.element_mass({"volume": 9.0}, piece) == 12.5
    panel = {"commodityType": "Product", "functionalUnit": "Area", "density": 20.0}
    assert figures.element_mass({"area": 3.0}, panel) == 60.0


# -- bills of materials ----------------------------------------------------------------------
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=20))
def test_weight_percentages_sum_to_100(weights: list[float]) -> None:
    shares = bom.percentages(weights)
    assert len(shares) == len(weights)
    total = sum(weights)
    if total <= 0:
        assert shares == [0.0] * len(weights)
        return
    assert round(sum(shares), 2) == 100.0
    for weight, share in zip(weights, shares, strict=True):
        assert abs(share - 100 * weight / total) <= 0.01 + 1e-9


def test_children_by_weight_quantity_and_unit() -> None:
    assert bom.percentages([100, 50]) == [66.67, 33.33]
    assert bom.child_weight("weight", 100, COMMODITIES[CONCRETE]) == 100
    assert bom.child_weight("quantity", 0.5, COMMODITIES[CONCRETE]) == 1200  # m3 x 2400 kg/m3
    assert bom.quantity_type("quantity", COMMODITIES[CONCRETE]) == "m3"
    assert bom.quantity_type("weight", COMMODITIES[CONCRETE]) == "weight"
    panel = {
        "commodityType": "Product",
        "functionalUnit": "Area",
        "density": 20.0,
        "defaultFunctionalUnitAmount": 1.5,
    }
    assert bom.quantity_type("quantity", panel) == "m2"
    assert bom.child_weight("quantity", 2, panel) == 40.0
    assert bom.child_weight("unit", 2, panel) == 60.0  # two panels of 1.5 m2
    assert bom.child_weight("quantity", 2, {"commodityType": "Material"}) == 0.0  # no density


# -- refinement ------------------------------------------------------------------------------
def refiner(preferred: list[str], languages: list[str] = ()) -> Refiner:
    return Refiner(CATALOGUE.commodities, CATALOGUE.matches, preferred, languages)


def test_the_mapping_order() -> None:
    r = refiner([MADASTER, EPEA])
    named = r.map({"materialId": STEEL, "externalDatabaseId": OKOBAUDAT_DATASET, "materialName": "beton"})
    assert named and named.commodity["id"] == STEEL and named.rule == "materialId"
    by_external = r.map(
        {"materialId": "11111111-2222-4333-8444-555555555555", "externalDatabaseId": OKOBAUDAT_DATASET}
    )
    assert by_external and by_external.rule == "externalId"
    assert by_external.commodity["databaseId"] == OKOBAUDAT and by_external.mapping["type"] == "Material"
    by_name = r.map({"materialName": "Gewapend beton"})  # a matching term: Contains "beton" (nl)
    assert by_name and by_name.commodity["id"] == CONCRETE and by_name.rule == "name"
    assert r.map({"materialName": "Concrete C30/37"}).commodity["id"] == CONCRETE  # a name, any language
    assert r.map({"materialName": "Onbekend materiaal"}) is None
    assert refiner([]).map({"materialName": "Gewapend beton"}) is None  # no preferred database
    assert refiner([MADASTER], ["en"]).map({"materialName": "Gewapend beton"}) is None  # an nl term


def test_the_preferred_databases_are_tried_in_their_order() -> None:
    name = "Reinforcing steel"  # Madaster "Reinforcing steel B500B" is no exact name; Ökobaudat's is
    assert refiner([MADASTER, OKOBAUDAT]).map({"materialName": name}).commodity["databaseId"] == OKOBAUDAT
    concrete = {"materialName": "Beton C30/37"}  # both Madaster and its matching terms
    assert refiner([OKOBAUDAT, MADASTER]).map(concrete).commodity["id"] == CONCRETE


@settings(max_examples=60)
@given(
    st.sampled_from([None, *COMMODITIES, "11111111-2222-4333-8444-555555555555"]),
    st.sampled_from([None, OKOBAUDAT_DATASET, "MDS-M-0003", "unknown"]),
    st.sampled_from([None, "Beton", "glas", "Float glass", "Onbekend"]),
    st.permutations([MADASTER, EPEA, OKOBAUDAT]),
)
def test_any_element_maps_by_the_first_rule_that_finds_a_commodity(
    material_id, external, name, preferred
) -> None:
    found = refiner(preferred).map(
        {"materialId": material_id, "externalDatabaseId": external, "materialName": name}
    )
    if material_id in COMMODITIES:
        assert found is not None and found.rule == "materialId" and found.commodity["id"] == material_id
    elif external in {c.get("externalId") for c in COMMODITIES.values()}:
        assert found is not None and found.rule == "externalId" and found.commodity["externalId"] == external
    elif found is not None:
        assert found.rule == "name" and found.commodity["databaseId"] in preferred
    if found is not None:
        assert found.commodity["id"] in COMMODITIES  # never an id that exists nowhere


@pytest.mark.parametrize(
    ("kind", "value", "text", "expected"),
    [
        ("Contains", "beton", "Gewapend BETON", True),
        ("ContainsCaseSensitive", "beton", "Gewapend BETON", False),
        ("Equals", "window frame", "Window Frame", True),
        ("EqualsCaseSensitive", "window frame", "Window Frame", False),
        ("Startwith", "KOZ-", "koz-12", True),
        ("Endswith", "glas", "Floatglas", True),
        ("ContainsExactWord", "hout", "Vuren hout kozijn", True),
        ("ContainsExactWord", "hout", "Vurenhout", False),
    ],
)
def test_matching_terms(kind: str, value: str, text: str, expected: bool) -> None:
    assert term_matches({"value": value, "matchType": kind}, text) is expected


def test_lookups_resolve_to_catalogue_entries() -> None:
    assert phase_match(CATALOGUE, "casco") == {"id": "3f6b1c2e-9d4a-4e8b-a1c7-5e2d8f0b9a11", "name": "Casco"}
    assert phase_match(CATALOGUE, ["Nieuwbouw"])["name"] == "Nieuwbouw"
    assert phase_match(CATALOGUE, "unknown") is None
    omniclass = "e6bbe656-6722-4f7c-a825-8be526e13189"
    found = classification_match(CATALOGUE, omniclass, "21-01 10 10 10")
    assert found == {
        "id": "7c1d2e3f-4a5b-4c6d-8e7f-21011010100a",
        "name": "Wall Foundations",
        "code": "21-01 10 10 10",
    }
    assert classification_match(CATALOGUE, None, "21.12")["name"] == "Buitenwanden; niet dragend"
    assert classification_match(CATALOGUE, omniclass, "99.99") is None
    assert brand_layer_match(CATALOGUE, "IfcColumn")["name"] == "Structure"
    assert brand_layer_match(CATALOGUE, "IfcWallStandardCase")["name"] == "Skin"
    assert brand_layer_match(CATALOGUE, "IfcBuildingElementProxy") is None
