"""Generated values validate against the schemas they come from (property-based over schemas),
OpenAPI 3.0 conversion (nullable, int32 bounds), and the v4.0 commodity shape that no object can
satisfy in full."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mockserver.spec.generate import Generator
from mockserver.spec.schemas import SchemaSet, convert


def _leaf() -> st.SearchStrategy[dict[str, Any]]:
    formatted = st.fixed_dictionaries(
        {
            "type": st.just("string"),
            "format": st.sampled_from(["uuid", "date-time", "date", "email", "byte"]),
        },
        optional={"nullable": st.booleans()},
    )
    sized = st.fixed_dictionaries(
        {"type": st.just("string")},
        optional={"minLength": st.integers(0, 5), "maxLength": st.integers(5, 12), "nullable": st.booleans()},
    )
    strings = st.one_of(formatted, sized)
    patterned = st.fixed_dictionaries(
        {"type": st.just("string"), "pattern": st.sampled_from(["^[a-z]*$", "^[A-Z]{2}$", "^[0-9]+$"])},
        optional={"minLength": st.integers(1, 2), "maxLength": st.integers(2, 4)},
    )
    integers = st.fixed_dictionaries(
        {"type": st.just("integer")},
        optional={
            "format": st.sampled_from(["int32", "int64"]),
            "minimum": st.integers(-50, 50),
            "nullable": st.booleans(),
        },
    )
    numbers = st.fixed_dictionaries(
        {"type": st.just("number")}, optional={"minimum": st.floats(-5, 5), "maximum": st.floats(6, 50)}
    )
    enums = st.lists(st.text(max_size=5), min_size=1, max_size=4, unique=True).map(
        lambda values: {"type": "string", "enum": values}
    )
    return st.one_of(strings, patterned, integers, numbers, enums, st.just({"type": "boolean"}))


def _schemas() -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        _leaf(),
        lambda inner: st.one_of(
            st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=4).flatmap(
                lambda props: st.fixed_dictionaries(
                    {"type": st.just("object"), "properties": st.just(props)},
                    optional={
                        "required": st.just(sorted(props)[:1]),
                        "additionalProperties": st.just(False),
                        "nullable": st.booleans(),
                    },
                )
            ),
            st.fixed_dictionaries(
                {"type": st.just("array"), "items": inner}, optional={"minItems": st.integers(0, 2)}
            ),
            st.lists(
                _leaf().map(lambda leaf: {k: v for k, v in leaf.items() if k != "nullable"}),
                min_size=1,
                max_size=3,
                unique_by=lambda leaf: leaf["type"],  # disjoint branches: exactly one can match
            ).map(lambda parts: {"oneOf": parts}),
            st.lists(inner, min_size=1, max_size=2).map(lambda parts: {"anyOf": parts}),
        ),
        max_leaves=8,
    )


@settings(max_examples=150, deadline=None)
@given(schema=_schemas(), seed=st.integers(0, 10_000))
@example(schema={"oneOf": [{"type": "integer"}, {"type": "number"}]}, seed=0)  # 0.0 is both: found once
def test_generated_values_validate(schema: dict[str, Any], seed: int) -> None:
    schemas = SchemaSet({"components": {"schemas": {}}})
    generator = Generator(schemas)
    converted = convert(schema, response=True)
    value = generator.value(converted, random.Random(seed))
    validator = schemas.validator(schema, response=True)
    if not validator.is_valid(value):  # a first guess that fails must be repaired
        value = generator.conform(value, converted, random.Random(seed))
    assert validator.is_valid(value), (value, [e.message for e in validator.iter_errors(value)])


def test_nullable_and_integer_formats_follow_openapi_30() -> None:
    assert convert({"type": "string", "nullable": True}) == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert convert({"type": "integer", "format": "int32"}) == {
        "type": "integer",
        "format": "int32",
        "minimum": -(2**31),
        "maximum": 2**31 - 1,
    }
    request_enum = convert({"type": "string", "enum": ["a"], "nullable": True}, response=False)
    assert request_enum == {"type": "string", "enum": ["a"]}  # an enum without null stays strict in requests
    assert convert({"$ref": "#/components/schemas/X"}) == {"$ref": "#/definitions/X"}
    schemas = SchemaSet({"components": {"schemas": {}}})
    validator = schemas.validator({"type": "string", "format": "uuid"}, response=False)
    assert not validator.is_valid("AAA") and validator.is_valid("3fa85f64-5717-4562-b3fc-2c963f66afa6")


def test_unsatisfiable_all_of_branches_fall_back_to_the_satisfiable_one() -> None:
    closed_base = {
        "type": "object",
        "required": ["kind"],
        "additionalProperties": False,
        "properties": {"kind": {"type": "string"}, "name": {"type": "string"}},
    }
    narrowed = {
        "type": "object",
        "allOf": [{"$ref": "#/components/schemas/Base"}],
        "additionalProperties": False,
        "properties": {"density": {"type": "number"}},
    }
    doc = {"components": {"schemas": {"Base": closed_base, "Narrowed": narrowed}}}
    schemas = SchemaSet(doc)
    schema = {"oneOf": [{"$ref": "#/components/schemas/Base"}, {"$ref": "#/components/schemas/Narrowed"}]}
    value = Generator(schemas).value(convert(schema), random.Random(1))
    assert schemas.validator(schema, response=True).is_valid(value)
    assert "kind" in value and "density" not in value
