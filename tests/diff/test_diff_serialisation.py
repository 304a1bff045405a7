"""Parameter style/explode changes, and the two false positives: 200 -> 2XX and oneOf -> anyOf."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.diff import diff_specs
from contracts.diff.checks.parameter_style import KINDS, wire_form
from contracts.spec_loader import load_spec_file
from tests.conftest import real_build
from tests.diff.builders import ITEM, base_spec, mutated, op, schemas

STYLES = {
    "query": ["form", "spaceDelimited", "pipeDelimited", "deepObject"],
    "path": ["simple", "label", "matrix"],
    "header": ["simple"],
    "cookie": ["form"],
}
DEFAULTS = {
    "query": ("form", True),
    "cookie": ("form", True),
    "path": ("simple", False),
    "header": ("simple", False),
}


def _spec_with_param(location: str, schema: dict[str, Any], **style: Any) -> dict[str, Any]:
    spec = base_spec()
    param = {"name": "ids", "in": location, "required": location == "path", "schema": schema, **style}
    path = "/api/v3.0/things/{ids}" if location == "path" else "/api/v3.0/things"
    spec["paths"][path] = {"get": {"parameters": [param], "responses": {"200": {"description": "ok"}}}}
    return spec


def _ids(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c.id, c.level.label) for c in diff_specs(old, new).changes]


ARRAY = {"type": "array", "items": {"type": "integer"}}


def test_query_array_explode_change_breaks_and_shows_the_wire() -> None:
    report = diff_specs(_spec_with_param("query", ARRAY), _spec_with_param("query", ARRAY, explode=False))
    (change,) = report.changes
    assert (change.id, change.level.label, change.location) == (
        "request-parameter-style-changed",
        "breaking",
        "query.ids",
    )
    assert "`ids=3&ids=4` -> `ids=3,4`" in change.message


def test_scalar_explode_change_is_info_same_wire() -> None:
    old = _spec_with_param("query", {"type": "integer"})
    new = _spec_with_param("query", {"type": "integer"}, style="form", explode=False)
    assert _ids(old, new) == [("request-parameter-style-changed-same-wire", "info")]


def test_path_label_style_breaks_even_a_scalar() -> None:
    old = _spec_with_param("path", {"type": "string"})
    assert _ids(old, _spec_with_param("path", {"type": "string"}, style="matrix")) == [
        ("request-parameter-style-changed", "breaking")
    ]


def test_spelling_out_the_location_defaults_is_no_change() -> None:
    for location, (style, explode) in DEFAULTS.items():
        old = _spec_with_param(location, ARRAY)
        assert _ids(old, _spec_with_param(location, ARRAY, style=style, explode=explode)) == [], location
    # and the default explode of an explicit style follows that style (form: true, others: false)
    assert _ids(_spec_with_param("query", ARRAY), _spec_with_param("query", ARRAY, style="form")) == []
    assert _ids(_spec_with_param("path", ARRAY), _spec_with_param("path", ARRAY, explode=False)) == []


_location = st.sampled_from(sorted(STYLES))


@st.composite
def _style_change(draw: st.DrawFn) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]:
    location = draw(_location)
    schema = draw(st.sampled_from([ARRAY, {"type": "object"}, {"type": "string"}, {}]))
    styles = st.fixed_dictionaries(
        {}, optional={"style": st.sampled_from(STYLES[location]), "explode": st.booleans()}
    )
    return location, schema, draw(styles), draw(styles)


def _effective(location: str, style: dict[str, Any]) -> tuple[str, bool]:
    how = style.get("style", DEFAULTS[location][0])
    return how, style.get("explode", how == "form")


@settings(max_examples=60, deadline=None)
@given(_style_change())
def test_style_finding_iff_the_wire_form_differs(case: tuple[str, dict, dict, dict]) -> None:
    location, schema, old_style, new_style = case
    found = _ids(
        _spec_with_param(location, schema, **old_style), _spec_with_param(location, schema, **new_style)
    )
    before, after = _effective(location, old_style), _effective(location, new_style)
    if before == after:
        assert found == []
        return
    kinds = {"array": ["array"], "object": ["object"], "string": ["primitive"]}.get(
        schema.get("type"), list(KINDS)
    )
    differs = any(wire_form(before, "ids", k) != wire_form(after, "ids", k) for k in kinds)
    expected = "request-parameter-style-changed" if differs else "request-parameter-style-changed-same-wire"
    assert [i for i, _ in found] == [expected]


def test_parameter_described_by_content_against_a_style_breaks() -> None:
    old = _spec_with_param("query", {"type": "object"})
    new = copy.deepcopy(old)
    param = new["paths"]["/api/v3.0/things"]["get"]["parameters"][0]
    param["content"] = {"application/json": {"schema": param.pop("schema")}}
    assert _ids(old, new) == [("request-parameter-style-changed", "breaking")]


# -- 200 -> 2XX --------------------------------------------------------------------------------


def _rename(spec: dict[str, Any], path: str, method: str, old: str, new: str) -> None:
    responses = op(spec, method, path)["responses"]
    responses[new] = responses.pop(old)


def test_200_replaced_by_2xx_is_not_a_removed_response() -> None:
    new = mutated(lambda s: _rename(s, ITEM, "get", "200", "2XX"))
    assert _ids(base_spec(), new) == [("response-status-range-changed", "info")]
    back = _ids(new, base_spec())
    assert back == [("response-status-range-changed", "info")]


def test_a_change_inside_the_range_response_is_still_found() -> None:
    def edit(spec: dict[str, Any]) -> None:
        _rename(spec, ITEM, "get", "200", "2XX")
        del schemas(spec)["Item"]["properties"]["status"]

    found = {(c.id, c.operation, c.location) for c in diff_specs(base_spec(), mutated(edit)).changes}
    assert ("response-property-removed", "GET /api/v3.0/items/{id}", "response.2XX.status") in found
    assert not [f for f in found if f[0].startswith("response-success-status")]


def test_error_code_replaced_by_its_range_and_a_real_removal() -> None:
    def add_404(spec: dict[str, Any]) -> None:
        op(spec, "get", ITEM)["responses"]["404"] = {"description": "missing"}

    def to_range(spec: dict[str, Any]) -> None:
        add_404(spec)
        _rename(spec, ITEM, "get", "404", "4XX")

    assert _ids(mutated(add_404), mutated(to_range)) == [("response-status-range-changed", "info")]
    # 200 gone while the new spec has only 201: that is a real removal
    new = mutated(lambda s: _rename(s, ITEM, "get", "200", "201"))
    assert ("response-success-status-removed", "breaking") in _ids(base_spec(), new)


def test_real_build_with_every_2xx_as_a_range_has_nothing_breaking() -> None:
    doc = load_spec_file(real_build("v3.0", 30855), validate=False)
    text = json.dumps(doc).replace('"200": {', '"2XX": {')
    report = diff_specs(doc, json.loads(text))
    assert report.changes
    assert {c.id for c in report.changes} == {"response-status-range-changed"}


# -- oneOf -> anyOf -----------------------------------------------------------------------------


def _pet_keyword(keyword: str, variants: list[str] | None = None) -> dict[str, Any]:
    def edit(spec: dict[str, Any]) -> None:
        for name in ("Item", "ItemRequest"):
            pet = schemas(spec)[name]["properties"]["pet"]
            refs = pet.pop("oneOf")
            pet[keyword] = [{"$ref": f"#/components/schemas/{v}"} for v in variants] if variants else refs

    return mutated(edit)


def test_one_of_to_any_of_over_the_same_variants_is_no_change() -> None:
    assert _ids(base_spec(), _pet_keyword("anyOf")) == []
    assert _ids(_pet_keyword("anyOf"), base_spec()) == []


def test_one_of_to_any_of_with_a_variant_less_reports_only_that_variant() -> None:
    found = {i for i, _ in _ids(base_spec(), _pet_keyword("anyOf", ["Cat"]))}
    assert found == {"request-variant-removed", "response-variant-removed"}


def test_real_build_one_of_to_any_of_is_no_change() -> None:
    doc = load_spec_file(real_build("v4.0", 28168), validate=False)
    text = json.dumps(doc)
    assert '"oneOf"' in text
    assert diff_specs(doc, json.loads(text.replace('"oneOf"', '"anyOf"'))).changes == []
