"""What the platform accepts that its specs do not say: known spec defects and their repairs.

One place for the contract runner, the mock and the proxy alike (the list is
``data/leniencies.yaml``):

- **Spec defects**: schemas a snapshot declares that no value can satisfy. The known case is
  ``allOf`` whose parts set ``additionalProperties: false``: each closed part forbids the
  properties the other parts declare, so an object that carries a required property of one part
  is rejected by the other (the v4.0 commodity schemas, where even the spec's own examples
  fail). ``find_and_repair`` reports each once with its location and returns the document with
  the evident intent (the parts merged into one closed object); a ``oneOf`` with a
  ``discriminator`` is then read the way the platform reads it (``discriminated``), and a union
  that lists an abstract base beside its subtypes loses the base (``_repair_abstract_unions``).
- **Date-times without an offset**: the platform (ASP.NET) accepts ``2026-11-30T20:18:35.951712``
  and reads it as UTC; ``repaired_datetime`` gives the RFC 3339 value it stands for.
- **The empty Guid as a parent**: NSwag clients send an unset required Guid as all zeros; a folder
  with ``parentId`` ``EMPTY_GUID`` lands at the account's top (``EMPTY_GUID_PARENT``).
- **Accept-Language lists**: the specs declare ``accept-language`` as one code of an enum, while
  HTTP clients send a list of language ranges (``*`` from every fetch, ``nl-NL,nl;q=0.9``);
  ``chosen_language`` reads such a list as ASP.NET's localisation does (``ACCEPT_LANGUAGE_RANGE``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from contracts.openapi import OPERATION_METHODS as HTTP_METHODS
from contracts.platform.catalogue import read_data
from contracts.platform.uploads import require_upload_files
from contracts.refs import escape_token, resolve

DATETIME_WITHOUT_OFFSET = "datetime-without-offset"
UNSATISFIABLE_ALLOF = "unsatisfiable-allof"
EMPTY_GUID_PARENT = "empty-guid-parent"
ACCEPT_LANGUAGE_RANGE = "accept-language-range"
EMPTY_GUID = "00000000-0000-0000-0000-000000000000"
_LANGUAGE_RANGE = re.compile(r"^(\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)(?:;q=([01](?:\.\d{0,3})?))?$")
_NAIVE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?)?$")


def known_leniencies() -> list[dict[str, Any]]:
    """The leniencies the platform needs, as listed in ``data/leniencies.yaml``."""
    return list(read_data("leniencies.yaml").get("leniencies") or [])


def chosen_language(header: str, allowed: list[str]) -> tuple[bool, str | None]:
    """What an Accept-Language list of language ranges (RFC 9110) picks among ``allowed``.

    ``(True, code)``: the range of highest weight that names an allowed code, itself or by its
    primary subtag (``nl-NL`` -> ``nl``); ``(True, None)``: only ``*`` or weight 0, read as no
    header (the platform's default culture). ``(False, None)``: not a list of ranges each ``*`` or
    naming an allowed code: refused as the spec says (so a contract run's schema-violating values,
    ``null,null`` or ``0``, are still a 400).
    """
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate(p.strip() for p in header.split(",")):
        match = _LANGUAGE_RANGE.match(part.replace(" ", ""))
        if match is None:
            return False, None
        ranges.append((-float(match.group(2) or 1), index, match.group(1).lower()))
    by_code = {str(code).lower(): str(code) for code in allowed}
    if any(tag != "*" and tag.split("-", 1)[0] not in by_code for _w, _i, tag in ranges):
        return False, None
    for weight, _index, tag in sorted(ranges):
        found = by_code.get(tag) or by_code.get(tag.split("-", 1)[0])
        if found is not None and weight < 0:
            return True, found
    return True, None


def repaired_datetime(value: Any) -> str | None:
    """The RFC 3339 date-time a value without an offset stands for (UTC); None if it is not one."""
    if not isinstance(value, str):
        return None
    match = _NAIVE.match(value)
    if match is None:
        return None
    day, minutes, seconds = match.groups()
    return f"{day}T{minutes or '00:00'}{seconds or ':00'}Z"


def discriminated(root: dict[str, Any], schema: Any, value: Any) -> Any:
    """The ``oneOf`` branch a discriminator names for ``value`` (``commodityType: Product``), else ``schema``."""
    resolved = resolve(root, schema)
    if not isinstance(resolved, dict) or not isinstance(value, dict):
        return schema
    branches = resolved.get("oneOf") or resolved.get("anyOf")
    discriminator = resolved.get("discriminator")
    if not branches:
        return schema
    if not isinstance(discriminator, dict):  # the base schema may carry it (CommodityBase)
        discriminator = next(
            (
                d
                for d in ((resolve(root, b) or {}).get("discriminator") for b in branches)
                if isinstance(d, dict)
            ),
            None,
        )
    if not isinstance(discriminator, dict):
        return schema
    tag = value.get(str(discriminator.get("propertyName", "")))
    target = (discriminator.get("mapping") or {}).get(tag) if isinstance(tag, str) else None
    if target is None and isinstance(tag, str):
        target = next(
            (
                b["$ref"]
                for b in branches
                if isinstance(b, dict) and str(b.get("$ref", "")).endswith("/" + tag)
            ),
            None,
        )
    return {"$ref": target} if isinstance(target, str) else schema


@dataclass(frozen=True)
class SpecDefect:
    location: str
    """JSON pointer of the schema in the snapshot (``#/components/schemas/Material``)."""
    problem: str
    repair: str

    def describe(self) -> str:
        return f"{self.location}: {self.problem}; {self.repair}"


def find_and_repair(doc: dict[str, Any]) -> tuple[dict[str, Any], list[SpecDefect]]:
    """A copy of ``doc`` with unsatisfiable schemas repaired, and the defects found (original untouched)."""
    repaired = copy.deepcopy(doc)
    defects: list[SpecDefect] = []
    _walk(repaired, repaired, "#", defects, set())
    defects.extend(_repair_abstract_unions(repaired))
    undeclared = _add_default_errors(repaired)
    if undeclared:
        defects.append(undeclared)
    uploads = require_upload_files(repaired)
    if uploads:
        defects.append(
            SpecDefect(
                location="#/paths",
                problem=f"{len(uploads)} upload operation(s) leave the file part optional, e.g. {uploads[0]}",
                repair="tested with the file part required: the platform refuses an upload without a file",
            )
        )
    return repaired, defects


def _repair_abstract_unions(doc: dict[str, Any]) -> list[SpecDefect]:
    """Unions that list an abstract base beside its subtypes are read as the discriminator says.

    The v4.0 specs declare ``oneOf: [CommodityBase, Material, Product]``, where ``CommodityBase``
    is ``x-abstract`` and carries the discriminator (``commodityType``: Material or Product). As
    JSON Schema, a material with only the shared fields matches both the base and ``Material``
    (so ``oneOf`` refuses it), and a ``commodityType`` the mapping does not name passes as a
    base. The platform builds the subtype the discriminator names and refuses any other. The
    repair: the base leaves the union, which carries the discriminator instead, and each
    subtype's discriminator property takes the one value that names it.
    """
    schemas = (doc.get("components") or {}).get("schemas") or {}
    bases: dict[str, dict[str, Any]] = {}
    for name, schema in schemas.items():
        discriminator = schema.get("discriminator") if isinstance(schema, dict) else None
        if (
            schema.get("x-abstract") is True
            and isinstance(discriminator, dict)
            and discriminator.get("mapping")
        ):
            bases[f"#/components/schemas/{name}"] = discriminator
    if not bases:
        return []
    found: dict[str, int] = {}
    _unite(doc, bases, found, set())
    defects = []
    for ref, count in sorted(found.items()):
        discriminator = bases[ref]
        prop = str(discriminator.get("propertyName"))
        for tag, target in discriminator["mapping"].items():
            subtype = resolve(doc, {"$ref": target})
            properties = subtype.get("properties") if isinstance(subtype, dict) else None
            if isinstance(properties, dict) and isinstance(properties.get(prop), dict):
                properties[prop] = {**properties[prop], "enum": [tag]}
        tags = ", ".join(sorted(discriminator["mapping"]))
        defects.append(
            SpecDefect(
                location=ref,
                problem=(
                    f"the abstract base is an alternative beside its subtypes in {count} union(s): a value "
                    f"matches two alternatives, or passes as the base with a {prop} the mapping does not name"
                ),
                repair=f"tested with the subtype {prop} names ({tags}) and no other",
            )
        )
    return defects


def _unite(node: Any, bases: dict[str, dict[str, Any]], found: dict[str, int], seen: set[int]) -> None:
    """Take abstract bases out of the unions that list their subtypes (see ``_repair_abstract_unions``)."""
    if isinstance(node, list):
        for item in node:
            _unite(item, bases, found, seen)
        return
    if not isinstance(node, dict) or id(node) in seen:
        return
    seen.add(id(node))
    for keyword in ("oneOf", "anyOf"):
        branches = node.get(keyword)
        if not isinstance(branches, list):
            continue
        refs = [b.get("$ref") for b in branches if isinstance(b, dict)]
        for ref in [r for r in refs if r in bases]:
            subtypes = set(bases[ref]["mapping"].values())
            if not subtypes & set(refs):
                continue
            node[keyword] = [b for b in node[keyword] if not (isinstance(b, dict) and b.get("$ref") == ref)]
            node.setdefault("discriminator", copy.deepcopy(bases[ref]))
            found[ref] = found.get(ref, 0) + 1
    for value in node.values():
        _unite(value, bases, found, seen)


GENERIC_PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "nullable": True},
        "title": {"type": "string", "nullable": True},
        "status": {"type": "integer", "nullable": True},
        "detail": {"type": "string", "nullable": True},
        "instance": {"type": "string", "nullable": True},
    },
}


