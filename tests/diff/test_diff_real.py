"""The diff on the real published Madaster builds: the specific findings of every consecutive pair."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from functools import cache
from typing import Any

import yaml

from contracts.diff import DiffReport, Level, diff_specs
from contracts.spec_loader import load_spec_file
from tests.conftest import real_build

JSON3 = ["application/json", "text/json", "application/*+json"]


@cache
def _doc(version: str, build: int) -> str:
    return json.dumps(load_spec_file(real_build(version, build), validate=False))


def doc(version: str, build: int) -> dict[str, Any]:
    """A fresh copy of a real build (tests may edit it)."""
    return json.loads(_doc(version, build))


def diff(version: str, old: int, new: int) -> DiffReport:
    return diff_specs(doc(version, old), doc(version, new))


def found(report: DiffReport, level: Level | None = None) -> set[tuple[str, str, str]]:
    return {(c.id, c.operation, c.location) for c in report.changes if level is None or c.level == level}


def test_v3_7980_to_18991_material_product_database_removed_one_finding_each() -> None:
    report = diff("v3.0", 7980, 18991)
    old_ops = {
        f"{m.upper()} {p}"
        for p, item in doc("v3.0", 7980)["paths"].items()
        for m in item
        if re.match(r"^/api/v3\.0/(material|product|database)\b", p)
    }
    assert len(old_ops) == 33
    removed = [c for c in report.changes if c.id == "operation-removed"]
    assert len(removed) == 35  # the 33 above plus two system endpoints
    assert {c.operation for c in removed} == old_ops | {
        "GET /api/v3.0/system/materialfamilies/{id}",
        "GET /api/v3.0/system/materialpricesets",
    }
    assert all(c.level == Level.BREAKING and c.location == "" for c in removed)
    # a removed operation is one finding, never one per nested property
    removed_ops = {c.operation for c in removed}
    assert Counter(c.operation for c in report.changes if c.operation in removed_ops) == Counter(removed_ops)


def test_v3_7980_to_18991_other_findings() -> None:
    report = diff("v3.0", 7980, 18991)
    breaking = found(report, Level.BREAKING)
    assert (
        "response-property-removed",
        "GET /api/v3.0/building/{id}/circular",
        "response.200.correctionUnknownBrandLayer",
    ) in breaking
    assert (
        "response-property-removed",
        "GET /api/v3.0/system/classificationmethods",
        "response.200[].classificationTypeId",
    ) in breaking
    # the old build marked some path parameters nullable; a path segment cannot be null: no finding
    assert not [c for c in report.changes if c.location.startswith("path.")]
    tightened = [c for c in report.changes if c.id == "request-property-constraint-tightened"]
    assert {(c.operation, c.location) for c in tightened} >= {
        ("POST /api/v3.0/building", "request.name"),
        ("PUT /api/v3.0/building/{id}", "request.name"),
    }
    assert all(c.media_types == JSON3 and "minLength none -> 1" in c.message for c in tightened)
    warnings = found(report, Level.WARNING)
    assert ("operation-deprecated", "POST /api/v3.0/building/{id}/exportpassport", "") in warnings
    assert ("request-property-removed", "POST /api/v3.0/building", "request.mpgLabelManual") in warnings
    # a generated client with a non-nullable double fails on null: breaking, response side only
    nullable = {
        (c.operation, c.location) for c in report.changes if c.id == "response-property-became-nullable"
    }
    assert all(
        c.level == Level.BREAKING for c in report.changes if c.id == "response-property-became-nullable"
    )
    fields = ("energyIndex", "geoLatitude", "geoLongtitude", "lastRenovationDate", "wellScoreBuilding")
    for op, at in (
        ("GET /api/v3.0/building/{id}", "response.200"),
        ("GET /api/v3.0/building", "response.200[]"),
    ):
        assert {(op, f"{at}.{name}") for name in fields} <= nullable
    assert len(nullable) == 28  # 7 BuildingResponse fields in 4 operations
    assert not [
        c for c in report.changes if c.id == "request-property-became-nullable" and c.level != Level.INFO
    ]
    added = {c.operation for c in report.changes if c.id == "operation-added"}
    assert "POST /api/v3.0/building/{id}/passport" in added
    assert report.summary()["breaking"] == 48 + 28


def test_v3_18991_to_28168() -> None:
    report = diff("v3.0", 18991, 28168)
    assert {c.operation for c in report.changes if c.id == "operation-added"} == {
        "GET /api/v3.0/building/{id}/database",
        "POST /api/v3.0/building/{id}/database",
        "GET /api/v3.0/building/{id}/availabledatabases",
        "POST /api/v3.0/building/{buildingId}/files/restartrefinement",
        "DELETE /api/v3.0/folder/{id}",
    }
    assert not [c for c in report.changes if c.id == "operation-removed"]
    breaking = found(report, Level.BREAKING)
    files = "POST /api/v3.0/building/{buildingId}/files"
    assert {
        ("request-property-became-required", files, "request.type"),
        ("request-property-became-required", files, "request.name"),
        ("request-property-became-required", files, "request.preferredDatabaseIds"),
        ("request-property-became-non-nullable", files, "request.name"),
        ("response-property-removed", "GET /api/v3.0/building/{id}", "response.200.phaseType"),
        ("response-property-removed", "GET /api/v3.0/building", "response.200[].mpgLabelManual"),
    } <= breaking
    assert {i for i, _, _ in breaking} == {
        "request-property-became-required",
        "request-property-became-non-nullable",
        "request-property-constraint-tightened",
        "response-property-removed",
        "response-property-enum-value-added",
    }
    assert len(breaking) == 29


def test_v3_28168_to_30855_only_new_response_enum_values_break() -> None:
    report = diff("v3.0", 28168, 30855)
    assert {c.operation for c in report.changes if c.id == "operation-added"} == {
        "GET /api/v3.0/building/external/{externalId}",
        "GET /api/v3.0/folder/external/{externalId}",
    }
    # generated enums throw on an unknown value, so a new response enum value breaks typed clients
    breaking = [c for c in report.changes if c.level == Level.BREAKING]
    assert len(breaking) == 8 and report.summary()["warning"] == 0
    assert all(c.id == "response-property-enum-value-added" for c in breaking)
    assert all('"ImportFailed", "RefineFailed"' in c.message for c in breaking)
    defaults = [c for c in report.changes if c.id == "response-non-success-status-added"]
    assert len(defaults) == 46 and all(c.location == "response.default" for c in defaults)
    assert (
        "request-parameter-added",
        "GET /api/v3.0/building/{id}/availabledatabases",
        "query.explicitlyShared",
    ) in found(report, Level.INFO)


def test_v4_17265_to_28168() -> None:
    report = diff("v4.0", 17265, 28168)
    breaking = found(report, Level.BREAKING)
    assert ("operation-removed", "GET /api/v4.0/commodity/{id}/lca/{isoCode}", "") in breaking
    assert {i for i, _, _ in breaking} == {
        "operation-removed",
        "response-property-enum-value-added",
        "response-property-became-nullable",
    }
    assert {c.operation for c in report.changes if c.id == "operation-added"} == {
        "DELETE /api/v4.0/commodity/{id}/children/clear",
        "GET /api/v4.0/commodity/{id}/lca/{isoCode}/{compliance}",
    }
    warnings = found(report, Level.WARNING)
    assert ("operation-deprecated", "GET /api/v4.0/database/{id}/compliances", "") in warnings
    # an enum change inside oneOf (Optic misses these)
    assert (
        "response-property-enum-value-added",
        "GET /api/v4.0/commodity/{id}",
        "response.200.oneOf[Product].functionalUnit",
    ) in breaking
    assert ("request-parameter-added", "GET /api/v4.0/database/{id}/commodities", "query.skip") in found(
        report
    )


def test_identical_specs_give_no_change() -> None:
    for version, build in (("v3.0", 7980), ("v3.0", 30855), ("v4.0", 28168)):
        assert diff_specs(doc(version, build), doc(version, build)).changes == []


def test_json_to_yaml_reformatting_and_key_order_give_no_change() -> None:
    original = doc("v3.0", 30855)
    shuffled = json.loads(json.dumps(original, sort_keys=True))
    as_yaml = yaml.safe_load(yaml.safe_dump(shuffled, sort_keys=False, allow_unicode=True))
    assert diff_specs(original, as_yaml).changes == []
    v4 = doc("v4.0", 17265)
    assert diff_specs(v4, json.loads(json.dumps(v4, indent=1, sort_keys=True))).changes == []


def _rename_component(spec: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    text = json.dumps(spec).replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    renamed = json.loads(text)
    schemas = renamed["components"]["schemas"]
    schemas[new] = schemas.pop(old)
    return renamed


def test_renaming_components_is_no_change() -> None:
    original = doc("v4.0", 28168)
    renamed = _rename_component(
        _rename_component(original, "CommodityBase", "Base"), "LocalizedString", "Texts"
    )
    assert diff_specs(original, renamed).changes == []


def test_renaming_path_parameters_is_no_change() -> None:
    original = doc("v3.0", 30855)
    text = (
        json.dumps(original)
        .replace("{buildingId}", "{building}")
        .replace('"name": "buildingId"', '"name": "building"')
    )
    assert diff_specs(original, json.loads(text)).changes == []


def test_across_versions_matches_operations_without_the_prefix() -> None:
    original = doc("v4.0", 28168)
    moved = json.loads(json.dumps(original).replace("/api/v4.0/", "/api/v5.0/"))
    assert diff_specs(original, moved, across=True).changes == []
    plain = diff_specs(original, moved)
    ids = Counter(c.id for c in plain.changes)
    assert set(ids) == {"operation-removed", "deprecated-operation-removed", "operation-added"}
    assert ids["operation-removed"] + ids["deprecated-operation-removed"] == ids["operation-added"] == 44


def test_across_v3_to_v4_reports_what_v4_dropped_and_added() -> None:
    report = diff_specs(doc("v3.0", 30855), doc("v4.0", 28168), across=True)
    assert ("operation-removed", "GET /api/v3.0/account", "") in found(report)
    assert ("operation-added", "GET /api/v4.0/database/{id}", "") in found(report)


def test_recursive_schema_change_is_found_once() -> None:
    old = doc("v4.0", 28168)
    new = copy.deepcopy(old)
    folder = new["components"]["schemas"]["FolderInfo"]
    assert folder["properties"]["children"]["items"] == {"$ref": "#/components/schemas/FolderInfo"}
    folder["properties"]["name"] = {"type": "integer"}
    report = diff_specs(old, new)
    assert report.changes
    assert all(c.location.count("children") <= 1 for c in report.changes)
