"""Your own fixtures: ``mock --fixtures FILE`` and ``create_app(..., fixtures=...)``.

A fixtures document (YAML or JSON, or an in-memory mapping) lists entities per API version and
section, with their links::

    mode: extend            # extend (default) or replace the generated fixtures
    v3.0:
      folders:   [{id: ..., name: Portefeuille Noord, parentId: account, foldertypeId: ...}]
      buildings: [{id: ..., folderId: ..., name: ..., buildingUsage: office-office, ...}]
    v4.0:
      databases:   [{id: ..., names: {nl: ..., en: ...}, externalId: ...}]
      commodities: [{id: ..., databaseId: ..., commodityType: Product, names: {...}}]

Sections and their links are the platform's (``contracts/platform/data/links.yaml``). Loading
checks the structure only (``load_fixtures``); each entry is checked against the served spec's
schemas and every link resolved when the app is built (``check_plan``), so a bad file stops the
mock with one line naming the entry and the problem, before anything is served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from contracts.datafile import read_document
from contracts.errors import ContractsError
from contracts.platform.catalogue import Link, links
from mockserver.catalogue_fixtures import STANDARD, Plan

MODES = ("extend", "replace")
_VERSION = re.compile(r"^v\d+\.\d+$")


@dataclass(frozen=True)
class Fixtures:
    """Entities per version and section, and whether they extend or replace the generated ones."""

    versions: dict[str, Plan] = field(default_factory=dict)
    mode: str = "extend"
    source: str = "fixtures"

    def for_version(self, version: str) -> Plan:
        return self.versions.get(version, {})


def _fail(source: str, where: str, problem: str) -> ContractsError:
    return ContractsError(f"{source}: {where}: {problem}" if where else f"{source}: {problem}")


def load_fixtures(mapping: Any, source: str = "fixtures") -> Fixtures:
    """A fixtures document checked for its structure (versions, sections, entries as mappings)."""
    if not isinstance(mapping, dict):
        raise _fail(source, "", f"expected a mapping of API versions, got {type(mapping).__name__}")
    mode = mapping.get("mode", "extend")
    if mode not in MODES:
        raise _fail(source, "mode", f"{mode!r} is not one of {', '.join(MODES)}")
    versions: dict[str, Plan] = {}
    for key, sections in mapping.items():
        if key == "mode":
            continue
        if not isinstance(key, str) or not _VERSION.match(key):
            raise _fail(source, str(key), "unknown key (expected 'mode' or an API version such as v3.0)")
        known = links(key)
        if not known:
            raise _fail(source, key, "the platform data describes no fixture sections for this version")
        if not isinstance(sections, dict):
            raise _fail(source, key, f"expected a mapping of sections ({', '.join(known)})")
        plan: Plan = {}
        for section, entries in sections.items():
            if section not in known:
                raise _fail(source, f"{key} {section}", f"unknown section (known: {', '.join(known)})")
            if not isinstance(entries, list):
                raise _fail(source, f"{key} {section}", "expected a list of entries")
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict):
                    raise _fail(source, f"{key} {section}[{index}]", "expected a mapping of fields")
                if STANDARD in entry:
                    raise _fail(source, f"{key} {section}[{index}]", f"'{STANDARD}' is reserved")
            plan[section] = [dict(e) for e in entries]
        versions[key] = plan
    return Fixtures(versions, mode, source)


def load_fixtures_file(path: str | Path) -> Fixtures:
    """``load_fixtures`` over a YAML or JSON file; every read or parse problem is one clear error."""
    return load_fixtures(read_document(path, "fixtures file"), str(path))


def label(version: str, section: str, index: int, entry: dict[str, Any]) -> str:
    """``v3.0 buildings[2] 'Kantoor Zuidas'``: how an error names an entry."""
    name = entry.get("name") or entry.get("fileName") or entry.get("value")
    names = entry.get("names")
    if not name and isinstance(names, dict):
        name = names.get("en") or next((v for v in names.values() if isinstance(v, str)), None)
    return f"{version} {section}[{index}]" + (f" '{name}'" if isinstance(name, str) and name else "")


def merge(generated: Plan, own: Plan, mode: str) -> Plan:
    """The plan to seed: the generated one extended by ``own``, or only its platform entries."""
    merged: Plan = {}
    for section in [*generated, *(s for s in own if s not in generated)]:
        base = generated.get(section, [])
        if mode == "replace":
            base = [e for e in base if e.get(STANDARD)]
        merged[section] = [*base, *own.get(section, [])]
    return merged


def check_plan(runtime: Any, plan: Plan, fixtures: Fixtures) -> None:
    """Every user entry valid for the spec's entity schema and every link resolvable; else raise."""
    from mockserver.fixtures import create_operation
    from mockserver.leniency import entity_errors, request_errors

    version = runtime.version
    sections = links(version)
    own = fixtures.for_version(version)
    known = _known_ids(runtime, plan, sections)
    seen: dict[str, set[str]] = {}
    for section, entries in own.items():
        link = sections[section]
        if link.collection not in runtime.model.stateful:
            raise _fail(fixtures.source, f"{version} {section}", "the served spec has no such entities")
        names = runtime.property_names(runtime.entity_schema(link.collection) or {})
        fields = _request_fields(runtime, link.collection)
        create_op = create_operation(runtime, link.collection)
        allowed = names | fields | ({link.parent} if link.parent else set())
        for index, entry in enumerate(entries):
            where = label(version, section, index, entry)
            unknown = sorted(set(entry) - allowed)
            if unknown:
                raise _fail(fixtures.source, where, f"unknown field(s) {', '.join(unknown)}")
            key = entry.get("id")
            if key is not None:
                if str(key) in seen.setdefault(link.collection, set()):
                    raise _fail(fixtures.source, where, f"id '{key}' is used twice")
                seen[link.collection].add(str(key))
            shown = {k: v for k, v in entry.items() if k in names}
            errors = entity_errors(runtime, link.collection, shown)
            if errors and create_op is not None:  # a create body is fine too (the create fills the rest)
                posted = request_errors(runtime, create_op, {k: v for k, v in entry.items() if k in fields})
                errors = errors if posted else []
            if errors:
                more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                raise _fail(fixtures.source, where, errors[0] + more)
            if link.parent and entry.get(link.parent) in (None, ""):
                raise _fail(fixtures.source, where, f"{link.parent} is missing (the entity it belongs to)")
            _check_refs(runtime, fixtures.source, where, entry, link, known)


