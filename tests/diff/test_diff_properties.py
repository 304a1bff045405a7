"""Property-based: generated specs never differ from themselves; one generated edit gives one finding."""

from __future__ import annotations

import copy
import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.diff import DiffReport, Level, diff_specs

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
MEDIA = ["application/json", "text/json", "application/*+json"]


def primitive() -> st.SearchStrategy[dict[str, Any]]:
    string = st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={
            "format": st.sampled_from(["uuid", "date-time"]),
            "maxLength": st.integers(1, 100),
            "enum": st.lists(NAMES, min_size=1, max_size=4, unique=True),
            "nullable": st.booleans(),
        },
    )
    integer = st.fixed_dictionaries(
        {"type": st.just("integer")},
        optional={"format": st.sampled_from(["int32", "int64"]), "minimum": st.integers(0, 10)},
    )
    return st.one_of(
        string, integer, st.just({"type": "boolean"}), st.just({"type": "number", "format": "double"})
    )


def objects(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        props = draw(st.dictionaries(NAMES, children, min_size=1, max_size=5))
        required = draw(st.lists(st.sampled_from(sorted(props)), unique=True, max_size=len(props)))
        schema: dict[str, Any] = {"type": "object", "properties": props}
        if required:
            schema["required"] = required
        return schema

    return build()


SCHEMAS = st.recursive(
    primitive(),
    lambda inner: st.one_of(
        st.fixed_dictionaries({"type": st.just("array"), "items": inner}), objects(inner)
    ),
    max_leaves=12,
)


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    segments = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    for index, segment in enumerate(segments):
        item: dict[str, Any] = {}
        with_id = draw(st.booleans())
        path = f"/api/v3.0/{segment}" + ("/{id}" if with_id else "")
        for method in draw(
            st.lists(st.sampled_from(["get", "post", "put", "delete"]), min_size=1, unique=True)
        ):
            name = f"{segment}_{method}_{index}"
            params = (
                [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
                if with_id
                else []
            )
            for query in draw(st.lists(NAMES, max_size=3, unique=True)):
                params.append({"name": f"q{query}", "in": "query", "schema": draw(primitive())})
            components[f"Res{name}"] = draw(objects(SCHEMAS))
            operation: dict[str, Any] = {
                "operationId": name,
                "parameters": params,
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/Res{name}"}}
                        },
                    }
                },
            }
            if method in ("post", "put"):
                components[f"Req{name}"] = draw(objects(SCHEMAS))
                ref = {"$ref": f"#/components/schemas/Req{name}"}
                operation["requestBody"] = {"content": {m: {"schema": dict(ref)} for m in MEDIA}}
            item[method] = operation
        paths[path] = item
    return {
        "openapi": "3.0.1",
        "info": {"title": "t", "version": "v3.0"},
        "paths": paths,
        "components": {"schemas": components},
    }


