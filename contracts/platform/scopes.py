"""What a scoped token reaches and what a lookup by key answers: platform knowledge as data.

Kept in ``data/scopes.yaml``, beside the ownership rule, so the runner's checks of a scoped key
and of lookups by key read the same facts the mock is built on. Reference data every key lists
whatever its scope (the standard databases) comes from the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from contracts.platform.catalogue import load_catalogue


@dataclass(frozen=True)
class ScopeRules:
    scoped_lists: dict[str, dict[str, str]]
    """List path (``/building``) -> the entry fields naming its parent -> the parent's list path."""
    lookup_keys: dict[str, str]
    """Path parameter of a lookup (``externalId``) -> the entity field that must hold its value."""

    def lookup_key(self, template: str) -> str | None:
        """The key parameter when ``template`` (a GET path) looks an entity up by a key, else None."""
        last = template.rstrip("/").rsplit("/", 1)[-1]
        if last.startswith("{") and last.endswith("}") and last[1:-1] in self.lookup_keys:
            return last[1:-1]
        return None


@cache
def scope_rules() -> ScopeRules:
    text = resources.files("contracts.platform").joinpath("data/scopes.yaml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    return ScopeRules(
        scoped_lists={
            str(path): {str(k): str(v) for k, v in (parents or {}).items()}
            for path, parents in (data.get("scoped-lists") or {}).items()
        },
        lookup_keys={str(k): str(v) for k, v in (data.get("lookup-keys") or {}).items()},
    )


@cache
def shared_ids(version: str) -> frozenset[str]:
    """Ids every key lists whatever its scope: the version's standard databases."""
    catalogue = load_catalogue(version)
    if catalogue is None:
        return frozenset()
    return frozenset(str(d["id"]) for d in catalogue.databases if isinstance(d, dict) and d.get("id"))


Entity = tuple[str, str]
"""``(list path, id)``: an entity as a list shows it."""
MAX_DEPTH = 64


def parent_links(
    lists: dict[str, list[dict[str, Any]]], rules: ScopeRules | None = None
) -> dict[Entity, Entity]:
    """Each listed entity -> the entity its entry names as its parent (by the fields of ``scoped_lists``)."""
    rules = rules or scope_rules()
    links: dict[Entity, Entity] = {}
    for path, listed in lists.items():
        fields = rules.scoped_lists.get(path) or {}
        for entry in listed:
            entity_id = entry.get("id")
            if entity_id in (None, ""):
                continue
            for name, parent_path in fields.items():
                value = entry.get(name)
                if isinstance(value, str | int) and str(value) not in ("", str(entity_id)):
                    links[(path, str(entity_id))] = (parent_path, str(value))
                    break
    return links


def within(entity: Entity, scope: Entity, links: dict[Entity, Entity]) -> bool:
    """Whether ``entity`` is ``scope`` or hangs below it, walking up the parent links."""
    current: Entity | None = entity
    for _ in range(MAX_DEPTH):
        if current is None:
            return False
        if current == scope:
            return True
        current = links.get(current)
    return False


def topmost(members: list[Entity], links: dict[Entity, Entity]) -> Entity | None:
    """The scope a key's lists suggest: of the entities no other listed one holds, the one holding most.

    A token is made on one entity and reaches what hangs below it, so a key listing entities
    under two unrelated tops lists something outside its scope. Ties go to the earlier list
    (``scoped_lists`` runs top first) and the earlier entry.
    """
    tops = [e for e in members if not any(o != e and within(e, o, links) for o in members)]
    if not tops:
        return None
    return max(tops, key=lambda top: (sum(within(e, top, links) for e in members), -members.index(top)))
