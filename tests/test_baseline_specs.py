"""The project's baseline descriptions of the Madaster API (``v3.0@baseline``, ``v4.0@baseline`` in specs/).

They stand in for captured specs where the live API is unreachable, so they must be valid,
usable by the mock server and the contract runner (every schema generatable), factually in line
with the real published builds, and written in the project's own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.openapi import OPERATION_METHODS as HTTP_METHODS
from contracts.spec_loader import api_version, build_label, load_spec_file
from contracts.store import SnapshotStore
from tests.conftest import PROJECT_ROOT, SKIP_REASON, real_builds

BASELINE_STORE = SnapshotStore(PROJECT_ROOT / "specs")
VERSIONS = ("v3.0", "v4.0")
PROBLEM_REF = "#/components/schemas/ProblemDetails"

# The core workflow each baseline must cover (issue 2).
REQUIRED_OPERATIONS = {
    "v3.0": [
        "GET /api/v3.0/account",
        "GET /api/v3.0/account/foldertypes",
        "GET /api/v3.0/folder",
        "POST /api/v3.0/folder",
        "GET /api/v3.0/folder/{id}",
        "PUT /api/v3.0/folder/{id}",
        "DELETE /api/v3.0/folder/{id}",
        "GET /api/v3.0/folder/external/{externalId}",
        "GET /api/v3.0/building",
        "POST /api/v3.0/building",
        "GET /api/v3.0/building/{id}",
        "PUT /api/v3.0/building/{id}",
        "DELETE /api/v3.0/building/{id}",
        "GET /api/v3.0/building/external/{externalId}",
        "POST /api/v3.0/building/{id}/process",
        "POST /api/v3.0/building/{id}/passport",
        "GET /api/v3.0/building/{buildingId}/files",
        "POST /api/v3.0/building/{buildingId}/files",
        "GET /api/v3.0/building/{buildingId}/files/{id}",
        "DELETE /api/v3.0/building/{buildingId}/files/{id}",
        "GET /api/v3.0/building/{buildingId}/files/{id}/status",
        "POST /api/v3.0/building/{buildingId}/files/{id}/active",
        "POST /api/v3.0/building/{buildingId}/files/{id}/startrefinement",
        "POST /api/v3.0/building/{buildingId}/files/{id}/upload/{fileName}",
        "GET /api/v3.0/building/{buildingId}/files/{fileId}/elements",
        "POST /api/v3.0/building/{buildingId}/files/{fileId}/elements",
        "GET /api/v3.0/building/{buildingId}/files/{fileId}/elements/{id}",
        "PUT /api/v3.0/building/{buildingId}/files/{fileId}/elements/{id}",
        "DELETE /api/v3.0/building/{buildingId}/files/{fileId}/elements/{id}",
        "POST /api/v3.0/building/{buildingId}/files/{fileId}/elements/batch",
        "GET /api/v3.0/system/classificationmethods",
        "GET /api/v3.0/system/buildingusages",
        "GET /api/v3.0/system/materialfamilies",
    ],
    "v4.0": [
        "GET /api/v4.0/database",
        "POST /api/v4.0/database",
        "PUT /api/v4.0/database",
        "GET /api/v4.0/database/{id}",
        "DELETE /api/v4.0/database/{id}",
        "GET /api/v4.0/database/external/{externalId}",
        "GET /api/v4.0/database/{id}/commodities",
        "GET /api/v4.0/commodity/{id}",
        "POST /api/v4.0/commodity",
        "PUT /api/v4.0/commodity",
        "DELETE /api/v4.0/commodity/{id}",
        "GET /api/v4.0/commodity/{databaseId}/external/{externalId}",
        "GET /api/v4.0/commodity/{id}/children",
        "POST /api/v4.0/commodity/{id}/children/quantity",
        "POST /api/v4.0/commodity/{id}/children/weight",
        "POST /api/v4.0/commodity/{id}/children/unit",
        "GET /api/v4.0/commodity/{id}/matches",
        "POST /api/v4.0/commodity/{id}/matches",
        "PUT /api/v4.0/commodity/{id}/matches",
        "GET /api/v4.0/commodity/{id}/matches/{matchId}",
        "DELETE /api/v4.0/commodity/{id}/matches/{matchId}",
        "GET /api/v4.0/system/pricesets",
    ],
}


# --------------------------------------------------------------------------- helpers


def baseline_path(version: str) -> Path:
    return BASELINE_STORE.resolve(f"{version}@baseline").path


_DOCS: dict[str, dict[str, Any]] = {}


def baseline(version: str) -> dict[str, Any]:
    """The validated baseline document (loaded once per test session)."""
    if version not in _DOCS:
        _DOCS[version] = load_spec_file(baseline_path(version))
    return _DOCS[version]


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(METHOD, path, operation, path item) for every operation of a document."""
    for path, item in (doc.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if method in item:
                yield method.upper(), path, item[method], item


def resolve(doc: dict[str, Any], node: Any) -> Any:
    """Follow local ``$ref`` chains (``#/a/b/c``)."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def parameters(
    doc: dict[str, Any], operation: dict[str, Any], item: dict[str, Any]
) -> dict[tuple[str, str], dict]:
    """Parameters of an operation (path-item level merged in), keyed by (in, name)."""
    merged: dict[tuple[str, str], dict] = {}
    for raw in list(item.get("parameters") or []) + list(operation.get("parameters") or []):
        param = resolve(doc, raw)
        merged[(param["in"], param["name"])] = param
    return merged


def scalar_shape(doc: dict[str, Any], schema: Any) -> tuple[Any, Any, frozenset | None]:
    """(type, format, enum) of a parameter schema, following refs and single-branch allOf."""
    schema = resolve(doc, schema) or {}
    if "allOf" in schema and len(schema["allOf"]) == 1 and "type" not in schema:
        schema = resolve(doc, schema["allOf"][0])
    enum = frozenset(schema["enum"]) if "enum" in schema else None
    return schema.get("type"), schema.get("format"), enum


def property_shapes(doc: dict[str, Any], schema: Any) -> dict[str, set[tuple[Any, Any]]]:
    """Property name -> the (type, format) pairs it has anywhere below a schema."""
    shapes: dict[str, set[tuple[Any, Any]]] = {}
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict) and "$ref" in node:
            if node["$ref"] in seen:
                return
            seen.add(node["$ref"])
            node = resolve(doc, node)
        if not isinstance(node, dict):
            return
        for name, prop in (node.get("properties") or {}).items():
            shape = scalar_shape(doc, prop)
            shapes.setdefault(name, set()).add(shape[:2])
            walk(prop)
        for key in ("allOf", "oneOf", "anyOf"):
            for child in node.get(key) or []:
                walk(child)
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                walk(node[key])

    walk(schema)
    return shapes


def shape_mismatches(doc: dict[str, Any], ours: Any, real: dict[str, Any], theirs: Any) -> list[str]:
    """Fields of ``ours`` that the real schema lacks or types differently (format only when both give one)."""
    mine, known = property_shapes(doc, ours), property_shapes(real, theirs)
    problems = []
    for name, shapes in sorted(mine.items()):
        if name not in known:
            problems.append(f"{name} unknown")
            continue
        for kind, fmt in shapes:
            matches = [
                (real_kind, real_fmt)
                for real_kind, real_fmt in known[name]
                if real_kind == kind and (fmt is None or real_fmt is None or fmt == real_fmt)
            ]
            if not matches:
                problems.append(f"{name} is {kind}/{fmt}, real {sorted(map(str, known[name]))}")
    return problems


def json_schema_of(content: dict[str, Any] | None) -> Any:
    """The schema of the JSON variant of a content map, if any."""
    for media_type, media in (content or {}).items():
        if "json" in media_type:
            return media.get("schema")
    return None


def newest_real_build(version: str) -> dict[str, Any]:
    """The newest real published build of a version, or skip when ../shared is absent."""
    builds = [path for path in real_builds() if path.parent.name == version]
    if not builds:
        pytest.skip(SKIP_REASON)
    return load_spec_file(builds[-1], validate=False)


def all_operation_ids() -> list[str]:
    return [
        f"{version} {method} {path}"
        for version in VERSIONS
        for method, path, _, _ in operations(baseline(version))
    ]


# --------------------------------------------------------------------------- document level


@pytest.mark.parametrize("version", VERSIONS)
def test_baseline_loads_validates_and_names_its_version(version):
    doc = baseline(version)
    assert doc["openapi"] == "3.0.3"
    assert api_version(doc) == version
    assert doc["info"]["version"] == version
    assert doc["info"]["title"] == f"Madaster API {version} - baseline"
    assert build_label(doc) is None, "a baseline must not pretend to be a numbered Madaster build"
    description = doc["info"]["description"]
    assert "baseline" in description and "snapshot capture" in description
    assert all(path.startswith(f"/api/{version}/") for path in doc["paths"])


@pytest.mark.parametrize("version", VERSIONS)
def test_api_key_security_applies_to_every_operation(version):
    doc = baseline(version)
    assert doc["security"] == [{"ApiKeyAuth": []}]
    assert doc["components"]["securitySchemes"]["ApiKeyAuth"] | {"description": None} == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": None,
    }
    overriding = [f"{m} {p}" for m, p, op, _ in operations(doc) if "security" in op]
    assert overriding == [], "no operation may opt out of the global token"


@pytest.mark.parametrize("version", VERSIONS)
def test_problem_details_follows_rfc_7807_and_stays_open(version):
    schema = baseline(version)["components"]["schemas"]["ProblemDetails"]
    assert set(schema["properties"]) == {"type", "title", "status", "detail", "instance"}
    assert schema["properties"]["status"]["type"] == "integer"
    assert all(prop.get("nullable") for prop in schema["properties"].values())
    assert schema.get("additionalProperties") not in (None, False)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_operation_has_success_and_problem_responses(version):
    doc = baseline(version)
    for method, path, op, _ in operations(doc):
        responses = op["responses"]
        where = f"{method} {path}"
        assert any(re.fullmatch(r"2\d\d", str(code)) for code in responses), f"{where}: no 2xx response"
        assert "default" in responses, f"{where}: no default response"
        for code, response in responses.items():
            if code == "default" or str(code).startswith(("4", "5")):
                schema = json_schema_of(response.get("content"))
                assert schema == {"$ref": PROBLEM_REF}, f"{where} {code}: error is not ProblemDetails"
        assert op.get("operationId"), f"{where}: no operationId"
    ids = [op["operationId"] for _, _, op, _ in operations(doc)]
    assert len(ids) == len(set(ids)), "operationIds must be unique"


@pytest.mark.parametrize("version", VERSIONS)
def test_status_codes_follow_the_api_conventions(version):
    doc = baseline(version)
    for method, path, op, _ in operations(doc):
        success = {str(code) for code in op["responses"] if str(code).startswith("2")}
        if method == "DELETE":
            assert success <= {"202", "204"}, f"{method} {path}"
        if path.endswith(("/process", "/startrefinement", "/restartrefinement", "passport")):
            assert success == {"202"}, f"{method} {path}: long jobs answer 202"


@pytest.mark.parametrize("version", VERSIONS)
def test_required_workflow_operations_are_present(version):
    present = {f"{method} {path}" for method, path, _, _ in operations(baseline(version))}
    missing = [op for op in REQUIRED_OPERATIONS[version] if op not in present]
    assert missing == []


@pytest.mark.parametrize("version", VERSIONS)
def test_path_parameters_match_the_template_and_ids_are_uuids(version):
    doc = baseline(version)
    free_text_ids = {"externalId"}
    for method, path, op, item in operations(doc):
        params = parameters(doc, op, item)
        in_template = set(re.findall(r"{([^}]+)}", path))
        declared = {name for (where, name) in params if where == "path"}
        assert declared == in_template, f"{method} {path}"
        for (where, name), param in params.items():
            if where != "path":
                continue
            assert param["required"] is True
            is_element = name == "id" and "/elements/" in path
            if (name == "id" or name.endswith("Id")) and name not in free_text_ids and not is_element:
                assert scalar_shape(doc, param["schema"])[:2] == ("string", "uuid"), f"{method} {path} {name}"


@pytest.mark.parametrize("version", VERSIONS)
def test_json_bodies_accept_the_three_json_media_types(version):
    doc = baseline(version)
    single_media = {"POST /api/v4.0/database", "PUT /api/v4.0/database"}  # as the real builds declare
    for method, path, op, _ in operations(doc):
        content = (op.get("requestBody") or {}).get("content") or {}
        if not any("json" in media for media in content):
            continue
        expected = (
            {"application/json"}
            if f"{method} {path}" in single_media
            else {
                "application/json",
                "text/json",
                "application/*+json",
            }
        )
        assert set(content) == expected, f"{method} {path}"


# --------------------------------------------------------------------------- against the real builds


@pytest.mark.parametrize("version", VERSIONS)
def test_every_operation_exists_in_the_newest_real_build(version):
    """Guards factual accuracy: same operations, parameters, codes, bodies and field names."""
    real = newest_real_build(version)
    doc = baseline(version)
    problems: list[str] = []
    for method, path, op, item in operations(doc):
        where = f"{method} {path}"
        real_item = (real.get("paths") or {}).get(path) or {}
        real_op = real_item.get(method.lower())
        if real_op is None:
            problems.append(f"{where}: not in the real build")
            continue
        mine, theirs = parameters(doc, op, item), parameters(real, real_op, real_item)
        mine_path = {key for key in mine if key[0] == "path"}
        if mine_path != {key for key in theirs if key[0] == "path"}:
            problems.append(f"{where}: path parameter names differ")
        for key, param in mine.items():
            if key not in theirs:
                problems.append(f"{where}: parameter {key} unknown to the real build")
                continue
            ours, real_shape = scalar_shape(doc, param["schema"]), scalar_shape(real, theirs[key]["schema"])
            if ours[0] != real_shape[0] or (ours[1] and ours[1] != real_shape[1]):
                problems.append(f"{where}: parameter {key} has {ours[:2]}, real {real_shape[:2]}")
            if ours[2] is not None and ours[2] != real_shape[2]:
                problems.append(f"{where}: parameter {key} enum differs")
        codes = {str(code) for code in op["responses"]}
        unknown_codes = codes - {str(code) for code in real_op["responses"]}
        if unknown_codes:
            problems.append(f"{where}: status codes {sorted(unknown_codes)} not in the real build")
        body, real_body = op.get("requestBody"), real_op.get("requestBody")
        if (body is None) != (real_body is None):
            problems.append(f"{where}: request body presence differs")
        elif body is not None:
            if bool(body.get("required")) != bool(real_body.get("required")):
                problems.append(f"{where}: request body 'required' differs")
            if set(body["content"]) != set(real_body["content"]):
                problems.append(f"{where}: request media types differ")
            for issue in shape_mismatches(
                doc, json_schema_of(body["content"]), real, json_schema_of(real_body["content"])
            ):
                problems.append(f"{where}: request field {issue}")
        for code, response in op["responses"].items():
            real_response = real_op["responses"].get(code) or {}
            ours_schema = json_schema_of(response.get("content"))
            real_schema = json_schema_of(real_response.get("content"))
            if (ours_schema is None) != (real_schema is None):
                problems.append(f"{where} {code}: body presence differs")
                continue
            top_level = scalar_shape(doc, ours_schema)[0], scalar_shape(real, real_schema)[0]
            if ours_schema is not None and top_level[0] != top_level[1]:
                problems.append(f"{where} {code}: top-level body type differs")
            for issue in shape_mismatches(doc, ours_schema, real, real_schema):
                problems.append(f"{where} {code}: response field {issue}")
    assert problems == []


@pytest.mark.parametrize("version", VERSIONS)
def test_enums_use_only_values_the_real_build_knows(version):
    real = newest_real_build(version)
    known: set[str] = set()
    for schema in real["components"]["schemas"].values():
        known |= {str(value) for value in schema.get("enum") or []}
        known |= set((schema.get("discriminator") or {}).get("mapping") or {})  # tag values
        for prop in (schema.get("properties") or {}).values():
            known |= {str(value) for value in prop.get("enum") or []}
    ours: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            ours.update(str(value) for value in node.get("enum") or [])
            for child in node.values():
                collect(child)
        elif isinstance(node, list):
            for child in node:
                collect(child)

    collect(baseline(version)["components"]["schemas"])
    collect(baseline(version)["paths"])
    assert ours - known == set()


def _prose(node: Any) -> Iterator[str]:
    """Every description/summary string in a document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary") and isinstance(value, str):
                yield value
            else:
                yield from _prose(value)
    elif isinstance(node, list):
        for child in node:
            yield from _prose(child)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def test_baseline_prose_is_original():
    """No description or summary of 40+ characters from any real build appears in a baseline."""
    builds = real_builds()
    if not builds:
        pytest.skip(SKIP_REASON)
    upstream = {
        _normalise(text)
        for build in builds
        for text in _prose(load_spec_file(build, validate=False))
        if len(_normalise(text)) >= 40
    }
    assert upstream, "the real builds should contain prose to compare with"
    for version in VERSIONS:
        raw = _normalise(baseline_path(version).read_text(encoding="utf-8"))
        ours = {_normalise(text) for text in _prose(baseline(version))}
        copied = sorted(text for text in upstream if text in raw or text in ours)
        assert copied == [], f"{version} repeats upstream prose"


# --------------------------------------------------------------------------- generatable by schemathesis


def _case_strategy_settings():
    from hypothesis import HealthCheck, Phase, settings

    return settings(
        max_examples=8,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


_SCHEMAS: dict[str, Any] = {}


def _schemathesis_operation(version: str, method: str, path: str):
    import schemathesis

    if version not in _SCHEMAS:
        _SCHEMAS[version] = schemathesis.openapi.from_dict(baseline(version))
    return _SCHEMAS[version][path][method]


@pytest.mark.parametrize("operation", all_operation_ids())
def test_every_operation_generates_positive_cases(operation):
    """The contract runner and the mock must be able to produce valid requests for every operation."""
    import jsonschema
    from hypothesis import given
    from schemathesis.core import NOT_SET

    version, method, path = operation.split(" ", 2)
    api_operation = _schemathesis_operation(version, method, path)
    declared_body = (baseline(version)["paths"][path][method.lower()].get("requestBody") or {}).get("content")
    cases = []

    @_case_strategy_settings()
    @given(api_operation.as_strategy())
    def draw(case):
        cases.append(case)

    draw()
    assert cases, f"{operation}: no positive case could be generated"
    template_names = set(re.findall(r"{([^}]+)}", path))
    assert all(set(case.path_parameters or {}) == template_names for case in cases)
    if declared_body:
        with_body = [case for case in cases if case.body is not NOT_SET]
        assert with_body, f"{operation}: no case carried a request body"
        assert all(case.media_type in declared_body for case in with_body)
        doc = baseline(version)
        for case in with_body:
            schema = json_schema_of({case.media_type: declared_body[case.media_type]})
            if schema is None:
                continue
            validator = jsonschema.Draft4Validator(
                {"components": _strict_json_schema(doc["components"]), "allOf": [_strict_json_schema(schema)]}
            )
            errors = [error.message for error in validator.iter_errors(case.body)]
            assert errors == [], f"{operation}: generated body does not validate: {errors[:3]}"


def _response_schemas() -> list[tuple[str, str, dict[str, Any]]]:
    found: list[tuple[str, str, dict[str, Any]]] = []
    for version in VERSIONS:
        for method, path, op, _ in operations(baseline(version)):
            for code, response in op["responses"].items():
                schema = json_schema_of(response.get("content"))
                if schema is not None:
                    found.append((version, f"{method} {path} {code}", schema))
    return found


def _strict_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema, only turning ``nullable: true`` into an explicit null branch."""
    if isinstance(node, list):
        return [_strict_json_schema(child) for child in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _strict_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@pytest.mark.parametrize(
    ("version", "where", "schema"), _response_schemas(), ids=[where for _, where, _ in _response_schemas()]
)
def test_every_response_schema_is_satisfiable(version, where, schema):
    """The mock server must be able to produce a body that validates: generate one, then validate it."""
    import jsonschema
    import schemathesis
    from hypothesis import given
    from schemathesis.core import NOT_SET

    doc = baseline(version)
    probe = {
        "openapi": "3.0.3",
        "info": {"title": "probe", "version": "1"},
        "paths": {
            "/probe": {
                "post": {
                    "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": doc["components"],
    }
    operation = schemathesis.openapi.from_dict(probe)["/probe"]["POST"]
    # Validate against a literal reading of the schema: schemathesis papers over some
    # contradictions (e.g. required names missing from a closed object), the mock must not.
    validator = jsonschema.Draft4Validator(
        {"components": _strict_json_schema(doc["components"]), "allOf": [_strict_json_schema(schema)]}
    )
    bodies = []

    @_case_strategy_settings()
    @given(operation.as_strategy())
    def draw(case):
        if case.body is not NOT_SET:
            bodies.append(case.body)

    draw()
    assert bodies, f"{where}: no body could be generated"
    for body in bodies:
        errors = [error.message for error in validator.iter_errors(body)]
        assert errors == [], f"{where}: generated body does not validate: {errors[:3]}"
