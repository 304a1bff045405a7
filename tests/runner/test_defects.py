"""Spec defects: reported once with their location, repaired so the rest is still tested."""

from __future__ import annotations

import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from contracts.platform.leniency import find_and_repair
from contracts.spec_loader import load_spec_file
from tests.conftest import real_build, requires_shared


def doc_with(schemas: dict, responses: dict | None = None) -> dict:
    return {
        "openapi": "3.0.1",
        "info": {"title": "t", "version": "v9.9"},
        "paths": {
            "/api/v9.9/thing": {
                "get": {
                    "responses": responses
                    or {
                        "200": {
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                            }
                        },
                        "default": {"description": "error"},
                    }
                }
            }
        },
        "components": {"schemas": schemas},
    }


BASE = {
    "type": "object",
    "required": ["kind"],
    "properties": {"kind": {"type": "string"}},
    "additionalProperties": False,
}


def test_closed_all_of_with_conflicting_required_is_reported_and_merged() -> None:
    thing = {
        "allOf": [{"$ref": "#/components/schemas/Base"}],
        "properties": {"size": {"type": "integer"}},
        "additionalProperties": False,
    }
    doc = doc_with({"Base": BASE, "Thing": thing})
    repaired, defects = find_and_repair(doc)
    assert [d.location for d in defects] == ["#/components/schemas/Thing"]
    assert "'kind'" in defects[0].problem and "#/components/schemas/Base" in defects[0].problem
    assert "allOf" in doc["components"]["schemas"]["Thing"]  # the snapshot itself is untouched
    merged = repaired["components"]["schemas"]["Thing"]
    jsonschema.validate({"kind": "a", "size": 1}, merged)
    assert not jsonschema.Draft4Validator(merged).is_valid({"kind": "a", "other": 1})


def test_satisfiable_all_of_is_not_a_defect() -> None:
    open_base = {**BASE, "additionalProperties": True}
    thing = {"allOf": [{"$ref": "#/components/schemas/Base"}], "properties": {"size": {"type": "integer"}}}
    _, defects = find_and_repair(doc_with({"Base": open_base, "Thing": thing}))
    assert defects == []


@given(
    base_props=st.sets(st.sampled_from("abcdef"), min_size=1, max_size=4),
    own_props=st.sets(st.sampled_from("abcdef"), max_size=4),
    data=st.data(),
)
def test_defect_exactly_when_a_required_property_is_forbidden(base_props, own_props, data) -> None:
    required = data.draw(st.sets(st.sampled_from(sorted(base_props)), min_size=1))
    base = {"type": "object", "required": sorted(required), "properties": {p: {} for p in base_props}}
    thing = {
        "allOf": [{"$ref": "#/components/schemas/Base"}],
        "properties": {p: {} for p in own_props},
        "additionalProperties": False,
    }
    _, defects = find_and_repair(doc_with({"Base": base, "Thing": thing}))
    assert bool(defects) == (not required <= own_props)


def test_operations_without_error_responses_get_the_documented_4xx() -> None:
    doc = doc_with({"Thing": {"type": "object"}}, responses={"200": {"description": "ok"}})
    repaired, defects = find_and_repair(doc)
    assert len(defects) == 1 and defects[0].location == "#/paths"
    assert set(repaired["paths"]["/api/v9.9/thing"]["get"]["responses"]) == {"200", "4XX"}


@requires_shared
def test_real_v4_commodity_schemas_are_reported_once_each() -> None:
    doc = load_spec_file(real_build("v4.0", 28168))
    _, defects = find_and_repair(doc)
    locations = [d.location for d in defects]
    assert "#/components/schemas/Product" in locations and "#/components/schemas/Material" in locations
    assert len(locations) == len(set(locations))


@requires_shared
def test_real_v3_latest_build_has_no_defect() -> None:
    _, defects = find_and_repair(load_spec_file(real_build("v3.0", 30855)))
    assert defects == []


def union_doc() -> dict:
    """An abstract base with a discriminator, listed beside its two subtypes (the v4.0 pattern)."""
    base = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string"}, "name": {"type": "string"}},
        "additionalProperties": False,
        "x-abstract": True,
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"Round": "#/components/schemas/Round", "Square": "#/components/schemas/Square"},
        },
    }
    round_ = {"type": "object", "properties": {"kind": {"type": "string"}, "name": {}, "radius": {}}}
    square = {"type": "object", "properties": {"kind": {"type": "string"}, "name": {}, "side": {}}}
    for subtype in (round_, square):
        subtype.update(required=["kind"], additionalProperties=False)
    union = {"oneOf": [{"$ref": f"#/components/schemas/{n}"} for n in ("Shape", "Round", "Square")]}
    return doc_with({"Shape": base, "Round": round_, "Square": square, "Thing": union})


def test_an_abstract_base_beside_its_subtypes_is_reported_and_left_out() -> None:
    doc = union_doc()
    repaired, defects = find_and_repair(doc)
    assert [d.location for d in defects] == ["#/components/schemas/Shape"]
    assert "Round, Square" in defects[0].repair
    thing = repaired["components"]["schemas"]["Thing"]
    assert [b["$ref"] for b in thing["oneOf"]] == [
        "#/components/schemas/Round",
        "#/components/schemas/Square",
    ]
    assert thing["discriminator"]["propertyName"] == "kind"
    assert len(doc["components"]["schemas"]["Thing"]["oneOf"]) == 3  # the snapshot itself is untouched


def union_validator(doc: dict) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(
        {**doc["components"]["schemas"]["Thing"], "components": doc["components"]}
    )


@given(kind=st.sampled_from(["Round", "Square", "Shape", "session", ""]), name=st.text(max_size=5))
def test_after_the_repair_the_discriminator_alone_decides(kind: str, name: str) -> None:
    """A value with only the shared fields is never valid as published (the base and both
    subtypes match it); repaired, it is valid exactly when its kind names a subtype."""
    published = union_doc()
    repaired, _ = find_and_repair(published)
    value = {"kind": kind, "name": name}
    assert not union_validator(published).is_valid(value)
    assert union_validator(repaired).is_valid(value) == (kind in ("Round", "Square"))


@requires_shared
def test_real_v4_abstract_bases_are_left_out_of_their_unions() -> None:
    repaired, defects = find_and_repair(load_spec_file(real_build("v4.0", 28168)))
    locations = {d.location for d in defects}
    assert {"#/components/schemas/CommodityBase", "#/components/schemas/BaseChildReference"} <= locations
    post = repaired["paths"]["/api/v4.0/commodity"]["post"]["requestBody"]["content"]["application/json"]
    assert [b["$ref"].rsplit("/", 1)[-1] for b in post["schema"]["oneOf"]] == ["Material", "Product"]
    product = repaired["components"]["schemas"]["Product"]
    assert product["properties"]["commodityType"]["enum"] == ["Product"]
