"""The platform catalogue: valid for every real build and baseline, and answered by the mock."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from contracts.platform.catalogue import INVARIANT, catalogue_versions, links, load_catalogue
from contracts.platform.leniency import find_and_repair
from mockserver import create_app
from mockserver.behaviour.reference import VIEWS, declared_only
from mockserver.fixtures.seed import fixture_plan
from tests.conftest import real_build
from tests.mock.conftest import ALL_SPECS, READ, SPEC_IDS, load, runtime_of

MADASTER_DB = "00000000-0000-0000-0000-000000000000"
EPEA_DB = "00000000-0000-0000-0000-000000000003"
OEKOBAUDAT_DB = "cd2bda71-760b-4fcc-8a0b-3877c10000a8"
OMNICLASS = "e6bbe656-6722-4f7c-a825-8be526e13189"
BOM_COMMODITIES = ("b499c354-fa05-4fc5-8ee4-8df89d09da4a", "fafe6a22-b9c0-4062-a7bb-0c8ffce68cb2")


def _app(path: Path, cache: dict, *, repaired: bool = False):
    doc = load(path, cache)
    return create_app([find_and_repair(doc)[0] if repaired else copy.deepcopy(doc)])


@pytest.mark.parametrize("path", ALL_SPECS, ids=SPEC_IDS)
def test_reference_answers_are_the_catalogue_unchanged(path: Path, spec_cache) -> None:
    """Every reference endpoint answers the catalogue's data as is: conforming changed nothing."""
    app = _app(path, spec_cache)
    version = next(iter(app.extensions["mockserver"]["runtimes"]))
    runtime = runtime_of(app, version)
    if runtime.catalogue is None:
        pytest.skip(f"no catalogue for {version}")
    served = 0
    for op in runtime.operations:
        view = VIEWS.get(f"{op.method} /" + "/".join(op.segments[2:]))
        if view is None:
            continue
        values = {"id": "nl_sfb", "passportType": "Full"}
        for language in ("nl", "en", "de"):
            raw = view(runtime.catalogue, values, language)
            expected = declared_only(copy.deepcopy(raw), op.success().schema, runtime._raw_resolve)
            answered = runtime.reference_answer(op, values, language)
            assert answered == expected, (op.label, language)
            validator = runtime.schemas.validator(op.success().schema, response=True)
            assert validator.is_valid(answered), op.label
            assert "mock-" not in str(answered), op.label
        served += 1
    assert served > 0


@pytest.mark.parametrize("path", ALL_SPECS, ids=SPEC_IDS)
def test_seeded_fixtures_keep_every_catalogue_field(path: Path, spec_cache) -> None:
    """Stored fixtures keep the plan's values for every field the entity schema declares.

    v4.0 is checked on the spec with its defects repaired, where Product and Material can hold
    their own fields; on the published spec only the CommodityBase fields can be answered.
    """
    app = _app(path, spec_cache, repaired=True)
    version = next(iter(app.extensions["mockserver"]["runtimes"]))
    runtime = runtime_of(app, version)
    store = app.extensions["mockserver"]["store"]
    plan = fixture_plan(runtime)
    if not plan:
        pytest.skip(f"no catalogue fixtures for {version}")
    checked = 0
    for section, link in links(version).items():
        if link.collection not in runtime.model.stateful:
            continue
        names = runtime.property_names(runtime.entity_schema(link.collection) or {})
        key = runtime.key_fields.get(link.collection) or "id"
        stored = {str(e.get(key)): e for e in store.list(link.collection)}
        for entry in plan.get(section, []):
            if entry.get(key) is None or str(entry[key]) not in stored:
                assert key != "id" or entry.get("id") is None, (section, entry.get("id"))
                continue
            entity = stored[str(entry[key])]
            for field, value in entry.items():
                if field in names and field != key and value is not None:
                    assert _within(entity.get(field), value), (section, entry[key], field, entity.get(field))
                    checked += 1
    assert checked > 0


def _within(stored, planned) -> bool:
    """``stored`` is ``planned`` or a part of it: nested members a build does not declare may go,
    nothing may change or be made up."""
    if isinstance(stored, dict) and isinstance(planned, dict):
        return all(k in planned and _within(v, planned[k]) for k, v in stored.items()) and bool(stored)
    if isinstance(stored, list) and isinstance(planned, list):
        return len(stored) == len(planned) and all(map(_within, stored, planned))
    return stored == planned


@pytest.mark.parametrize("version", catalogue_versions())
def test_catalogue_ids_are_unique_and_sub_folder_types_exist(version: str) -> None:
    catalogue = load_catalogue(version)
    assert catalogue is not None
    ids = catalogue.ids()
    assert len(ids["folder_types"]) == len(catalogue.folder_types)
    assert len(ids["commodities"]) == len(catalogue.commodities)
    for folder_type in catalogue.folder_types:
        assert set(folder_type["allowedSubFolderTypeIds"]) <= ids["folder_types"]
    for commodity in catalogue.commodities:
        assert commodity["databaseId"] in ids["databases"]
    for child in catalogue.children:
        assert {child["productId"], child["commodityId"]} <= ids["commodities"]
    for names in [d["names"] for d in catalogue.databases] + [c["names"] for c in catalogue.commodities]:
        assert set(names) <= {*catalogue.languages, INVARIANT} and all(
            isinstance(v, str) for v in names.values()
        )
        assert names[INVARIANT] == names[catalogue.default_language]  # the invariant entry beside them


