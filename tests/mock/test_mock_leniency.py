"""Accept what the platform accepts, say so, and refuse it under --strict (real builds)."""

from __future__ import annotations

import pytest

from mockserver import create_app
from tests.conftest import real_build
from tests.mock.conftest import READ, WRITE

NAIVE = "2026-11-30T20:18:35.951712"


def _building_body(client, **extra):
    folder = client.get("/api/v3.0/folder", headers=READ).json[0]["id"]
    return {
        "folderId": folder,
        "name": "Kantoor Stationsplein",
        "phase": "New",
        "completionDate": NAIVE,
        "buildingUsage": "office-office",
        "grossSurfaceArea": 2400.0,
        "materialClassificationTypeId": "nl_sfb",
        "classificationType": "a0e74d18-fda2-4b6a-ae4c-c8ff29dffeff",  # NL-SfB (required by build 7980)
        **extra,
    }


@pytest.mark.parametrize("build", [30855, 28168, 7980])
def test_a_date_time_without_offset_is_accepted_recorded_and_named(build: int) -> None:
    client = create_app([real_build("v3.0", build)]).test_client()
    created = client.post("/api/v3.0/building", json=_building_body(client), headers=WRITE)
    assert created.status_code == 201, created.json
    assert created.headers["X-Mock-Leniency"] == "datetime-without-offset; body.completionDate"
    assert created.json["completionDate"] == NAIVE + "Z"
    read = client.get(f"/api/v3.0/building/{created.json['id']}", headers=READ).json
    assert read["completionDate"] == NAIVE + "Z"
    logged = [e for e in client.get("/__mock/requests").json if e["method"] == "POST"][-1]
    assert logged["leniencies"] == [
        {"leniency": "datetime-without-offset", "location": "body.completionDate"}
    ]
    plain = client.post(
        "/api/v3.0/building", json=_building_body(client, completionDate=NAIVE + "Z"), headers=WRITE
    )
    assert plain.status_code == 201 and "X-Mock-Leniency" not in plain.headers
    assert "leniencies" not in client.get("/__mock/requests").json[-1]


def test_strict_refuses_a_date_time_without_offset() -> None:
    client = create_app([real_build("v3.0", 30855)], strict=True).test_client()
    refused = client.post("/api/v3.0/building", json=_building_body(client), headers=WRITE)
    assert refused.status_code == 400
    assert [e["location"] for e in refused.json["errors"]] == ["body.completionDate"]


def test_what_is_really_wrong_is_still_a_400_listing_every_problem() -> None:
    client = create_app([real_build("v3.0", 30855)]).test_client()
    body = _building_body(client, name="", grossSurfaceArea="large", lastRenovationDate="2020-13-45")
    refused = client.post("/api/v3.0/building", json=body, headers=WRITE)
    assert refused.status_code == 400 and "X-Mock-Leniency" not in refused.headers
    locations = {e["location"] for e in refused.json["errors"]}
    assert locations == {"body.name", "body.grossSurfaceArea", "body.lastRenovationDate"}


def _product(database: str, **extra):
    """A product create body like the published C# example's."""
    return {
        "commodityType": "Product",
        "databaseId": database,
        "externalId": "PRODUCT-0001",
        "names": {"nl": "Voorbeeldproduct", "en": "Example product"},
        "descriptions": {"en": "Created by the example client"},
        "functionalUnit": "Quantity",
        "defaultFunctionalUnitAmount": 1,
        "lifespan": 50,
        "weight": 12.5,
        "productCode": "EX-1",
        "isActive": True,
        "doNotUseBillOfMaterials": False,
        "calculateEnvironmentValuesFromBillOfMaterials": True,
        **extra,
    }


