"""v4.0 commodities are answered whole: a product or material reads back with every field its
client sent, as the platform does, valid against the build's response schema as the declared
``unsatisfiable-allof`` leniency reads it (real builds, whose Product/Material cannot validate as
published)."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver import create_app
from mockserver.validation.response import lenient_response, validate_response
from tests.conftest import real_build
from tests.mock.conftest import READ, WRITE

PRODUCT_FIELDS = {
    "functionalUnit": "Area",
    "defaultFunctionalUnitAmount": 2.5,
    "fixedHeight": 0.3,
    "productCode": "GEV-77",
    "GTIN": "08712345678906",
    "manufacturer": {"name": "Gevelbouw Noord BV", "city": "Groningen", "country": "NL"},
    "lifespan": 45,
    "density": 410.0,
    "url": "https://example.com/gevelpaneel",
    "doNotUseBillOfMaterials": True,
    "calculateEnvironmentValuesFromBillOfMaterials": False,
}
MATERIAL_FIELDS = {
    "density": 2400.0,
    "lifespan": 100,
    "supplier": "Betoncentrale Zuid",
    "materialFamilies": {"madasterv2": "h3"},
}


def _commodity(kind: str, database: str, external_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "commodityType": kind,
        "databaseId": database,
        "externalId": external_id,
        "names": {"nl": "Gevelpaneel hout", "en": "Timber facade panel"},
        "isActive": True,
        **fields,
    }


def _valid_only_with_leniency(app: Any, method: str, template: str, answer: Any) -> None:
    """The answer breaks the published schema only where the declared leniency explains it."""
    runtime = app.extensions["mockserver"]["runtimes"]["v4.0"]
    operation = next(op for op in runtime.operations if op.method == method and op.template == template)
    content_type = answer.headers["Content-Type"]
    published = validate_response(operation, runtime.schemas, answer.status_code, content_type, answer.data)
    assert published, "a whole product should not validate against the published union"
    remaining, applied = lenient_response(runtime, operation, answer.status_code, answer.data, published)
    assert remaining == [], remaining
    assert [a.leniency for a in applied] == ["unsatisfiable-allof"]
    assert "unsatisfiable-allof; response" in answer.headers["X-Mock-Leniency"]


def _sent_fields_read_back(sent: dict[str, Any], answer: dict[str, Any]) -> None:
    lost = {k: v for k, v in sent.items() if answer.get(k) != v}
    assert not lost, f"fields not echoed: {lost}; answer {answer}"


@pytest.mark.parametrize("build", [28168, 17265])
def test_a_product_reads_back_with_every_field_it_was_created_and_updated_with(build: int) -> None:
    app = create_app([real_build("v4.0", build)])
    client = app.test_client()
    database = client.post("/api/v4.0/database", json={"names": {"en": "Facades"}}, headers=WRITE).json["id"]
    body = _commodity("Product", database, "GEV-77", PRODUCT_FIELDS)
    created = client.post("/api/v4.0/commodity", json=body, headers=WRITE)
    assert created.status_code == 200, created.json
    _sent_fields_read_back(body, created.json)
    _valid_only_with_leniency(app, "POST", "/api/v4.0/commodity", created)
    commodity = created.json["id"]

    read = client.get(f"/api/v4.0/commodity/{commodity}", headers=READ)
    _sent_fields_read_back(body, read.json)
    _valid_only_with_leniency(app, "GET", "/api/v4.0/commodity/{id}", read)
    assert read.json["fixedArea"] is None and read.json["weight"] is None  # not sent: no made-up value
    found = client.get(f"/api/v4.0/commodity/{database}/external/GEV-77", headers=READ)
    _sent_fields_read_back(body, found.json)

    change = {**body, "id": commodity, "lifespan": 60, "productCode": "GEV-78", "weight": 12.0}
    updated = client.put("/api/v4.0/commodity", json=change, headers=WRITE)
    assert updated.status_code == 200, updated.json
    _valid_only_with_leniency(app, "PUT", "/api/v4.0/commodity", updated)
    _sent_fields_read_back(change, client.get(f"/api/v4.0/commodity/{commodity}", headers=READ).json)


@pytest.mark.parametrize("build", [28168, 17265])
def test_a_material_reads_back_whole_and_without_product_fields(build: int) -> None:
    app = create_app([real_build("v4.0", build)])
    client = app.test_client()
    database = client.get("/api/v4.0/database", headers=READ).json[0]["id"]
    body = _commodity("Material", database, "BETON-1", MATERIAL_FIELDS)
    created = client.post("/api/v4.0/commodity", json=body, headers=WRITE)
    assert created.status_code == 200, created.json
    read = client.get(f"/api/v4.0/commodity/{created.json['id']}", headers=READ)
    _sent_fields_read_back(body, read.json)
    _valid_only_with_leniency(app, "GET", "/api/v4.0/commodity/{id}", read)
    assert "functionalUnit" not in read.json and "productCode" not in read.json


def test_a_new_version_of_a_product_keeps_its_fields() -> None:
    app = create_app([real_build("v4.0", 28168)], processing_delay=0)
    client = app.test_client()
    database = client.get("/api/v4.0/database", headers=READ).json[0]["id"]
    body = _commodity("Product", database, "GEV-V", PRODUCT_FIELDS)
    created = client.post("/api/v4.0/commodity", json=body, headers=WRITE).json
    version = client.post(f"/api/v4.0/commodity/{created['id']}/version", headers=WRITE)
    assert version.status_code == 202, version.json
    copy = client.get(f"/api/v4.0/commodity/{version.json}", headers=READ).json
    _sent_fields_read_back({k: v for k, v in body.items() if k != "externalId"}, copy)


def test_strict_answers_commodities_as_published() -> None:
    app = create_app([real_build("v4.0", 28168)], strict=True)
    client = app.test_client()
    runtime = app.extensions["mockserver"]["runtimes"]["v4.0"]
    operation = next(
        op for op in runtime.operations if op.method == "GET" and op.template == "/api/v4.0/commodity/{id}"
    )
    standard = "b499c354-fa05-4fc5-8ee4-8df89d09da4a"  # a material of the standard Madaster database
    read = client.get(f"/api/v4.0/commodity/{standard}", headers=READ)
    assert read.status_code == 200 and "X-Mock-Leniency" not in read.headers
    found = validate_response(operation, runtime.schemas, 200, read.headers["Content-Type"], read.data)
    assert found == []


@pytest.mark.parametrize("build", [28168, 17265])
@pytest.mark.parametrize(
    "kind, fields",
    [("Material", MATERIAL_FIELDS), ("Material", {"supplier": "Hout BV"}), ("Product", PRODUCT_FIELDS)],
    ids=["material", "material-supplier-only", "product"],
)
def test_served_from_the_repaired_spec_a_commodity_reads_back_whole(
    build: int, kind: str, fields: dict
) -> None:
    """The contract runner serves the repaired spec (abstract base out of the union): a material
    or product with its own fields reads back whole there too, with no leniency needed."""
    from contracts.platform.leniency import find_and_repair
    from contracts.spec_loader import load_spec_file

    repaired, _ = find_and_repair(load_spec_file(real_build("v4.0", build)))
    client = create_app([repaired]).test_client()
    database = client.get("/api/v4.0/database", headers=READ).json[0]["id"]
    body = {"commodityType": kind, "databaseId": database, **fields}
    created = client.post("/api/v4.0/commodity", json=body, headers=WRITE)
    assert created.status_code == 200, created.json
    read = client.get(f"/api/v4.0/commodity/{created.json['id']}", headers=READ)
    _sent_fields_read_back(body, read.json)
    assert "X-Mock-Leniency" not in read.headers


@pytest.mark.parametrize("build", [28168, 17265])
def test_a_commodity_type_the_discriminator_does_not_name_is_refused(build: int) -> None:
    """Its own fields make it no base commodity; no subtype is called ``Timber``: a 400, not a
    commodity stored without the fields it was sent with."""
    client = create_app([real_build("v4.0", build)]).test_client()
    database = client.get("/api/v4.0/database", headers=READ).json[0]["id"]
    body = _commodity("Timber", database, "T-1", MATERIAL_FIELDS)
    refused = client.post("/api/v4.0/commodity", json=body, headers=WRITE)
    assert refused.status_code == 400, refused.json
