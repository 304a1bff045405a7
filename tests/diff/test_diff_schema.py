"""Normalisation details: allOf, nullable forms, recursion, shared components, security, the report API."""

from __future__ import annotations

from typing import Any

from contracts.diff import Level, diff_specs
from contracts.diff.schema_resolver import SchemaResolver


def spec_with(
    schema: dict[str, Any], components: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """One operation returning ``schema``."""
    return {
        "openapi": "3.0.1",
        "info": {"title": "t", "version": "v3.0"},
        "paths": {
            "/api/v3.0/thing": {
                "get": {
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}
                    }
                }
            }
        },
        "components": {"schemas": components or {}},
        **extra,
    }


def ids(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [c.id for c in diff_specs(old, new).changes]


def test_all_of_is_merged_so_moving_a_property_into_a_base_is_no_change() -> None:
    flat = spec_with({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}})
    split = spec_with(
        {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"b": {"type": "integer"}}}]},
        {"Base": {"type": "object", "properties": {"a": {"type": "string"}}}},
    )
    assert ids(flat, split) == []
    changed = spec_with(
        {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"b": {"type": "string"}}}]},
        {"Base": {"type": "object", "properties": {"a": {"type": "string"}}}},
    )
    assert ids(flat, changed) == ["response-property-type-changed"]


def test_nullable_forms_are_equivalent_and_not_type_changes() -> None:
    v30 = spec_with({"type": "object", "properties": {"a": {"type": "string", "nullable": True}}})
    v31 = spec_with({"type": "object", "properties": {"a": {"type": ["string", "null"]}}})
    wrapped = spec_with(
        {
            "type": "object",
            "properties": {"a": {"allOf": [{"$ref": "#/components/schemas/S"}], "nullable": True}},
        },
        {"S": {"type": "string"}},
    )
    assert ids(v30, v31) == [] and ids(v30, wrapped) == []
    plain = spec_with({"type": "object", "properties": {"a": {"type": "string"}}})
    assert ids(plain, v31) == ["response-property-became-nullable"]


def test_recursive_schemas_terminate_and_compare_by_shape() -> None:
    tree = {"type": "object", "properties": {"name": {"type": "string"}, "children": {"type": "array"}}}
    tree["properties"]["children"]["items"] = {"$ref": "#/components/schemas/Node"}
    old = spec_with({"$ref": "#/components/schemas/Node"}, {"Node": tree})
    renamed_tree = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Folder"}},
        },
    }
    renamed = spec_with({"$ref": "#/components/schemas/Folder"}, {"Folder": renamed_tree})
    assert ids(old, renamed) == []
    renamed_tree["properties"]["name"] = {"type": "integer"}
    report = diff_specs(old, renamed)
    assert [(c.id, c.location) for c in report.changes] == [
        ("response-property-type-changed", "response.200.name")
    ]


def test_mutually_recursive_allof_does_not_hang() -> None:
    resolver = SchemaResolver(
        {
            "components": {
                "schemas": {
                    "A": {"allOf": [{"$ref": "#/components/schemas/B"}]},
                    "B": {"allOf": [{"$ref": "#/components/schemas/A"}]},
                }
            }
        },
        "x",
    )
    assert resolver.ref("#/components/schemas/A") is resolver.ref("#/components/schemas/A")


def test_integer_to_number_response_is_breaking_but_request_widening_is_not() -> None:
    old = spec_with({"type": "object", "properties": {"n": {"type": "integer"}}})
    new = spec_with({"type": "object", "properties": {"n": {"type": "number"}}})
    assert ids(old, new) == ["response-property-type-changed"]
    assert ids(new, old) == ["response-property-type-specialized"]


def test_referenced_parameters_and_responses_are_resolved() -> None:
    def build(param_type: str) -> dict[str, Any]:
        return {
            "openapi": "3.0.1",
            "info": {"title": "t", "version": "v3.0"},
            "paths": {
                "/api/v3.0/x": {
                    "get": {
                        "parameters": [{"$ref": "#/components/parameters/Lang"}],
                        "responses": {"200": {"$ref": "#/components/responses/Ok"}},
                    }
                }
            },
            "components": {
                "parameters": {"Lang": {"name": "lang", "in": "query", "schema": {"type": param_type}}},
                "responses": {"Ok": {"description": "ok"}},
            },
        }

    assert ids(build("string"), build("string")) == []
    assert ids(build("string"), build("boolean")) == ["request-parameter-type-changed"]


