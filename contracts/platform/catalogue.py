"""The platform's reference data (``data/*.yaml``), loaded once per process.

``reference.yaml`` and ``commodities.yaml`` hold what every API version shares (folder types,
building usages, material families, classification methods, price sets, the standard databases
and their commodities); ``vX.Y.yaml`` holds what one version adds (the v3.0 account and passport
presets, the v4.0 compliances, the pools fixtures are drawn from). Files are parsed lazily with
PyYAML's C loader when it is there, so a process that never asks pays nothing.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
_VERSION = re.compile(r"^v\d+\.\d+$")
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def read_data(name: str) -> dict[str, Any]:
    """One data file as a mapping (parsed once; callers must not change it)."""
    path = DATA_DIR / name
    if not path.is_file():
        return {}
    loaded = yaml.load(path.read_bytes(), Loader=_Loader)  # noqa: S506 - a safe loader
    return loaded if isinstance(loaded, dict) else {}


@dataclass(frozen=True)
class Catalogue:
    """The reference data one API version serves (read-only views of the data files)."""

    version: str
    reference: dict[str, Any]
    standard: dict[str, Any]
    own: dict[str, Any]

    # -- shared reference lists ----------------------------------------------------------
    @property
    def languages(self) -> list[str]:
        return list(self.reference.get("languages") or ["en"])

    @property
    def default_language(self) -> str:
        return str(self.reference.get("default_language") or "en")

    @property
    def folder_types(self) -> list[dict[str, Any]]:
        return list(self.reference.get("folder_types") or [])

    @property
    def building_usages(self) -> dict[str, dict[str, str]]:
        return dict(self.reference.get("building_usages") or {})

    @property
    def material_families(self) -> list[dict[str, Any]]:
        return list(self.reference.get("material_families") or [])

    @property
    def classification_methods(self) -> list[dict[str, Any]]:
        return list(self.reference.get("classification_methods") or [])

    @property
    def price_sets(self) -> list[dict[str, Any]]:
        return list(self.reference.get("price_sets") or [])

    @property
    def databases(self) -> list[dict[str, Any]]:
        return list(self.reference.get("databases") or [])

    @property
    def commodities(self) -> list[dict[str, Any]]:
        return list(self.standard.get("commodities") or [])

    @property
    def children(self) -> list[dict[str, Any]]:
        return list(self.standard.get("children") or [])

    @property
    def matches(self) -> list[dict[str, Any]]:
        return list(self.standard.get("matches") or [])

    # -- this version's own data ---------------------------------------------------------
    @property
    def account(self) -> dict[str, Any] | None:
        account = self.own.get("account")
        return dict(account) if isinstance(account, dict) else None

    def section(self, name: str) -> Any:
        """A top-level entry of the version file (``passport_presets``, ``compliances``, ...)."""
        return self.own.get(name)

    @property
    def folder_names(self) -> dict[str, Any]:
        """Folder id -> its names, for the document folders of a database (``folder_structure``)."""
        structure = self.section("folder_structure") or {}
        return {f["id"]: f["folderNames"] for f in [structure, *structure.get("children", [])] if f}

    @property
    def fixture_pools(self) -> dict[str, Any]:
        return dict(self.own.get("fixtures") or {})

    # -- look-ups ------------------------------------------------------------------------
    def folder_type(self, key: str) -> dict[str, Any]:
        """The folder type with this ``key`` (``portfolio``, ``folder``, ``project``, ``complex``)."""
        return next(t for t in self.folder_types if t.get("key") == key)

    def localized(self, names: Any, language: str | None) -> str | None:
        """``names`` in ``language`` (``nl-NL`` counts as ``nl``), else in the default language."""
        if not isinstance(names, dict):
            return names if isinstance(names, str) else None
        wanted = (language or "").split(",", 1)[0].split(";", 1)[0].strip().lower()[:2]
        for candidate in (wanted, self.default_language, "en", *names):
            if candidate and isinstance(names.get(candidate), str):
                return names[candidate]
        return None

    def ids(self) -> dict[str, set[str]]:
        """Every reference id by list name, for reference checks (``folder_types`` -> ids, ...)."""
        return {
            "folder_types": {str(t["id"]) for t in self.folder_types},
            "building_usages": set(self.building_usages),
            "material_families": {str(f["id"]) for f in self.material_families},
            "classification_methods": {str(m["id"]) for m in self.classification_methods},
            "price_sets": {str(p["id"]) for p in self.price_sets},
            "databases": {str(d["id"]) for d in self.databases},
            "commodities": {str(c["id"]) for c in self.commodities},
        }


@functools.cache
def load_catalogue(version: str) -> Catalogue | None:
    """The catalogue of ``version`` (``v3.0``), or None when the platform data has no such version."""
    if not _VERSION.match(version) or not (DATA_DIR / f"{version}.yaml").is_file():
        return None
    reference = read_data("reference.yaml")
    languages = set(reference.get("languages") or ["en"])
    default = str(reference.get("default_language") or "en")

    def invariant(data: dict[str, Any]) -> dict[str, Any]:
        return with_invariant(data, languages, default)

    return Catalogue(
        version,
        invariant(reference),
        invariant(read_data("commodities.yaml")),
        invariant(read_data(f"{version}.yaml")),
    )


INVARIANT = "iv"
"""The invariant-culture entry the platform's localised names carry beside the languages."""


def with_invariant(node: Any, languages: set[str], default: str) -> Any:
    """A copy of ``node`` in which every localised text (a mapping of language -> text) also
    carries the invariant entry ``iv``: the platform's own, or else the default language's text."""
    if isinstance(node, list):
        return [with_invariant(item, languages, default) for item in node]
    if not isinstance(node, dict):
        return node
    if node and set(node) <= languages | {INVARIANT} and all(isinstance(v, str) for v in node.values()):
        text = node.get(default) or next(iter(node.values()))
        return {**node, INVARIANT: node.get(INVARIANT, text)}
    return {key: with_invariant(value, languages, default) for key, value in node.items()}


def catalogue_versions() -> list[str]:
    """The API versions the data files describe."""
    return sorted(p.stem for p in DATA_DIR.glob("v*.yaml") if _VERSION.match(p.stem))


@dataclass(frozen=True)
class Link:
    """How one section of entities links: its collection, its parent field, what its fields name."""

    section: str
    collection: str
    parent: str | None
    refs: dict[str, tuple[str, ...]]


@functools.cache
def links(version: str) -> dict[str, Link]:
    """The sections of ``version`` in creation order (parents first), from ``links.yaml``."""
    out: dict[str, Link] = {}
    for section, spec in (read_data("links.yaml").get(version) or {}).items():
        refs = {str(k): tuple(v) for k, v in (spec.get("refs") or {}).items()}
        out[section] = Link(section, str(spec["collection"]), spec.get("parent"), refs)
    return out
