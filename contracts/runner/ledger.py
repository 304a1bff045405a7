"""The ownership ledger of a write run: the entities this run created, and nothing else.

Safety by construction: ``gate.OwnershipGate`` adds an entity only from the answer of a write
the gate let through (so its parents are the run's own too), removes it when the run deletes
it, and cleanup deletes only what is here, children before parents. An id the account showed
in a read answer is *foreign*: it never enters the ledger, even when a create answers with it
(a platform that returns an existing entity for a create must not have it deleted).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

from contracts.openapi import OPERATION_METHODS
from contracts.request_target import SEGMENT_SAFE

API_PREFIX = re.compile(r"^(/api/v\d+(?:\.\d+)?)(/.*)$")
UPLOAD_SUFFIX = "/upload"


@dataclass(frozen=True)
class PathTemplate:
    """One path of the spec, to match concrete paths against."""

    template: str
    regex: re.Pattern[str]
    names: tuple[str, ...]
    methods: frozenset[str]
    literals: int
    """How many segments are literal: ``/children/clear`` wins over ``/children/{childId}``."""

    def parameters(self, path: str) -> dict[str, str] | None:
        """The decoded values of ``path`` (canonical form) for each parameter, or None."""
        match = self.regex.match(path)
        if match is None:
            return None
        return {name: unquote(value) for name, value in zip(self.names, match.groups(), strict=True)}


def segment(value: str) -> str:
    """One path segment in the canonical form the ledger keeps (``/`` and ``%`` encoded)."""
    return quote(str(value).encode("utf-8"), safe=SEGMENT_SAFE)


def canonical_path(raw: str) -> str:
    """A request path as sent (percent-encoded, any style) in the ledger's one form.

    Each segment is decoded and encoded again, so ``/folder/%7Cx`` and ``/folder/|x`` are one
    path, and an id holding ``/`` (sent as ``%2F``) stays one segment.
    """
    return "/".join(segment(unquote(part)) for part in raw.split("?", 1)[0].split("/"))


@lru_cache(maxsize=4096)
def compile_template(template: str, methods: frozenset[str] = frozenset()) -> PathTemplate:
    """The template as a regex; cached, since placement asks for the same (partly filled) ones per case."""
    names = tuple(re.findall(r"\{([^/{}]*)\}", template))  # ``{}``: a parameter with no name (``placement``)
    pattern = re.sub(r"\\\{[^/]*?\\\}", "([^/]+)", re.escape(template))
    literals = sum(1 for part in template.strip("/").split("/") if not part.startswith("{"))
    return PathTemplate(template, re.compile(f"^{pattern}$"), names, methods, literals)


class PathTemplates:
    """Every path of a spec, to tell which operation a concrete path is and what it names."""

    def __init__(self, doc: dict[str, Any]) -> None:
        templates = []
        for path, item in (doc.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            methods = frozenset(key.upper() for key in item if key.lower() in OPERATION_METHODS)
            templates.append(compile_template(path, methods))
        self.templates = sorted(templates, key=lambda t: (-t.literals, len(t.names)))
        self._by_depth: dict[int, list[PathTemplate]] = {}
        """The templates by segment count, in the same order: a parameter is one segment, so only
        templates of a path's own depth can fit it (a gate's refusal tried every path of the spec)."""
        for template in self.templates:
            self._by_depth.setdefault(template.template.count("/"), []).append(template)

    def match(self, path: str, method: str | None = None) -> tuple[PathTemplate, dict[str, str]] | None:
        """The most literal template ``path`` fits (with ``method`` when given), and its values."""
        for template in self._by_depth.get(path.count("/"), ()):
            if method is not None and method.upper() not in template.methods:
                continue
            values = template.parameters(path)
            if values is not None:
                return template, values
        return None

    def entity_path(self, request_path: str, entity_id: str) -> str | None:
        """Where the entity a write answered with lives: a path the spec can read or delete.

        ``POST /folder`` answered X -> ``/folder/X``; ``PUT /folder/X`` -> ``/folder/X``; an upload
        adds to its list (``POST /commodity/C/files/upload`` -> ``/commodity/C/files/X``); a
        platform action puts what it creates where the lifecycles say (``created_by_action``).
        Nothing else is guessed.
        """
        base = request_path.rstrip("/")
        own = segment(entity_id)
        candidates = [f"{base}/{own}"]
        if base.rsplit("/", 1)[-1] == own:
            candidates.insert(0, base)
        if base.endswith(UPLOAD_SUFFIX):
            candidates.append(f"{base.removesuffix(UPLOAD_SUFFIX)}/{own}")
        made = created_by_action(base, own)
        if made is not None:
            candidates.append(made)
        for candidate in candidates:
            found = self.match(candidate)
            if found is not None and found[0].methods & {"GET", "DELETE"}:
                return candidate
        return None


def created_by_action(path: str, entity_id: str) -> str | None:
    """Where a platform action put the entity it created, from ``data/lifecycles.yaml``.

    ``POST /api/v4.0/commodity/C/version`` created X -> ``/api/v4.0/commodity/X`` (a new version);
    ``POST /api/v3.0/building/B/passport`` created X -> ``/api/v3.0/building/B/files/X``. The
    entity's path takes the ids of the action's path in order, and the new id last.
    """
    from contracts.platform.lifecycles import load_lifecycles

    match = API_PREFIX.match(path)
    if match is None:
        return None
    prefix, segments = match.group(1), match.group(2).strip("/").split("/")
    definitions = load_lifecycles()
    for lifecycle in definitions.lifecycles.values():
        if not lifecycle.creates:
            continue
        for trigger in lifecycle.triggers:
            method, template = trigger.split(" ", 1)
            parts = template.strip("/").split("/")
            if method != "POST" or len(parts) != len(segments):
                continue
            if all(part in ("{}", segment) for part, segment in zip(parts, segments, strict=True)):
                ids = [segment for part, segment in zip(parts, segments, strict=True) if part == "{}"]
                item = definitions.entities[lifecycle.entity].path
                values = [*ids[: item.count("{}") - 1], entity_id]
                if len(values) != item.count("{}"):
                    return None
                return prefix + item.replace("{}", "%s") % tuple(values)
    return None


@dataclass
class OwnedEntity:
    """An entity this run created."""

    entity_id: str
    path: str | None
    """Its item path (``/api/v3.0/building/B``), when the spec has one."""
    created_by: str
    """``POST /api/v3.0/building``: the write whose answer made it."""
    order: int


@dataclass
class Ledger:
    """What the run created (by id), and what it saw that it did not create."""

    owned: dict[str, OwnedEntity] = field(default_factory=dict)
    foreign: set[str] = field(default_factory=set)
    """Ids the account showed in read answers that the run did not create."""
    accounts: set[str] = field(default_factory=set)
    """The account's own ids (the top a create may be placed at)."""
    gone: set[str] = field(default_factory=set)
    """Ids of entities the run created and deleted: only a DELETE may name them again (404)."""
    _counter: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _by_depth: dict[int, dict[str, OwnedEntity]] = field(default_factory=dict)
    """The owned entities with a path, by its number of segments (``under`` looks at one depth only)."""

    def owns(self, entity_id: Any) -> bool:
        return isinstance(entity_id, str | int) and str(entity_id) in self.owned

    def add(self, entity_id: str, path: str | None, created_by: str) -> bool:
        """Record a new entity of the run; False for an id the run already has or saw as foreign."""
        with self._lock:
            if entity_id in self.owned or entity_id in self.foreign or entity_id in self.accounts:
                return False
            self._counter += 1
            entity = self.owned[entity_id] = OwnedEntity(entity_id, path, created_by, self._counter)
            if path is not None:
                self._by_depth.setdefault(path.count("/"), {})[entity_id] = entity
            return True

    def saw(self, entity_id: str) -> None:
        """An id in a read answer: foreign unless the run created it."""
        with self._lock:
            if entity_id not in self.owned:
                self.foreign.add(entity_id)

    def forget(self, path: str) -> list[OwnedEntity]:
        """The run deleted ``path``: it and every entity below it are gone."""
        below = path + "/"
        depth = path.count("/")
        with self._lock:  # only depths at or below the path's can hold it or its children
            gone = [
                entity
                for level, entities in self._by_depth.items()
                if level >= depth
                for entity in entities.values()
                if entity.path == path or (entity.path or "").startswith(below)
            ]
            for entity in gone:
                del self.owned[entity.entity_id]
                self._by_depth.get((entity.path or "").count("/"), {}).pop(entity.entity_id, None)
                self.gone.add(entity.entity_id)
            return gone

    def under(self, template: PathTemplate) -> list[OwnedEntity]:
        """The run's entities whose item path fits ``template``, newest first."""
        with self._lock:
            same_depth = self._by_depth.get(template.template.count("/"), {})
            found = [e for e in same_depth.values() if template.regex.match(e.path or "")]
        return sorted(found, key=lambda entity: -entity.order)

    def newest_under(self, template: PathTemplate) -> OwnedEntity | None:
        """The newest of ``under`` (the entity a write is placed on), without sorting them all."""
        with self._lock:
            same_depth = list(self._by_depth.get(template.template.count("/"), {}).values())
        return next((e for e in reversed(same_depth) if template.regex.match(e.path or "")), None)

    def for_cleanup(self) -> list[OwnedEntity]:
        """Every entity, children before parents, newest first among equals."""
        with self._lock:
            entities = list(self.owned.values())
        return sorted(entities, key=lambda e: (-(e.path or "").count("/"), -e.order))

    def clear(self) -> None:
        with self._lock:
            self.gone.update(self.owned)
            self.owned.clear()
            self._by_depth.clear()
