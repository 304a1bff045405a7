"""Full, realistic bodies for the workflows: every property the schema allows, some at its edges.

schemathesis's simplest positive example carries the required fields only, so a server that
ignores an optional field, stores a long integer as 500 or drops a name in a second language
is never caught by the read-back. Starting from that example, each declared property it lacks
is filled from its schema, varied by the run's seed: integers at the edges of their format
(int32, int64) and bounds, strings as long as ``maxLength`` allows with text in several
scripts and a character outside the Basic Multilingual Plane, ``null`` now and then where the
schema is nullable, one item in arrays, objects filled the same way.

Left as generated: references (``...Id``, ``...Ids``: the platform refuses ids it does not
have; the workflow's links fill those it knows), ``readOnly`` fields, unions, and strings with a
``pattern`` (their example value stays).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.refs import resolve_or_empty
from contracts.runner.readback import schema_properties, select_branch

MAX_DEPTH = 4
TEXT = "Gebäude Ωmega 建物 مبنى 🏗 édifice "
"""Latin with diacritics, Greek, CJK, Arabic and a character outside the BMP."""
INTEGER_EDGES = {
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**53) + 1, 2**53 - 1),  # beyond 2**53 a JSON number is no longer exact in every client
}
SKIPPED = object()


def full_body(raw: dict[str, Any], schema: Any, body: Any, rng: random.Random, depth: int = 0) -> Any:
    """``body`` with every property its (object) schema declares and it lacks, filled in.

    Objects the example carries (``names: {}``) are filled the same way, to ``MAX_DEPTH``.
    """
    if not isinstance(body, dict):
        return body
    filled = dict(body)
    branch = select_branch(raw, schema, body)  # a union: the alternative the example is of
    for name, sub in schema_properties(raw, branch).items():
        if isinstance(filled.get(name), dict) and depth < MAX_DEPTH:
            filled[name] = full_body(raw, sub, filled[name], rng, depth + 1)
            continue
        if name in filled or _reference(name):
            continue
        value = value_for(raw, sub, rng, 0)
        if value is not SKIPPED:
            filled[name] = value
    return filled


def _reference(name: str) -> bool:
    return name == "id" or name.endswith("Id") or name.endswith("Ids")


def value_for(raw: dict[str, Any], schema: Any, rng: random.Random, depth: int) -> Any:
    """A value ``schema`` allows, chosen to be informative; ``SKIPPED`` where none is made up."""
    schema = resolve_or_empty(raw, schema)
    if schema.get("readOnly") or depth > MAX_DEPTH or "oneOf" in schema or "anyOf" in schema:
        return SKIPPED
    if schema.get("nullable") and rng.random() < 0.15:
        return None
    if "enum" in schema:
        choices = [value for value in schema["enum"] if value is not None]
        return rng.choice(choices) if choices else SKIPPED
    kind = schema.get("type")
    if kind is None and ("properties" in schema or "allOf" in schema):
        kind = "object"
    if kind == "integer":
        return _integer(schema, rng)
    if kind == "number":
        low, high = _bounds(schema, -1e9, 1e9)
        return rng.choice([low, high, round(rng.uniform(low, high), 3)])
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "string":
        return _string(schema, rng)
    if kind == "array":
        item = value_for(raw, schema.get("items") or {}, rng, depth + 1)
        if item is SKIPPED or item is None:
            return [] if not schema.get("minItems") else SKIPPED
        return [item] if (schema.get("maxItems") or 1) >= 1 else []
    if kind == "object":
        found = {}
        for name, sub in schema_properties(raw, schema).items():
            if _reference(name):
                continue
            value = value_for(raw, sub, rng, depth + 1)
            if value is not SKIPPED:
                found[name] = value
        return found
    return SKIPPED


def _bounds(schema: dict[str, Any], low: float, high: float) -> tuple[float, float]:
    minimum, maximum = schema.get("minimum"), schema.get("maximum")
    if isinstance(minimum, int | float):
        low = max(low, minimum + (1 if schema.get("exclusiveMinimum") is True else 0))
    if isinstance(maximum, int | float):
        high = min(high, maximum - (1 if schema.get("exclusiveMaximum") is True else 0))
    return (low, high) if low <= high else (low, low)


def _integer(schema: dict[str, Any], rng: random.Random) -> int:
    low, high = INTEGER_EDGES.get(schema.get("format") or "", (-(10**9), 10**9))
    low, high = _bounds(schema, low, high)
    low, high = int(low), int(high)
    return rng.choice([low, high, rng.randint(low, high)])


def _string(schema: dict[str, Any], rng: random.Random) -> Any:
    fmt = schema.get("format")
    instant = datetime(2001, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(10**9))
    if fmt == "date-time":
        return instant.strftime("%Y-%m-%dT%H:%M:%SZ")
    if fmt == "date":
        return instant.date().isoformat()
    if fmt or "pattern" in schema:
        return SKIPPED  # uuid, uri, byte...: a made-up one says nothing, or is refused
    shortest = int(schema.get("minLength") or 0)
    longest = schema.get("maxLength")
    length = rng.choice([longest, rng.randint(max(shortest, 1), longest)]) if longest else rng.randint(8, 40)
    length = max(length, shortest)
    start = rng.randrange(len(TEXT))
    text = (TEXT[start:] + TEXT * (length // len(TEXT) + 2))[:length]
    return "x" + text[1:-1] + "x" if len(text) > 2 else "x" * len(text)  # no edge a server may trim


def request_schema(operation: Any) -> dict[str, Any]:
    """The JSON schema of the operation's request body (``{}`` when it takes none)."""
    raw = operation.schema.raw_schema
    definition = operation.definition.raw if hasattr(operation.definition, "raw") else operation.definition
    body = resolve_or_empty(raw, definition.get("requestBody") or {})
    for media_type, media in (body.get("content") or {}).items():
        if "json" in media_type:
            return resolve_or_empty(raw, (media or {}).get("schema") or {})
    return {}