def _add_default_errors(doc: dict[str, Any]) -> SpecDefect | None:
    """Operations that declare no error response at all (older builds) get the API's documented 4XX one.

    Madaster answers errors with RFC 7807 problem details, declared as each operation's
    ``default`` response in newer builds. A build that declares only the success code makes
    every 4xx "undocumented", which says nothing about the API; it is reported once.
    """
    problem_schema: dict[str, Any] = GENERIC_PROBLEM
    if "ProblemDetails" in ((doc.get("components") or {}).get("schemas") or {}):
        problem_schema = {"$ref": "#/components/schemas/ProblemDetails"}
    missing = []
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict) or not isinstance(operation.get("responses"), dict):
                continue
            responses = operation["responses"]
            if any(str(code) == "default" or str(code)[:1] in ("4", "5") for code in responses):
                continue
            responses["4XX"] = {
                "description": "Error (problem details)",
                "content": {
                    media: {"schema": copy.deepcopy(problem_schema)}
                    for media in ("application/problem+json", "application/json")
                },
            }
            missing.append(f"{method.upper()} {path}")
    if not missing:
        return None
    return SpecDefect(
        location="#/paths",
        problem=f"{len(missing)} operation(s) declare no error response (no 4xx, no default), e.g. {missing[0]}",
        repair="tested with the API's documented client errors (4XX, RFC 7807 problem details)",
    )