def operations(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [(path, method) for path, item in spec["paths"].items() for method in item]


@SETTINGS
@given(specs())
def test_a_spec_never_differs_from_itself(spec: dict[str, Any]) -> None:
    assert diff_specs(spec, copy.deepcopy(spec)).changes == []
    reformatted = yaml.safe_load(yaml.safe_dump(json.loads(json.dumps(spec, sort_keys=True))))
    assert diff_specs(spec, reformatted).changes == []


def _only(report: DiffReport, rule_id: str, level: Level) -> None:
    assert [(c.id, c.level) for c in report.changes] == [(rule_id, level)], [
        c.to_dict() for c in report.changes
    ]


@SETTINGS
@given(specs(), st.data())
def test_removing_an_operation_is_one_breaking_finding(spec: dict[str, Any], data: st.DataObject) -> None:
    path, method = data.draw(st.sampled_from(operations(spec)))
    new = copy.deepcopy(spec)
    del new["paths"][path][method]
    report = diff_specs(spec, new)
    _only(report, "operation-removed", Level.BREAKING)
    assert report.changes[0].operation == f"{method.upper()} {path}"


@SETTINGS
@given(specs(), st.data())
def test_adding_a_required_parameter_is_one_breaking_finding(
    spec: dict[str, Any], data: st.DataObject
) -> None:
    path, method = data.draw(st.sampled_from(operations(spec)))
    new = copy.deepcopy(spec)
    new["paths"][path][method]["parameters"].append(
        {"name": "Required-Flag", "in": "header", "required": True, "schema": data.draw(primitive())}
    )
    report = diff_specs(spec, new)
    _only(report, "request-parameter-added-required", Level.BREAKING)
    assert report.changes[0].location == "header.Required-Flag"


@SETTINGS
@given(specs(), st.data())
def test_removing_a_response_property_is_one_breaking_finding(
    spec: dict[str, Any], data: st.DataObject
) -> None:
    path, method = data.draw(st.sampled_from(operations(spec)))
    name = spec["paths"][path][method]["operationId"]
    new = copy.deepcopy(spec)
    schema = new["components"]["schemas"][f"Res{name}"]
    prop = data.draw(st.sampled_from(sorted(schema["properties"])))
    del schema["properties"][prop]
    if prop in schema.get("required", []):
        schema["required"].remove(prop)
    report = diff_specs(spec, new)
    _only(report, "response-property-removed", Level.BREAKING)
    assert report.changes[0].location == f"response.200.{prop}"


@SETTINGS
@given(specs(), st.data())
def test_narrowing_a_parameter_enum_is_one_breaking_finding(
    spec: dict[str, Any], data: st.DataObject
) -> None:
    path, method = data.draw(st.sampled_from(operations(spec)))
    new = copy.deepcopy(spec)
    params = new["paths"][path][method]["parameters"]
    params.append({"name": "mode", "in": "query", "schema": {"type": "string", "enum": ["a", "b", "c"]}})
    old = copy.deepcopy(new)
    params[-1]["schema"]["enum"] = data.draw(
        st.lists(st.sampled_from("abc"), min_size=1, max_size=2, unique=True)
    )
    report = diff_specs(old, new)
    _only(report, "request-parameter-enum-value-removed", Level.BREAKING)


@SETTINGS
@given(specs(), st.data())
def test_requiring_a_request_property_is_one_finding_for_all_media_types(
    spec: dict[str, Any], data: st.DataObject
) -> None:
    bodies = [(p, m) for p, m in operations(spec) if "requestBody" in spec["paths"][p][m]]
    if not bodies:
        return
    path, method = data.draw(st.sampled_from(bodies))
    new = copy.deepcopy(spec)
    schema = new["components"]["schemas"][f"Req{spec['paths'][path][method]['operationId']}"]
    optional = sorted(set(schema["properties"]) - set(schema.get("required", [])))
    if not optional:
        return
    prop = data.draw(st.sampled_from(optional))
    schema["required"] = [*schema.get("required", []), prop]
    report = diff_specs(spec, new)
    _only(report, "request-property-became-required", Level.BREAKING)
    assert report.changes[0].media_types == MEDIA


@SETTINGS
@given(specs())
def test_adding_an_operation_is_one_info_finding(spec: dict[str, Any]) -> None:
    new = copy.deepcopy(spec)
    new["paths"]["/api/v3.0/brand-new"] = {"get": {"responses": {"204": {"description": "none"}}}}
    _only(diff_specs(spec, new), "operation-added", Level.INFO)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
PLACES = [
    ["paths"],
    ["paths", "/api/v3.0/items"],
    ["paths", "/api/v3.0/items", "get"],
    ["paths", "/api/v3.0/items", "get", "parameters"],
    ["paths", "/api/v3.0/items", "get", "responses"],
    ["paths", "/api/v3.0/items", "get", "responses", "200"],
    ["paths", "/api/v3.0/items", "get", "responses", "200", "headers"],
    ["paths", "/api/v3.0/items", "post", "requestBody"],
    ["paths", "/api/v3.0/items", "post", "requestBody", "content"],
    ["paths", "/api/v3.0/items", "post", "security"],
    ["components", "schemas", "Item"],
    ["components", "schemas", "Item", "properties"],
    ["components", "schemas", "Item", "properties", "name"],
    ["components", "schemas", "Item", "required"],
    ["components", "schemas", "Item", "allOf"],
    ["components", "securitySchemes"],
    ["security"],
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PLACES), JSON_VALUES)
def test_malformed_documents_give_a_spec_error_never_a_traceback(place: list[str], junk: Any) -> None:
    from contracts.errors import ContractsError
    from tests.diff.builders import base_spec

    broken = base_spec()
    node = broken
    for key in place[:-1]:
        node = node[key]
    node[place[-1]] = junk
    try:
        diff_specs(base_spec(), broken)
        diff_specs(broken, base_spec())
    except ContractsError:
        pass