@pytest.mark.parametrize("build", [28168, 17265])
def test_a_product_body_the_spec_cannot_express_is_accepted(build: int) -> None:
    client = create_app([real_build("v4.0", build)]).test_client()
    database = client.post("/api/v4.0/database", json={"names": {"en": "Example"}}, headers=WRITE).json["id"]
    created = client.post("/api/v4.0/commodity", json=_product(database), headers=WRITE)
    assert created.status_code in (200, 201), created.json
    assert created.headers["X-Mock-Leniency"] == "unsatisfiable-allof; body, unsatisfiable-allof; response"
    assert created.json["externalId"] == "PRODUCT-0001"
    found = client.get(f"/api/v4.0/commodity/{database}/external/PRODUCT-0001", headers=READ)
    assert found.status_code == 200 and found.json["id"] == created.json["id"]
    wrong = client.post(
        "/api/v4.0/commodity",
        json=_product(database, functionalUnit="Bushel", lifespan="long"),
        headers=WRITE,
    )
    assert wrong.status_code == 400
    assert {e["location"] for e in wrong.json["errors"]} == {"body.functionalUnit", "body.lifespan"}


@pytest.mark.parametrize("build", [28168, 17265])
def test_strict_refuses_the_product_body(build: int) -> None:
    client = create_app([real_build("v4.0", build)], strict=True).test_client()
    database = client.post("/api/v4.0/database", json={"names": {"en": "Example"}}, headers=WRITE).json["id"]
    refused = client.post("/api/v4.0/commodity", json=_product(database), headers=WRITE)
    assert refused.status_code == 400 and "X-Mock-Leniency" not in refused.headers


def test_a_commodity_the_spec_can_express_needs_no_leniency() -> None:
    client = create_app([real_build("v4.0", 28168)]).test_client()
    database = client.get("/api/v4.0/database", headers=READ).json[0]["id"]
    body = {"commodityType": "Material", "databaseId": database, "names": {"en": "Clay"}}
    created = client.post("/api/v4.0/commodity", json=body, headers=WRITE)
    assert created.status_code in (200, 201)
    # the request needed none; the answer is a whole Material, which only the leniency can read
    assert created.headers["X-Mock-Leniency"] == "unsatisfiable-allof; response"
    assert created.json["materialFamilies"] == {} and created.json["supplier"] is None


@pytest.mark.parametrize(("flags", "strict"), [((), False), (("--strict",), True)])
def test_the_command_passes_strict_to_the_app(flags: tuple[str, ...], strict: bool) -> None:
    from contracts.cli import build_parser
    from mockserver.command import build_app

    args = build_parser().parse_args(["mock", "--spec", str(real_build("v4.0", 28168)), *flags])
    setup = build_app(args)
    assert setup.app.extensions["mockserver"]["strict"] is strict
    client = setup.app.test_client()
    database = client.get("/api/v4.0/database", headers=READ).json[0]["id"]
    answer = client.post("/api/v4.0/commodity", json=_product(database), headers=WRITE)
    assert answer.status_code == (400 if strict else 200)


@pytest.mark.parametrize("build", [28168, 17265])
@pytest.mark.parametrize("kind", ["AAA", "CommodityBase", "material", ""])
def test_a_commodity_type_no_subtype_names_is_refused(build: int, kind: str) -> None:
    """As published the union lists the abstract base, so any commodityType passes; the platform
    builds only Material and Product, and the runner tests that reading: the mock refuses the rest."""
    client = create_app([real_build("v4.0", build)]).test_client()
    database = client.get("/api/v4.0/database", headers=READ).json[0]["id"]
    before = client.get(f"/api/v4.0/database/{database}/commodities", headers=READ)
    refused = client.post(
        "/api/v4.0/commodity", json={"commodityType": kind, "databaseId": database}, headers=WRITE
    )
    assert refused.status_code == 400, refused.json
    assert [e["location"] for e in refused.json["errors"]] == ["body"]
    after = client.get(f"/api/v4.0/database/{database}/commodities", headers=READ)
    assert before.status_code == 200 and after.get_data() == before.get_data()  # nothing stored


@pytest.mark.parametrize("build", [28168, 17265])
def test_strict_takes_the_published_union_as_it_is(build: int) -> None:
    client = create_app([real_build("v4.0", build)], strict=True).test_client()
    database = client.get("/api/v4.0/database", headers=READ).json[0]["id"]
    answer = client.post(
        "/api/v4.0/commodity", json={"commodityType": "AAA", "databaseId": database}, headers=WRITE
    )
    assert answer.status_code == 200, answer.json  # the published base takes it; --strict follows the spec
