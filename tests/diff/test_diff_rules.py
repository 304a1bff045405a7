"""Every rule in the catalogue, triggered by one small edit of a hand-written spec (and nothing else)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contracts.diff import diff_specs
from contracts.diff.catalogue import all_rules, markdown_table, rules_by_id, with_table
from tests.conftest import PROJECT_ROOT
from tests.diff.builders import ITEM, ITEMS, JSON_TYPES, base_spec, mutated, op

Edit = Callable[[dict[str, Any]], None]


def _set(path: list, value: Any) -> Edit:
    def edit(spec: dict[str, Any]) -> None:
        node = spec
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def _delete(path: list) -> Edit:
    def edit(spec: dict[str, Any]) -> None:
        node = spec
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return edit


def _both(*edits: Edit) -> Edit:
    def edit(spec: dict[str, Any]) -> None:
        for e in edits:
            e(spec)

    return edit


def _param(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in op(spec, "get", ITEMS)["parameters"] if p["name"] == name)


def _param_edit(name: str, key: str, value: Any) -> Edit:
    def edit(spec: dict[str, Any]) -> None:
        param = _param(spec, name)
        if key.startswith("schema."):
            param["schema"][key[7:]] = value
        else:
            param[key] = value

    return edit


def _add_param(param: dict[str, Any]) -> Edit:
    return lambda spec: op(spec, "get", ITEMS)["parameters"].append(param)


def _drop_param(name: str) -> Edit:
    def edit(spec: dict[str, Any]) -> None:
        params = op(spec, "get", ITEMS)["parameters"]
        params[:] = [p for p in params if p["name"] != name]

    return edit


def _rename_status(path: str, method: str, old: str, new: str) -> Edit:
    def edit(spec: dict[str, Any]) -> None:
        responses = op(spec, method, path)["responses"]
        responses[new] = responses.pop(old)

    return edit


S = ["components", "schemas"]
REQ = [*S, "ItemRequest"]
ITEM_SCHEMA = [*S, "Item"]
POST_BODY = ["paths", ITEMS, "post", "requestBody"]
RATE = ["paths", ITEMS, "get", "responses", "200", "headers", "X-Rate"]
OPEN_REQUEST = _delete([*REQ, "additionalProperties"])
NO_BODY = _delete(POST_BODY)
CAT, DOG = "#/components/schemas/Cat", "#/components/schemas/Dog"
PET_MAPPING = {"propertyName": "kind", "mapping": {"cat": CAT, "dog": DOG}}
WITH_BEARER = _set(["components", "securitySchemes", "Bearer"], {"type": "http", "scheme": "bearer"})

# rule id -> (edit of the old spec or None, edit of the new spec or None)
CASES: dict[str, tuple[Edit | None, Edit | None]] = {
    # operations
    "operation-removed": (None, _delete(["paths", ITEMS, "get"])),
    "deprecated-operation-removed": (None, _delete(["paths", ITEM, "delete"])),
    "operation-removed-before-sunset": (
        _set(["paths", ITEM, "delete", "x-sunset"], "2999-01-01"),
        _delete(["paths", ITEM, "delete"]),
    ),
    "operation-added": (_delete(["paths", ITEM, "delete"]), None),
    "operation-deprecated": (None, _set(["paths", ITEM, "get", "deprecated"], True)),
    "operation-undeprecated": (None, _delete(["paths", ITEM, "delete", "deprecated"])),
    "operation-id-changed": (None, _set(["paths", ITEM, "get", "operationId"], "Items_Fetch")),
    # security
    "security-added": (_delete(["security"]), None),
    "security-requirement-changed": (
        None,
        _set(["components", "securitySchemes", "ApiKeyAuth", "name"], "X-Key"),
    ),
    "security-alternative-added": (
        None,
        _both(WITH_BEARER, _set(["security"], [{"ApiKeyAuth": []}, {"Bearer": []}])),
    ),
    "security-removed": (None, _delete(["security"])),
    # parameters
    "request-parameter-added-required": (
        None,
        _add_param({"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}),
    ),
    "request-parameter-added": (None, _add_param({"name": "q", "in": "query", "schema": {"type": "string"}})),
    "request-parameter-removed": (None, _drop_param("X-Trace")),
    "request-parameter-became-required": (None, _param_edit("page", "required", True)),
    "request-parameter-became-optional": (_param_edit("page", "required", True), None),
    "request-parameter-location-changed": (None, _param_edit("X-Trace", "in", "query")),
    "request-parameter-type-changed": (None, _param_edit("page", "schema.type", "string")),
    "request-parameter-type-generalized": (None, _param_edit("page", "schema.format", "int64")),
    "request-parameter-enum-value-removed": (None, _param_edit("filter", "schema.enum", ["a"])),
    "request-parameter-enum-value-added": (None, _param_edit("filter", "schema.enum", ["a", "b", "c"])),
    "request-parameter-became-non-nullable": (_param_edit("page", "schema.nullable", True), None),
    "request-parameter-became-nullable": (None, _param_edit("page", "schema.nullable", True)),
    "request-parameter-constraint-tightened": (None, _param_edit("filter", "schema.maxLength", 5)),
    "request-parameter-constraint-loosened": (None, _param_edit("filter", "schema.maxLength", 20)),
    "request-parameter-default-changed": (None, _param_edit("filter", "schema.default", "b")),
    "request-parameter-deprecated": (None, _param_edit("page", "deprecated", True)),
    # request body
    "request-body-added-required": (NO_BODY, _set([*POST_BODY, "required"], True)),
    "request-body-added": (NO_BODY, None),
    "request-body-removed": (None, NO_BODY),
    "request-body-became-required": (None, _set([*POST_BODY, "required"], True)),
    "request-body-became-optional": (_set([*POST_BODY, "required"], True), None),
    "request-media-type-removed": (None, _delete([*POST_BODY, "content", "text/json"])),
    "request-media-type-added": (None, _set([*POST_BODY, "content", "application/xml"], {"schema": {}})),
    # request properties
    "request-property-added-required": (
        None,
        _both(
            _set([*REQ, "properties", "color"], {"type": "string"}),
            _set([*REQ, "required"], ["name", "color"]),
        ),
    ),
    "request-property-added": (None, _set([*REQ, "properties", "color"], {"type": "string"})),
    "request-property-became-required": (None, _set([*REQ, "required"], ["name", "size"])),
    "request-property-became-optional": (None, _set([*REQ, "required"], [])),
    "request-property-removed": (OPEN_REQUEST, _both(OPEN_REQUEST, _delete([*REQ, "properties", "code"]))),
    "request-property-removed-strict": (None, _delete([*REQ, "properties", "code"])),
    "request-property-type-changed": (None, _set([*REQ, "properties", "size", "type"], "string")),
    "request-property-type-generalized": (None, _set([*REQ, "properties", "size", "format"], "int64")),
    "request-property-enum-value-removed": (None, _set([*REQ, "properties", "mode", "enum"], ["fast"])),
    "request-property-enum-value-added": (
        None,
        _set([*REQ, "properties", "mode", "enum"], ["fast", "slow", "x"]),
    ),
    "request-property-became-non-nullable": (None, _set([*REQ, "properties", "note", "nullable"], False)),
    "request-property-became-nullable": (None, _set([*REQ, "properties", "size", "nullable"], True)),
    "request-property-constraint-tightened": (None, _set([*REQ, "properties", "size", "maximum"], 50)),
    "request-property-constraint-loosened": (None, _set([*REQ, "properties", "size", "maximum"], 200)),
    "request-property-default-changed": (None, _set([*REQ, "properties", "mode", "default"], "slow")),
    "request-variant-removed": (
        None,
        _set([*REQ, "properties", "pet", "oneOf"], [{"$ref": "#/components/schemas/Cat"}]),
    ),
    "request-variant-added": (
        None,
        _set(
            [*REQ, "properties", "pet", "oneOf"],
            [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}, {"type": "string"}],
        ),
    ),
    "request-additional-properties-closed": (OPEN_REQUEST, None),
    "request-additional-properties-opened": (None, OPEN_REQUEST),
    "request-required-property-became-read-only": (
        None,
        _set([*REQ, "properties", "name", "readOnly"], True),
    ),
    "request-property-became-read-only": (None, _set([*REQ, "properties", "size", "readOnly"], True)),
    "request-discriminator-mapping-changed": (
        _set([*REQ, "properties", "pet", "discriminator"], PET_MAPPING),
        _set(
            [*REQ, "properties", "pet", "discriminator"], {**PET_MAPPING, "mapping": {"cat": DOG, "dog": DOG}}
        ),
    ),
    # responses
    "response-success-status-removed": (None, _delete(["paths", ITEMS, "post", "responses", "201"])),
    "response-non-success-status-removed": (None, _delete(["paths", ITEMS, "get", "responses", "default"])),
    "response-success-status-added": (
        None,
        _set(["paths", ITEMS, "post", "responses", "202"], {"description": "accepted"}),
    ),
    "response-non-success-status-added": (
        None,
        _set(["paths", ITEM, "get", "responses", "404"], {"description": "missing"}),
    ),
    "response-media-type-removed": (
        _set(["paths", ITEM, "get", "responses", "200", "content", "text/json"], {"schema": {}}),
        None,
    ),
    "response-media-type-added": (
        None,
        _set(["paths", ITEM, "get", "responses", "200", "content", "text/json"], {"schema": {}}),
    ),
    # response properties (Item is returned by three operations: one finding per operation)
    "response-property-removed": (None, _delete([*ITEM_SCHEMA, "properties", "status"])),
    "response-property-added": (None, _set([*ITEM_SCHEMA, "properties", "color"], {"type": "string"})),
    "response-property-type-changed": (None, _set([*ITEM_SCHEMA, "properties", "count", "type"], "string")),
    "response-property-type-specialized": (
        _set([*ITEM_SCHEMA, "properties", "count", "format"], "int64"),
        None,
    ),
    "response-property-became-nullable": (
        None,
        _set([*ITEM_SCHEMA, "properties", "count", "nullable"], True),
    ),
    "response-property-became-non-nullable": (
        None,
        _delete([*ITEM_SCHEMA, "properties", "note", "nullable"]),
    ),
    "response-property-enum-value-added": (
        None,
        _set([*ITEM_SCHEMA, "properties", "status", "enum"], ["new", "done", "failed"]),
    ),
    "response-property-enum-value-removed": (
        None,
        _set([*ITEM_SCHEMA, "properties", "status", "enum"], ["new"]),
    ),
    "response-required-property-became-optional": (None, _set([*ITEM_SCHEMA, "required"], ["id"])),
    "response-property-became-required": (None, _set([*ITEM_SCHEMA, "required"], ["id", "name", "status"])),
    "response-property-constraint-loosened": (
        None,
        _set([*ITEM_SCHEMA, "properties", "count", "maximum"], 2000),
    ),
    "response-property-constraint-tightened": (
        None,
        _set([*ITEM_SCHEMA, "properties", "count", "maximum"], 500),
    ),
    "response-variant-added": (
        None,
        _set(
            [*ITEM_SCHEMA, "properties", "pet", "oneOf"],
            [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}, {"type": "string"}],
        ),
    ),
    "response-variant-removed": (
        None,
        _set([*ITEM_SCHEMA, "properties", "pet", "oneOf"], [{"$ref": "#/components/schemas/Cat"}]),
    ),
    "response-property-default-changed": (
        _set([*ITEM_SCHEMA, "properties", "status", "default"], "new"),
        _set([*ITEM_SCHEMA, "properties", "status", "default"], "done"),
    ),
    "response-property-became-write-only": (
        None,
        _set([*ITEM_SCHEMA, "properties", "status", "writeOnly"], True),
    ),
    "response-discriminator-mapping-changed": (
        _set([*ITEM_SCHEMA, "properties", "pet", "discriminator"], PET_MAPPING),
        _set([*ITEM_SCHEMA, "properties", "pet", "discriminator"], {**PET_MAPPING, "mapping": {"dog": DOG}}),
    ),
    "response-status-range-changed": (None, _rename_status(ITEM, "get", "200", "2XX")),
    # parameter serialisation
    "request-parameter-style-changed": (None, _set(["paths", ITEM, "parameters", 0, "style"], "label")),
    "request-parameter-style-changed-same-wire": (None, _param_edit("page", "explode", False)),
    # response headers
    "response-header-removed": (None, _delete(RATE)),
    "response-header-added": (
        None,
        _set(
            ["paths", ITEMS, "get", "responses", "200", "headers", "X-Other"], {"schema": {"type": "string"}}
        ),
    ),
    "response-header-became-optional": (None, _set([*RATE, "required"], False)),
    "response-header-type-changed": (None, _set([*RATE, "schema", "type"], "string")),
}


def _spec(edit: Edit | None) -> dict[str, Any]:
    return mutated(edit) if edit else base_spec()


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_single_edit_triggers_exactly_its_rule(rule_id: str) -> None:
    old_edit, new_edit = CASES[rule_id]
    report = diff_specs(_spec(old_edit), _spec(new_edit))
    assert report.changes, f"{rule_id}: nothing reported"
    assert {c.id for c in report.changes} == {rule_id}, [c.to_dict() for c in report.changes]
    expected_level = rules_by_id()[rule_id].level
    assert all(c.level == expected_level for c in report.changes)


def test_every_catalogue_rule_has_its_own_case() -> None:
    assert set(rules_by_id()) == set(CASES)


def test_rule_ids_are_unique_and_documented() -> None:
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    table = markdown_table()
    for r in rules:
        assert f"`{r.id}` | {r.level.label} |" in table


def test_request_change_under_three_media_types_is_one_finding() -> None:
    report = diff_specs(base_spec(), _spec(_set([*REQ, "properties", "mode", "enum"], ["fast"])))
    (change,) = report.changes
    assert change.media_types == JSON_TYPES
    assert change.operation == "POST /api/v3.0/items"
    assert change.location == "request.mode"


def test_item_change_is_reported_once_per_operation_not_per_recursion() -> None:
    report = diff_specs(base_spec(), _spec(_delete([*ITEM_SCHEMA, "properties", "status"])))
    assert sorted((c.operation, c.location) for c in report.changes) == [
        ("GET /api/v3.0/items", "response.200[].status"),
        ("GET /api/v3.0/items/{id}", "response.200.status"),
        ("POST /api/v3.0/items", "response.201.status"),
    ]


def test_enum_change_inside_one_of_is_found_on_both_sides() -> None:
    report = diff_specs(base_spec(), _spec(_set([*S, "Cat", "properties", "lives", "enum"], [7])))
    found = {(c.id, c.operation, c.location) for c in report.changes}
    assert (
        "request-property-enum-value-removed",
        "POST /api/v3.0/items",
        "request.pet.oneOf[Cat].lives",
    ) in found
    assert (
        "response-property-enum-value-removed",
        "GET /api/v3.0/items/{id}",
        "response.200.pet.oneOf[Cat].lives",
    ) in found
    assert all(c.level.label in ("breaking", "info") for c in report.changes)


def test_docs_carry_the_current_rule_table() -> None:
    docs = PROJECT_ROOT / "docs" / "diff.md"
    text = docs.read_text(encoding="utf-8")
    assert with_table(text) == text, "run: python -m contracts.diff.catalogue --update docs/diff.md"


def test_removal_after_the_sunset_date_is_info() -> None:
    old = _spec(_set(["paths", ITEM, "delete", "x-sunset"], "2001-01-01"))
    report = diff_specs(old, _spec(_delete(["paths", ITEM, "delete"])))
    assert [(c.id, c.level.label) for c in report.changes] == [("deprecated-operation-removed", "info")]


def test_nullability_of_a_path_parameter_is_not_a_change() -> None:
    path_param = ["paths", ITEM, "parameters", 0, "schema", "nullable"]
    assert diff_specs(_spec(_set(path_param, True)), base_spec()).changes == []
