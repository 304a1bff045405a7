"""Deterministic values generated from (converted) JSON schemas, then repaired until they validate.

Generation picks the plainest value a schema allows, the same on every call: the first enum
member, an empty string (or the shortest a length or pattern allows), the lowest number inside
the bounds, ``false``, the epoch 2024-01-01 for dates, every declared property; only identifiers
(``format: uuid``) are drawn from the seeded random source. A generated value never looks like
data (no ``mock-NNNN`` placeholders): the mock answers what a client sent, the catalogue's data
or a computed figure, and a generated value only where the spec gives a field no meaning the
platform's behaviour fixes (docs/mock.md, "What the mock computes"). Schemas that combine
``allOf`` with ``additionalProperties: false`` (v4.0 commodities) can make the merged shape
impossible, so ``oneOf``/``anyOf`` branches are tried in turn against the real validator and
``conform`` drops or regenerates whatever still fails.
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, datetime
from typing import Any

from mockserver.spec.schemas import SchemaSet

MAX_DEPTH = 6
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


class ImpossibleSchema(Exception):
    """No value the generator can build satisfies the schema."""


class Generator:
    """Builds schema-valid values for one spec; ``rng`` makes every value reproducible."""

    def __init__(self, schemas: SchemaSet) -> None:
        self.schemas = schemas

    def value(self, schema: Any, rng: random.Random, depth: int = 0) -> Any:
        schema = self.schemas.resolve(schema)
        if not isinstance(schema, dict) or not schema:
            return {} if depth == 0 else "value"
        if "enum" in schema:
            options = [v for v in schema["enum"] if v is not None] or schema["enum"]
            return options[0]
        if "const" in schema:
            return schema["const"]
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self._first_valid(schema, schema[key], rng, depth)
        if "allOf" in schema:
            return self._all_of(schema, rng, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        return getattr(self, f"_{kind}", self._string)(schema, rng, depth)

    def _first_valid(self, schema: dict, branches: list, rng: random.Random, depth: int) -> Any:
        validator = self.schemas.converted_validator(schema, response=True)
        candidates = [b for b in branches if self.schemas.resolve(b).get("type") != "null"]
        candidates += [b for b in branches if b not in candidates]
        for branch in candidates:
            candidate = self.value(branch, rng, depth)
            if validator.is_valid(candidate):
                return candidate
            repaired = self.conform(candidate, schema, rng, depth=depth, regenerate=False)
            if validator.is_valid(repaired):
                return repaired
            fraction = _fractional(self.schemas.resolve(branch))
            if fraction is not None and validator.is_valid(fraction):
                return fraction  # oneOf [integer, number]: 0.0 is both, 0.5 only a number
        return None

    def _all_of(self, schema: dict, rng: random.Random, depth: int) -> Any:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = self.schemas.resolve(part)
            if not isinstance(part, dict):
                continue
            if "allOf" in part:
                part = {**{k: v for k, v in part.items() if k != "allOf"}, **_flatten(self, part)}
            for key, value in part.items():
                if key == "properties":
                    known = merged["properties"] = dict(
                        merged.get("properties") or {}
                    )  # never the schema's own
                    for name, sub in value.items():
                        known[name] = {"allOf": [known[name], sub]} if name in known else sub
                elif key == "required":
                    merged["required"] = sorted({*merged.get("required", []), *value})
                elif key == "additionalProperties":
                    continue
                else:
                    merged.setdefault(key, value)
        return self.value(merged, rng, depth)

    def _object(self, schema: dict, rng: random.Random, depth: int) -> dict:
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        out: dict[str, Any] = {}
        for name, sub in properties.items():
            if depth >= MAX_DEPTH and name not in required:
                continue
            out[name] = self.value(sub, rng, depth + 1)
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, dict) and schema.get("minProperties") and depth < MAX_DEPTH:
            out["key"] = self.value(extra, rng, depth + 1)  # a map holds nothing unless it must
        return out

    def _array(self, schema: dict, rng: random.Random, depth: int) -> list:
        count = max(int(schema.get("minItems", 0)), 1 if depth < MAX_DEPTH - 2 else 0)
        count = min(count, int(schema.get("maxItems", count)))
        items = schema.get("items") or {}
        values = [self.value(items, rng, depth + 1) for _ in range(count)]
        if schema.get("uniqueItems"):
            unique: list = []
            for value in values:
                if value not in unique:
                    unique.append(value)
            values = unique
        return values

    def _string(self, schema: dict, rng: random.Random, depth: int) -> str:
        fmt = schema.get("format")
        if fmt == "uuid":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if fmt == "date-time":
            return _EPOCH.isoformat().replace("+00:00", "Z")
        if fmt == "date":
            return _EPOCH.date().isoformat()
        if fmt == "email":
            return "user@example.com"
        if fmt in ("uri", "url"):
            return "https://example.com/"
        if fmt == "byte":
            return ""
        low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
        if "pattern" in schema:
            return _matching(str(schema["pattern"]), low, high, rng)
        return "x" * low if high is None or low <= int(high) else ""

    def key(self, schema: Any, rng: random.Random) -> str | None:
        """A new key for a string-keyed entity: random where a pattern allows (two-letter codes),
        else None (the caller draws a uuid)."""
        schema = self.schemas.resolve(schema)
        if not isinstance(schema, dict) or "pattern" not in schema:
            return None
        low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
        return _matching(str(schema["pattern"]), low, high, rng, plain=False)

    def _integer(self, schema: dict, rng: random.Random, depth: int) -> int:
        low, high = _bounds(schema, 0, 100)
        value = int(math.ceil(low))
        step = schema.get("multipleOf")
        if isinstance(step, int) and step and value % step:
            value += step - value % step
        return value

    def _number(self, schema: dict, rng: random.Random, depth: int) -> float:
        low, _high = _bounds(schema, 0, 100)
        return float(low)

    def _boolean(self, schema: dict, rng: random.Random, depth: int) -> bool:
        return False

    def _null(self, schema: dict, rng: random.Random, depth: int) -> None:
        return None

    def conform(
        self,
        value: Any,
        schema: Any,
        rng: random.Random,
        *,
        depth: int = 0,
        rounds: int = 6,
        regenerate: bool = True,
    ) -> Any:
        """``value`` changed as little as possible until it validates against ``schema``.

        Failing object members are dropped when optional and regenerated otherwise; a value that
        still fails after a few rounds is replaced by a freshly generated one.
        """
        validator = self.schemas.converted_validator(schema, response=True)
        if validator.is_valid(value):
            return value
        value = self.project(value, schema)
        for _ in range(rounds):
            errors = list(validator.iter_errors(value))
            if not errors:
                return value
            changed = False
            for error in errors:
                path = list(error.instance_path)
                if not path:
                    continue
                changed |= _drop_path(value, path)
            if not changed:
                break
        return self.value(schema, rng, depth) if regenerate else value

    def project(self, value: Any, schema: Any, depth: int = 0) -> Any:
        """``value`` limited to what ``schema`` declares where it forbids anything else.

        A stored entity answered through a narrower schema (a list of ``CommodityInfo``) keeps
        the fields that schema knows; ``oneOf`` picks the first branch the projection satisfies.
        """
        schema = self.schemas.resolve(schema)
        if not isinstance(schema, dict) or depth > MAX_DEPTH * 2:
            return value
        for key in ("oneOf", "anyOf"):
            if key in schema:
                validator = self.schemas.converted_validator(schema, response=True)
                for branch in schema[key]:
                    candidate = self.project(_copy(value), branch, depth + 1)
                    if validator.is_valid(candidate):
                        return candidate
                return value
        parts = [schema, *(self.schemas.resolve(p) for p in schema.get("allOf") or [])]
        if isinstance(value, dict):
            properties: dict[str, Any] = {}
            closed = False
            for part in parts:
                if isinstance(part, dict):
                    properties.update(part.get("properties") or {})
                    closed |= part.get("additionalProperties") is False
            if closed and properties:
                value = {k: v for k, v in value.items() if k in properties}
            for name, sub in properties.items():
                if name in value:
                    value[name] = self.project(value[name], sub, depth + 1)
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            value = [self.project(item, schema["items"], depth + 1) for item in value]
        return value


def _copy(value: Any) -> Any:
    import copy

    return copy.deepcopy(value)


def _matching(pattern: str, low: int, high: Any, rng: random.Random, plain: bool = True) -> str:
    """A string of an allowed length matching ``pattern``, tried over a few simple alphabets: the
    plainest first (one letter repeated) unless ``plain`` is off (new keys must differ)."""
    import re
    import string

    top = min(int(high) if high is not None else 12, 12)
    try:
        compiled = re.compile(pattern)
    except re.error:
        return "x" * max(low, 1)
    alphabets = (
        string.ascii_lowercase,
        string.ascii_uppercase,
        string.digits,
        string.ascii_letters + string.digits,
    )
    for length in range(max(low, 0), top + 1) if plain else ():  # "", "a", "aa", "AA", "00", ...
        for alphabet in alphabets:
            if compiled.search(alphabet[0] * length):
                return alphabet[0] * length
    preferred = max(low, min(top, 8))
    for length in [preferred, *range(max(low, 0), top + 1)]:
        for alphabet in alphabets:
            for _ in range(3):
                text = "".join(rng.choice(alphabet) for _ in range(length))
                if compiled.search(text):
                    return text
    return "x" * max(low, 1)


def _flatten(generator: Generator, schema: dict) -> dict:
    merged: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        part = generator.schemas.resolve(part)
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key != "additionalProperties":
                merged.setdefault(key, value)
    return merged


def _fractional(schema: Any) -> float | None:
    """A number of a ``number`` schema that is no integer (JSON Schema counts 0.0 as one), if any."""
    if not isinstance(schema, dict) or schema.get("type") != "number" or "multipleOf" in schema:
        return None
    low, high = _bounds(schema, 0, 100)
    value = math.floor(low) + 0.5
    value = value if value >= low else value + 1
    return value if value <= high else None


def _bounds(schema: dict, low_default: float, high_default: float) -> tuple[float, float]:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if "exclusiveMinimum" in schema and "minimum" not in schema:
        low = low + 1
    if "exclusiveMaximum" in schema and "maximum" not in schema:
        high = high - 1
    if low is None and high is None:
        return low_default, high_default
    if (low is None or low <= low_default) and (high is None or high >= high_default):
        return low_default, high_default
    if low is None:
        low = min(low_default, high)
    if high is None:
        high = max(high_default, low) if low < high_default else low + 100
    return low, min(high, low + 1000)


def container_at(value: Any, path: list) -> Any:
    """The object or array holding the member ``path`` points at; None when the path leads nowhere."""
    target = value
    for step in path[:-1]:
        try:
            target = target[step]
        except (KeyError, IndexError, TypeError):
            return None
    return target if isinstance(target, dict | list) else None


def _drop_path(value: Any, path: list) -> bool:
    """Remove the member an error points at (the first step under an object); True if removed."""
    target = container_at(value, path)
    last = path[-1]
    if isinstance(target, dict) and last in target:
        del target[last]
        return True
    if isinstance(target, list) and isinstance(last, int) and last < len(target):
        del target[last]
        return True
    return False
