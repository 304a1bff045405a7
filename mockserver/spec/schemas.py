"""OpenAPI 3.0 schemas turned into JSON Schema, and validators compiled once per schema.

The conversion mirrors what schemathesis checks against: ``nullable`` becomes ``anyOf [.., null]``,
integer formats (int32/int64) become real bounds, boolean ``exclusiveMinimum`` is upgraded, and
component ``$ref``\\s point into a shared ``definitions`` block. Validators are compiled lazily and
cached, so the per-request cost is one ``iter_errors`` call in Rust (jsonschema_rs).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

SHARED_SETS = 8
"""Documents whose ``SchemaSet`` a process keeps for the next app built from the same document."""
INTEGER_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_DROP = {"nullable", "discriminator", "example", "examples", "xml", "externalDocs", "deprecated"}


def convert(schema: Any, *, response: bool = False) -> Any:
    """One OpenAPI 3.0 schema as JSON Schema; component refs point to ``#/definitions/``.

    Validated as draft 2020-12, where ``uuid`` is a checked format (draft 7 ignores it).
    """
    if isinstance(schema, list):
        return [convert(item, response=response) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        ref = str(schema["$ref"]).replace("#/components/schemas/", "#/definitions/")
        out: dict[str, Any] = {"$ref": ref}
    else:
        out = {}
        for key, value in schema.items():
            if key in _DROP or key.startswith("x-"):
                continue
            if key in ("properties", "patternProperties", "definitions"):
                out[key] = {name: convert(sub, response=response) for name, sub in value.items()}
            elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
                out[key] = convert(value, response=response)
            else:
                out[key] = value
        _upgrade_exclusive_bounds(out)
        if out.get("type") == "integer" and schema.get("format") in INTEGER_BOUNDS:
            low, high = INTEGER_BOUNDS[schema["format"]]
            out["minimum"] = max(out.get("minimum", low), low)
            out["maximum"] = min(out.get("maximum", high), high)
    if schema.get("nullable") is True:
        enum = out.get("enum")
        if response or not isinstance(enum, list) or None in enum:
            if isinstance(enum, list) and None not in enum:
                out["enum"] = [*enum, None]
            return {"anyOf": [out, {"type": "null"}]}
    return out


def _upgrade_exclusive_bounds(schema: dict[str, Any]) -> None:
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(schema.get(flag), bool) and schema.pop(flag) and bound in schema:
            schema[flag] = schema.pop(bound)


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (``body.name``, ``query.skip``, ``path.id``) and what."""

    location: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"location": self.location, "message": self.message}


class SchemaSet:
    """The converted component schemas of one spec and a cache of compiled validators."""

    _shared: OrderedDict[int, tuple[dict[str, Any], bytes, SchemaSet]] = OrderedDict()
    _shared_lock = threading.Lock()

    @classmethod
    def shared(cls, doc: dict[str, Any], text: bytes) -> SchemaSet:
        """The set of the last app built from this very document (``text``: its JSON now), or a new one.

        Why: the contract runner builds a fresh embedded mock for each batch that writes, from one
        document; compiling its validators again was two thirds of building the mock (0.06 s per
        v3.0 build). The document must be the same object *and* unchanged (its text compared), so
        a document edited in place gets a set of its own.
        """
        with cls._shared_lock:
            found = cls._shared.get(id(doc))
            if found is not None and found[0] is doc and found[1] == text:
                cls._shared.move_to_end(id(doc))
                return found[2]
        schemas = cls(doc)
        with cls._shared_lock:
            cls._shared[id(doc)] = (doc, text, schemas)  # the reference keeps id(doc) from being reused
            while len(cls._shared) > SHARED_SETS:
                cls._shared.popitem(last=False)
        return schemas

    def __init__(self, doc: dict[str, Any]) -> None:
        components = (doc.get("components") or {}).get("schemas") or {}
        self.raw_components: dict[str, Any] = components
        self.definitions = {
            False: {name: convert(s, response=False) for name, s in components.items()},
            True: {name: convert(s, response=True) for name, s in components.items()},
        }
        self._cache: dict[tuple[int, bool], Any] = {}
        self._converted: dict[tuple[int, bool], Any] = {}
        self._keep: list[Any] = []
        self._lock = threading.Lock()

    def converted(self, schema: dict[str, Any], response: bool = True) -> Any:
        """``convert(schema)``, once per schema object (cached by identity, as validators are)."""
        key = (id(schema), response)
        found = self._converted.get(key)
        if found is None:
            found = convert(schema, response=response)
            with self._lock:
                self._converted[key] = found
                self._keep.append(schema)
        return found

    def validator(self, schema: dict[str, Any], *, response: bool) -> Any:
        """A compiled validator for an OpenAPI schema object (cached by identity)."""
        key = (id(schema), response)
        found = self._cache.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._cache.get(key)
            if found is None:
                wrapped = {
                    "definitions": self.definitions[response],
                    "allOf": [convert(schema, response=response)],
                }
                found = jsonschema_rs.Draft202012Validator(wrapped, validate_formats=True)
                self._cache[key] = found
                self._keep.append(schema)  # keep ids stable for the cache's lifetime
        return found

    def converted_validator(self, converted: dict[str, Any], *, response: bool) -> Any:
        """A validator for a schema that is already JSON Schema (generator sub-schemas)."""
        key = (id(converted), response)
        found = self._cache.get(key)
        if found is None:
            with self._lock:
                wrapped = {"definitions": self.definitions[response], "allOf": [converted]}
                found = jsonschema_rs.Draft202012Validator(wrapped, validate_formats=True)
                self._cache[key] = found
                self._keep.append(converted)
        return found

    def raw(self, schema: Any) -> Any:
        """A raw OpenAPI schema with its ``$ref`` chain followed to the component it names."""
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.raw_components.get(str(schema["$ref"]).rsplit("/", 1)[-1], {})
        return schema

    def resolve(self, schema: Any, *, response: bool = True) -> Any:
        """Follow a converted ``#/definitions/X`` reference (one level)."""
        while isinstance(schema, dict) and "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.definitions[response].get(name, {})
        return schema


def problems(validator: Any, instance: Any, location: str) -> list[Problem]:
    """Every validation error as a Problem whose location is a dotted path under ``location``."""
    return problems_of(validator.iter_errors(instance), location)


def problems_of(errors: Any, location: str) -> list[Problem]:
    """Validation errors already found, as Problems under ``location``."""
    found = []
    for error in errors:
        path = ".".join(str(part) for part in error.instance_path)
        found.append(Problem(f"{location}.{path}" if path else location, _short(error.message)))
    return found


def _short(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"