def _walk(root: dict[str, Any], node: Any, pointer: str, defects: list[SpecDefect], seen: set[int]) -> None:
    if isinstance(node, dict):
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node.get("allOf"), list):
            defect = _repair_all_of(root, node, pointer)
            if defect is not None:
                defects.append(defect)
        for key, value in node.items():
            _walk(root, value, f"{pointer}/{escape_token(str(key))}", defects, seen)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _walk(root, value, f"{pointer}/{index}", defects, seen)


@dataclass
class _Part:
    where: str
    properties: dict[str, Any]
    required: set[str]
    closed: bool


def _parts(root: dict[str, Any], schema: dict[str, Any], where: str, depth: int = 0) -> list[_Part] | None:
    """The object parts an allOf schema is made of (its own part first); None if not all objects."""
    own = _Part(
        where,
        dict(schema.get("properties") or {}),
        set(schema.get("required") or []),
        schema.get("additionalProperties") is False and not schema.get("patternProperties"),
    )
    parts = [own]
    for index, branch in enumerate(schema.get("allOf") or []):
        branch_where = f"{where}/allOf/{index}"
        if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
            branch_where = branch["$ref"]
        resolved = resolve(root, branch)
        if resolved is None or depth > 5:
            return None
        if resolved.get("type") not in (None, "object") or any(k in resolved for k in ("oneOf", "anyOf")):
            return None
        nested = _parts(root, resolved, branch_where, depth + 1)
        if nested is None:
            return None
        parts.extend(nested)
    return parts


def _repair_all_of(root: dict[str, Any], schema: dict[str, Any], pointer: str) -> SpecDefect | None:
    parts = _parts(root, schema, pointer)
    if parts is None or not any(part.closed for part in parts):
        return None
    required = set().union(*(part.required for part in parts))
    for closed in (part for part in parts if part.closed):
        forbidden = sorted(name for name in required if name not in closed.properties)
        if not forbidden:
            continue
        owners = {name: next(p.where for p in parts if name in p.required) for name in forbidden}
        detail = ", ".join(f"'{name}' (required by {owners[name]})" for name in forbidden)
        merged: dict[str, Any] = {}
        for part in reversed(parts):  # the schema's own declarations win
            merged.update(part.properties)
        keep = {
            k: v
            for k, v in schema.items()
            if k not in ("allOf", "properties", "required", "additionalProperties")
        }
        schema.clear()
        schema.update(keep)
        schema["type"] = "object"
        schema["properties"] = merged
        if required:
            schema["required"] = sorted(required)
        schema["additionalProperties"] = False
        return SpecDefect(
            location=pointer,
            problem=(
                f"allOf with additionalProperties: false cannot be satisfied: {detail} "
                f"is forbidden by additionalProperties: false at {closed.where}"
            ),
            repair="tested as the allOf parts merged into one closed object",
        )
    return None
