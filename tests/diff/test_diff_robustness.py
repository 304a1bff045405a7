"""Deep documents and malformed schemas: findings or one clear error (exit 2), never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.cli import main
from contracts.diff import diff_specs
from contracts.diff.schema_shape import check_shape
from contracts.errors import SpecError
from tests.diff.builders import base_spec, mutated, schemas


def deep_spec_text(depth: int, leaf: str, yaml_flow: bool = False) -> str:
    """A spec whose one response schema nests ``depth`` objects (written as text: json.dumps recurses)."""
    schema = leaf
    for i in range(depth):
        schema = '{"type": "object", "properties": {"p' + str(i) + '": ' + schema + "}}"
    doc = (
        '{"openapi": "3.0.1", "info": {"title": "deep", "version": "v1"}, "paths": {"/a": {"get": '
        '{"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": '
        + schema
        + "}}}}}}}}"
    )
    return f"# YAML, flow style\n{doc}\n" if yaml_flow else doc


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("depth", "suffix"), [(900, "json"), (2000, "json"), (600, "yaml")])
def test_deep_inline_schema_is_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int, suffix: str
) -> None:
    old, new = tmp_path / f"old.{suffix}", tmp_path / f"new.{suffix}"
    old.write_text(deep_spec_text(depth, '{"type": "string"}', yaml_flow=suffix == "yaml"))
    new.write_text(deep_spec_text(depth, '{"type": "integer"}', yaml_flow=suffix == "yaml"))
    code, out, err = run(capsys, str(old), str(new), "--format", "json")
    assert code == 1 and "Traceback" not in err and err == ""
    (change,) = json.loads(out)["changes"]
    assert change["id"] == "response-property-type-changed"
    assert change["location"].count(".p") == depth


def test_deep_identical_documents_have_no_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "deep.json"
    spec.write_text(deep_spec_text(3000, '{"type": "string"}'))
    code, out, err = run(capsys, str(spec), str(spec), "--format", "json")
    assert (code, err) == (0, "") and json.loads(out)["changes"] == []


def _with_pet_schema(value: Any) -> dict[str, Any]:
    def edit(spec: dict[str, Any]) -> None:
        schemas(spec)["Dog"] = value

    return mutated(edit)


def test_properties_as_a_string_is_an_error_not_every_property_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(base_spec()))
    new.write_text(json.dumps(_with_pet_schema({"type": "object", "properties": "zz"})))
    code, out, err = run(capsys, str(old), str(new))
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert "malformed schema: 'properties' must be a mapping" in line and "Dog" in line


_WRONG = {
    "properties": st.one_of(st.text(max_size=5), st.integers(), st.lists(st.integers(), max_size=2)),
    "required": st.one_of(st.text(max_size=5), st.booleans(), st.integers()),
    "items": st.one_of(st.text(max_size=5), st.integers(), st.lists(st.integers(), max_size=2)),
    "allOf": st.one_of(st.text(max_size=5), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)),
    "oneOf": st.lists(st.one_of(st.integers(), st.text(max_size=3)), min_size=1, max_size=2),
    "type": st.one_of(
        st.integers(), st.booleans(), st.dictionaries(st.text(max_size=3), st.integers(), max_size=1)
    ),
    "enum": st.one_of(st.text(max_size=5), st.integers(), st.booleans()),
    "maxLength": st.one_of(st.text(max_size=3), st.floats(allow_nan=False), st.booleans()),
    "minimum": st.one_of(st.text(max_size=3), st.booleans(), st.lists(st.integers(), max_size=1)),
    "additionalProperties": st.one_of(st.text(max_size=3), st.integers()),
}


@st.composite
def _malformed(draw: st.DrawFn) -> tuple[str, Any]:
    key = draw(st.sampled_from(sorted(_WRONG)))
    value = draw(_WRONG[key])
    if key == "maxLength" and isinstance(value, float) and value.is_integer():
        value += 0.5
    return key, value


@settings(max_examples=40, deadline=None)
@given(_malformed())
def test_any_malformed_keyword_is_one_spec_error(case: tuple[str, Any]) -> None:
    key, value = case
    with pytest.raises(SpecError) as info:
        diff_specs(base_spec(), _with_pet_schema({"type": "object", key: value}))
    assert key in str(info.value) and "malformed schema" in str(info.value)
    if key != "oneOf":  # a list whose members are not schemas: refused as each member is built
        with pytest.raises(SpecError):
            check_shape({key: value}, "spec", "schema")


def test_well_formed_keywords_pass_the_shape_check() -> None:
    check_shape(
        {
            "type": ["string", "null"],
            "properties": {"a": {}, "b": True},
            "required": ["a"],
            "items": False,
            "additionalProperties": {"type": "integer"},
            "oneOf": [{"type": "string"}],
            "enum": [1, None],
            "minimum": 0.5,
            "maxLength": 3,
            "pattern": "^a$",
        },
        "spec",
        "schema",
    )
