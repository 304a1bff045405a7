"""Full workflow bodies: every property the schema allows, within its bounds, varied by seed."""

from __future__ import annotations

import random

import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.platform.leniency import find_and_repair
from contracts.refs import resolve_or_empty
from contracts.runner.bodies import INTEGER_EDGES, full_body, request_schema
from contracts.runner.readback import schema_properties
from contracts.spec_loader import load_spec_file
from tests.conftest import PROJECT_ROOT

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
DOC, _ = find_and_repair(load_spec_file(V3))
SCHEMA = schemathesis.openapi.from_dict(DOC)
BUILDING = SCHEMA.find_operation_by_label("POST /api/v3.0/building")
REQUIRED_ONLY = {"name": "b", "folderId": "f", "phase": "New"}


def _within(value: object, schema: dict) -> bool:
    if value is None:
        return bool(schema.get("nullable"))
    if "enum" in schema:
        return value in schema["enum"]
    kind = schema.get("type")
    if kind == "integer":
        low, high = INTEGER_EDGES.get(schema.get("format") or "", (-(10**9), 10**9))
        return isinstance(value, int) and low <= value <= high
    if kind == "string":
        longest = schema.get("maxLength")
        return (
            isinstance(value, str)
            and len(value) >= int(schema.get("minLength") or 0)
            and (longest is None or len(value) <= longest)
        )
    return True


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32))
def test_a_full_body_carries_every_plain_property_within_its_schema(seed: int) -> None:
    raw = BUILDING.schema.raw_schema
    schema = request_schema(BUILDING)
    body = full_body(raw, schema, dict(REQUIRED_ONLY), random.Random(seed))
    for name, sub in schema_properties(raw, schema).items():
        sub = resolve_or_empty(raw, sub)
        if name.endswith("Id") or sub.get("readOnly") or sub.get("format") == "uuid" or "pattern" in sub:
            continue
        assert name in body, name
        assert _within(body[name], sub), (name, body[name], sub)
    assert {k: body[k] for k in REQUIRED_ONLY} == REQUIRED_ONLY  # what the example had stays


def test_bodies_vary_with_the_seed_and_repeat_with_it() -> None:
    raw, schema = BUILDING.schema.raw_schema, request_schema(BUILDING)
    bodies = [full_body(raw, schema, dict(REQUIRED_ONLY), random.Random(seed)) for seed in (1, 2, 1)]
    assert bodies[0] == bodies[2] and bodies[0] != bodies[1]
    texts = [v for v in bodies[0].values() if isinstance(v, str)]
    assert any(any(ord(c) > 0xFFFF for c in text) for text in texts)  # beyond the BMP somewhere
    integers = [v for body in bodies for v in body.values() if isinstance(v, int) and not isinstance(v, bool)]
    assert {2**31 - 1, -(2**31)} & set(integers)  # int32 edges are among the values
