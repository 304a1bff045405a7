"""Refinement: which commodity, phase, classification and shearing layer an element is matched to.

The mapping follows ``mapping_order`` of ``data/computations.yaml``: the material or product the
element names by ``materialId`` when it exists; else a commodity whose ``externalId`` is the
element's ``externalDatabaseId`` (the preferred databases first, then any other); else its
``materialName`` (or ``typeName``) against the commodities' names and matching terms in the file's
preferred databases, in their order, the element's classification deciding between candidates of
one database; else the element stays unmapped. Phases and classifications resolve to the
catalogue's entries (their ids, names and codes), never to made-up ids.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.platform.catalogue import Catalogue, read_data


@dataclass(frozen=True)
class Mapped:
    """An element's commodity and the rule that found it."""

    commodity: dict[str, Any]
    rule: str  # materialId | externalId | name

    @property
    def mapping(self) -> dict[str, Any]:
        """The element's ``mapping`` field: the commodity's id and type."""
        return {"id": self.commodity.get("id"), "type": self.commodity.get("commodityType") or "Material"}


@functools.cache
def _rules() -> dict[str, Any]:
    return read_data("computations.yaml")


def _fold(text: Any) -> str:
    return " ".join(str(text).split()).casefold() if text is not None else ""


def term_matches(term: dict[str, Any], text: str | None) -> bool:
    """Whether a matching term (``value``, ``matchType``) matches ``text``."""
    value, kind = str(term.get("value") or ""), str(term.get("matchType") or "Contains")
    if not value or not text:
        return False
    if kind == "EqualsCaseSensitive":
        return text == value
    if kind == "ContainsCaseSensitive":
        return value in text
    folded, wanted = _fold(text), _fold(value)
    if kind == "Equals":
        return folded == wanted
    if kind == "Startwith":
        return folded.startswith(wanted)
    if kind == "Endswith":
        return folded.endswith(wanted)
    if kind == "ContainsExactWord":
        return re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", folded) is not None
    return wanted in folded  # Contains


class Refiner:
    """Maps elements to commodities among ``commodities`` (the catalogue's and the account's)."""

    def __init__(
        self,
        commodities: Iterable[dict[str, Any]],
        matches: Iterable[dict[str, Any]] = (),
        preferred: Sequence[str] = (),
        languages: Sequence[str] = (),
    ) -> None:
        self.commodities = [c for c in commodities if isinstance(c, dict) and c.get("id")]
        self.by_id = {str(c["id"]): c for c in self.commodities}
        self.terms: dict[str, list[dict[str, Any]]] = {}
        for term in matches:
            self.terms.setdefault(str(term.get("commodityId")), []).append(term)
        self.preferred = [str(d) for d in preferred]
        self.languages = {str(language)[:2].lower() for language in languages if language}

    def map(self, element: dict[str, Any]) -> Mapped | None:
        """The element's commodity by the first rule of the mapping order that finds one."""
        for rule in _rules().get("mapping_order") or ():
            found = getattr(self, f"_by_{rule}")(element)
            if found is not None:
                return Mapped(found, rule)
        return None

    def _by_materialId(self, element: dict[str, Any]) -> dict[str, Any] | None:  # noqa: N802 - the field's name
        return self.by_id.get(str(element.get("materialId") or ""))

    def _by_externalId(self, element: dict[str, Any]) -> dict[str, Any] | None:  # noqa: N802
        wanted = element.get("externalDatabaseId")
        if not wanted:
            return None
        found = [c for c in self.commodities if c.get("externalId") == wanted]
        return min(found, key=self._database_rank, default=None)

    def _by_name(self, element: dict[str, Any]) -> dict[str, Any] | None:
        material, type_name = element.get("materialName"), element.get("typeName")
        if not material and not type_name:
            return None
        code = _first(element.get("classificationLookup"))
        for database in self.preferred:
            candidates = [
                c
                for c in self.commodities
                if str(c.get("databaseId")) == database and self._named(c, material, type_name)
            ]
            if candidates:
                return min(candidates, key=lambda c: 0 if _in_family(c, code) else 1)
        return None

    def _named(self, commodity: dict[str, Any], material: Any, type_name: Any) -> bool:
        names = commodity.get("names") or commodity.get("name") or {}
        listed = names.values() if isinstance(names, dict) else [names]
        if material and any(_fold(n) == _fold(material) for n in listed if n):
            return True
        for term in self.terms.get(str(commodity.get("id")), ()):
            language = term.get("language")
            if language and self.languages and str(language).lower() not in self.languages:
                continue
            if term_matches(term, material) or (
                term.get("matchOnTypeName") and term_matches(term, type_name)
            ):
                return True
        return False

    def _database_rank(self, commodity: dict[str, Any]) -> int:
        database = str(commodity.get("databaseId"))
        return self.preferred.index(database) if database in self.preferred else len(self.preferred)


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    return str(value) if value else None


def _in_family(commodity: dict[str, Any], code: str | None) -> bool:
    """Whether the commodity's NL-SfB family is the leading part of the element's class code."""
    if not code:
        return False
    families = commodity.get("materialFamilies")
    values: list[str] = []
    if isinstance(families, dict):
        values = [str(v) for v in families.values() if v]
    elif isinstance(families, list):
        values = [str(k) for f in families if isinstance(f, dict) for k in (f.get("values") or {})]
    return any(code.replace(" ", "").startswith(v.replace(" ", "")) for v in values)


# -- phases, classifications, shearing layers ------------------------------------------------
def phase_match(catalogue: Catalogue, lookup: Any) -> dict[str, Any] | None:
    """The phase the lookup names (a phase's name or one of its lookups), as ``{id, name}``."""
    wanted = _fold(_first(lookup))
    if not wanted:
        return None
    for phase in catalogue.section("phases") or ():
        if wanted == _fold(phase.get("name")) or wanted in {_fold(x) for x in phase.get("lookups") or ()}:
            return {"id": phase["id"], "name": phase["name"]}
    return None


def classification_match(catalogue: Catalogue, method_id: Any, lookup: Any) -> dict[str, Any] | None:
    """The class of the file's classification method (else of any method) the lookup names by
    code or name, as ``{id, name, code}``."""
    wanted = _fold(_first(lookup)).replace(" ", "")
    if not wanted:
        return None
    tables = catalogue.reference.get("classifications") or {}
    methods = [str(method_id)] if method_id and str(method_id) in tables else list(tables)
    for method in methods:
        for entry in tables.get(method) or ():
            if wanted in (
                _fold(entry.get("code")).replace(" ", ""),
                _fold(entry.get("name")).replace(" ", ""),
            ):
                return {"id": entry["id"], "name": entry["name"], "code": entry["code"]}
    return None


def brand_layer_match(catalogue: Catalogue, element_class: Any) -> dict[str, Any] | None:
    """The shearing layer the element's class belongs to (``brand_layers`` of the rules)."""
    if not element_class:
        return None
    layers = {layer["name"]: layer for layer in catalogue.section("brand_layers") or ()}
    for name, classes in (_rules().get("brand_layers") or {}).items():
        if name in layers and any(str(element_class).startswith(c) for c in classes):  # and subtypes
            return {"id": layers[name]["id"], "name": name}
    return None