def _request_fields(runtime: Any, collection: str) -> set[str]:
    """Fields the create request takes (a copied POST body is fine; what is not stored is dropped)."""
    fields: set[str] = set()
    for op in runtime.operations:
        behaviour = runtime.model.behaviours[id(op)]
        if behaviour.kind == "create" and behaviour.collection == collection and op.body is not None:
            for schema in op.body.media.values():
                fields |= runtime.property_names(schema)
    return fields


def _known_ids(runtime: Any, plan: Plan, sections: dict[str, Link]) -> dict[str, set[str]]:
    known: dict[str, set[str]] = {}
    if runtime.catalogue is not None:
        known.update(runtime.catalogue.ids())
    known["account"] = {"account", *([runtime.account_id] if runtime.account_id else [])}
    for section, entries in plan.items():
        collection = sections[section].collection if section in sections else section
        known.setdefault(collection, set()).update(str(e["id"]) for e in entries if e.get("id") is not None)
    return known


def _check_refs(
    runtime: Any, source: str, where: str, entry: dict[str, Any], link: Link, known: dict[str, set[str]]
) -> None:
    for field_name, targets in link.refs.items():
        value = entry.get(field_name)
        if value is None:
            continue
        usable = [t for t in targets if t in known or t in runtime.model.stateful]
        if not usable:
            continue
        for item in value if isinstance(value, list) else [value]:
            if not any(str(item) in known.get(t, set()) for t in usable):
                raise _fail(source, where, f"{field_name} '{item}' names no {' or '.join(usable)}")