def _client(*builds: tuple[str, int]):
    return create_app([real_build(v, b) for v, b in builds]).test_client()


def test_v3_reference_lists_hold_the_platform_facts() -> None:
    client = _client(("v3.0", 30855))
    types = client.get("/api/v3.0/account/foldertypes", headers=READ).json
    portfolio = next(t for t in types if t["name"]["nl"] == "Portfolio")
    assert portfolio["name"]["en"] == "Portfolio" and portfolio["allowbuildings"]
    ordinary = [t for t in types if t is not portfolio]
    assert ordinary and all(set(t["allowedSubFolderTypeIds"]) <= {x["id"] for x in types} for t in types)
    usages = client.get("/api/v3.0/system/buildingusages", headers={**READ, "Accept-Language": "nl"}).json
    assert "other-othersub" in usages and usages["office-office"] == "Kantoor"
    assert client.get("/api/v3.0/system/buildingusages", headers=READ).json["office-office"] == "Office"
    families = client.get("/api/v3.0/system/materialfamilies", headers=READ).json
    assert "nl_sfb" in {f["id"] for f in families} and "Madaster" in {f["name"] for f in families}
    methods = client.get("/api/v3.0/system/classificationmethods", headers=READ).json
    assert any(m["name"]["nl"] == "NL-SfB" for m in methods)
    assert OMNICLASS in {m["id"] for m in methods}
    building = client.get("/api/v3.0/building", headers=READ).json[0]["id"]
    available = client.get(f"/api/v3.0/building/{building}/availabledatabases", headers=READ).json
    assert {MADASTER_DB, EPEA_DB, OEKOBAUDAT_DB} <= {d["databaseId"] for d in available}
    presets = client.get(f"/api/v3.0/building/{building}/passportpresets/Full", headers=READ).json
    assert presets and all(p["name"] for p in presets)


def test_v4_standard_databases_and_commodities_are_served() -> None:
    client = _client(("v4.0", 28168))
    listed = {d["id"] for d in client.get("/api/v4.0/database", headers=READ).json}
    assert {MADASTER_DB, EPEA_DB, OEKOBAUDAT_DB} <= listed
    oekobaudat = client.get(f"/api/v4.0/database/{OEKOBAUDAT_DB}", headers=READ).json
    assert oekobaudat["names"]["de"] == "ÖKOBAUDAT 2023"
    for commodity in BOM_COMMODITIES:
        answer = client.get(f"/api/v4.0/commodity/{commodity}", headers=READ)
        assert answer.status_code == 200 and answer.json["databaseId"] == MADASTER_DB
    in_madaster = client.get(f"/api/v4.0/database/{MADASTER_DB}/commodities", headers=READ).json
    assert set(BOM_COMMODITIES) <= {c["id"] for c in in_madaster}
    assert {"Material", "Product"} <= {c["commodityType"] for c in in_madaster}
    price_sets = client.get("/api/v4.0/system/pricesets", headers=READ).json
    assert price_sets and all(p["names"]["nl"] for p in price_sets)
    families = client.get(f"/api/v4.0/database/{MADASTER_DB}/materialfamilies", headers=READ).json
    assert {"nl_sfb", "madaster"} <= {f["id"] for f in families}


def test_a_bill_of_materials_takes_the_standard_commodities() -> None:
    """The published v4.0 example adds two Madaster commodities to a product's bill of materials."""
    client = _client(("v4.0", 28168))
    write = {"X-API-Key": "dev-write"}
    database = client.get("/api/v4.0/database", headers=READ).json[0]["id"]
    product = client.post(
        "/api/v4.0/commodity",
        json={"commodityType": "Product", "databaseId": database, "names": {"en": "Wall"}},
        headers=write,
    ).json["id"]
    for commodity in BOM_COMMODITIES:
        added = client.post(
            f"/api/v4.0/commodity/{product}/children/weight",
            json={"commodityId": commodity, "quantity": 10},
            headers=write,
        )
        assert added.status_code == 202, added.json
    children = client.get(f"/api/v4.0/commodity/{product}/children", headers=READ).json
    assert [c["commodityId"] for c in children] == list(BOM_COMMODITIES)
    assert children[0]["names"]["en"] == "Concrete C30/37" and children[0]["quantityType"] == "weight"


def test_fixtures_depend_on_the_seed_only() -> None:
    path = real_build("v3.0", 30855)
    names = [
        [
            b["name"]
            for b in create_app([path], seed=seed).test_client().get("/api/v3.0/building", headers=READ).json
        ]
        for seed in (3, 3, 4)
    ]
    assert names[0] == names[1]
    assert all(name and not name.startswith("mock-") for name in names[0])