def test_document_security_change_is_one_whole_api_finding() -> None:
    schemes = {"K": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}

    def build(name: str) -> dict[str, Any]:
        spec = spec_with({"type": "string"}, security=[{"K": []}])
        spec["paths"]["/api/v3.0/other"] = {"get": {"responses": {"204": {"description": "none"}}}}
        spec["components"]["securitySchemes"] = {"K": {**schemes["K"], "name": name}}
        return spec

    report = diff_specs(build("X-API-Key"), build("Authorization-Key"))
    assert [(c.id, c.operation) for c in report.changes] == [("security-requirement-changed", "")]
    assert "x-api-key" in report.changes[0].message and "authorization-key" in report.changes[0].message
    renamed = build("X-API-Key")
    renamed["components"]["securitySchemes"] = {"ApiKeyAuth": schemes["K"]}
    renamed["security"] = [{"ApiKeyAuth": []}]
    assert ids(build("X-API-Key"), renamed) == []


def test_operation_level_security_is_compared_per_operation() -> None:
    old = spec_with({"type": "string"}, security=[{"K": []}])
    old["components"]["securitySchemes"] = {"K": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}
    new = spec_with({"type": "string"}, security=[{"K": []}])
    new["components"]["securitySchemes"] = old["components"]["securitySchemes"]
    new["paths"]["/api/v3.0/thing"]["get"]["security"] = []
    report = diff_specs(old, new)
    assert [(c.id, c.operation) for c in report.changes] == [("security-removed", "GET /api/v3.0/thing")]


def test_report_summary_and_levels() -> None:
    old = spec_with({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}})
    new = spec_with(
        {"type": "object", "properties": {"a": {"type": "string", "nullable": True}, "c": {"type": "string"}}}
    )
    report = diff_specs(old, new, old_label="v3.0@1", new_label="v3.0@2")
    assert report.summary() == {"breaking": 2, "warning": 0, "info": 1, "ignored": 0, "operations": 1}
    assert report.highest_level() == Level.BREAKING and report.has_at_least(Level.WARNING)
    assert f"{Level.BREAKING}" == "breaking" and str(Level.INFO) == "info"
    data = report.to_dict()
    assert data["old"] == "v3.0@1" and len(data["changes"]) == 3


def test_a_cycle_unrolled_differently_is_the_same_schema() -> None:
    def node(ref: str) -> dict[str, Any]:
        return {"type": "object", "properties": {"v": {"type": "string"}, "next": {"$ref": ref}}}

    self_loop = spec_with({"$ref": "#/components/schemas/A"}, {"A": node("#/components/schemas/A")})
    two_step = spec_with(
        {"$ref": "#/components/schemas/B"},
        {"B": node("#/components/schemas/C"), "C": node("#/components/schemas/B")},
    )
    assert ids(self_loop, two_step) == []
    changed = spec_with(
        {"$ref": "#/components/schemas/B"},
        {"B": node("#/components/schemas/C"), "C": {**node("#/components/schemas/B"), "required": ["v"]}},
    )
    assert [(c.id, c.location) for c in diff_specs(self_loop, changed).changes] == [
        ("response-property-became-required", "response.200.next.v")
    ]


def test_densely_recursive_schemas_stay_bounded() -> None:
    size = 25  # every schema refers to every other one: unfolding all paths would never end

    def graph(v_type: str) -> dict[str, Any]:
        out = {}
        for i in range(size):
            props: dict[str, Any] = {
                f"p{j}": {"$ref": f"#/components/schemas/S{j}"} for j in range(size) if j != i
            }
            props["v"] = {"type": v_type if i == 1 else "string"}
            out[f"S{i}"] = {"type": "object", "properties": props}
        return out

    report = diff_specs(
        spec_with({"$ref": "#/components/schemas/S0"}, graph("string")),
        spec_with({"$ref": "#/components/schemas/S0"}, graph("integer")),
    )
    assert report.changes and len(report.changes) <= 4
    assert {c.id for c in report.changes} == {"response-property-type-changed"}
    assert report.changes[0].location == "response.200.p1.v"
