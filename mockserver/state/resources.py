"""What each operation does to the mock's state, derived from the spec's paths and schemas.

A path is read left to right: a literal followed by a parameter names an entity of the collection
spelled by the literals so far (``/building/{buildingId}/files/{id}`` -> ``building`` and
``building/files``). A parameter named after another top-level collection (``{databaseId}`` in
``/commodity/{databaseId}/external/{externalId}``) refers to that collection instead, and
``external/{x}`` is a lookup by ``externalId``. A collection is *stateful* when the spec can both
create its entities (POST on the collection) and address one (an item path). Everything else is
a generated sub-resource or an action on the entity its path names.

``HOOKS`` is the small, documented table for what the derivation cannot see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockserver.spec.operations import Operation

ACCOUNT = "account"
Resolver = Callable[[Any], Any]


@dataclass
class Hooks:
    """Corrections to the derivation, keyed by collection (documented in docs/mock.md)."""

    # body fields that point at a parent which may be one of several collections, or the account
    parent_fields: dict[str, dict[str, tuple[str, ...]]] = field(
        default_factory=lambda: {"folder": {"parentId": ("folder", ACCOUNT)}}
    )
    # actions (last literal) that empty the sibling collection under the addressed entity
    clear_actions: frozenset[str] = frozenset({"clear"})
    # actions (last literal) whose array body creates or updates entities of the sibling
    # collection under the addressed entity (``POST .../elements/batch``), matched by key
    batch_actions: frozenset[str] = frozenset({"batch"})
    # action (last literal of the path) -> fields set on the addressed entity. The platform's
    # long-running actions (upload, refinement, activation, passports) are not here: they follow
    # the lifecycles in contracts/platform/data/lifecycles.yaml (mockserver.platform.lifecycle).
    action_effects: dict[str, dict[str, Any]] = field(default_factory=dict)
    # fields a new entity shows from the entity its body references (a bill-of-materials child
    # shows its commodity's names and type), unless the body sets them
    shown_from_reference: frozenset[str] = frozenset({"names", "commodityType", "functionalUnit"})
    # a field a create through ``POST C/<verb>`` sets to the verb (``children/weight`` -> weight)
    verb_field: str = "quantityType"


@dataclass
class Behaviour:
    """The derived meaning of one operation."""

    kind: str  # list | create | read | update | delete | lookup | generated | action
    collection: str | None  # the collection acted on (for list/create/read/update/delete/lookup)
    refs: list[tuple[str, str]]  # (collection, path parameter) for every entity the path names
    action: str | None = None  # last literal for actions (upload, process, ...)
    id_in_body: bool = False  # PUT /commodity: the id travels in the body


@dataclass
class Model:
    stateful: set[str]
    behaviours: dict[int, Behaviour]  # id(operation) -> behaviour
    parents: dict[str, str | None]  # stateful collection -> collection of its path parent
    top_level: set[str]
    id_params: dict[str, str]  # stateful collection -> item path parameter name
    body_parents: dict[str, dict[str, tuple[str, ...]]]  # collection -> body field -> target collections
    hooks: Hooks
    entity_ops: dict[str, Operation]  # stateful collection -> its item GET (or create) operation
    list_ops: dict[str, Operation]


def parse_path(
    segments: list[str], top_level: set[str]
) -> tuple[list[tuple[str, str]], str, list[str], bool]:
    """(refs, base collection, trailing literals, is-external-lookup) for the segments after ``/api/vX.Y``.

    The collection a trailing part addresses is ``base`` joined with the trailing literals.
    """
    refs: list[tuple[str, str]] = []
    literals: list[str] = []  # literals since the last own entity, forming the next collection name
    base = ""
    lookup = False
    for index, segment in enumerate(segments):
        if segment.startswith("{"):
            name = segment[1:-1]
            stem = name[:-2].lower() if name.endswith("Id") else ""
            if literals and literals[-1] == "external" and index == len(segments) - 1:
                literals = literals[:-1]
                lookup = True
                continue
            if stem and stem in top_level and (not literals or literals[0] != stem) and (base or literals):
                refs.append((stem, name))
                continue
            collection = _join(base, literals or ["*"])  # a second key in a row: a sub-key
            refs.append((collection, name))
            base, literals = collection, []
        else:
            literals.append(segment)
    return refs, base, literals, lookup


def _join(base: str, literals: list[str]) -> str:
    return "/".join(filter(None, [base, *literals]))


def derive(operations: list[Operation], resolve: Resolver, hooks: Hooks | None = None) -> Model:
    """The model of one spec; ``resolve`` follows component ``$ref``s of that spec."""
    hooks = hooks or Hooks()
    top_level = {
        op.segments[2] for op in operations if len(op.segments) > 2 and not op.segments[2].startswith("{")
    }
    parsed = {id(op): parse_path(op.segments[2:], top_level) for op in operations}

    creatable: set[str] = set()
    addressable: dict[str, str] = {}
    listable: set[str] = set()
    verb_posts: dict[int, str] = {}  # POST C/<verb> with a JSON body -> C
    for op in operations:
        refs, base, literals, lookup = parsed[id(op)]
        if lookup:
            continue
        if literals and op.method == "POST" and op.body is not None and _json_body(op):
            creatable.add(_join(base, literals))
            if len(literals) >= 2:
                verb_posts[id(op)] = _join(base, literals[:-1])
        if literals and op.method == "GET":
            listable.add(_join(base, literals))
        if not literals and refs and op.method in ("GET", "DELETE", "PUT"):
            addressable.setdefault(refs[-1][0], refs[-1][1])
    # a collection without a plain POST whose entities are added by POST C/<verb> (children/quantity)
    adders = {
        id_: c for id_, c in verb_posts.items() if c not in creatable and c in addressable and c in listable
    }
    stateful = {c for c in creatable if c in addressable} | set(adders.values())

    behaviours: dict[int, Behaviour] = {}
    parents: dict[str, str | None] = {}
    entity_ops: dict[str, Operation] = {}
    list_ops: dict[str, Operation] = {}
    for op in operations:
        refs, base, literals, lookup = parsed[id(op)]
        if lookup:
            behaviours[id(op)] = Behaviour("lookup", _join(base, literals), refs)
            continue
        if not literals and refs:
            collection = refs[-1][0]
            if collection in stateful:
                kind = {"GET": "read", "PUT": "update", "DELETE": "delete"}.get(op.method, "action")
                behaviours[id(op)] = Behaviour(kind, collection, refs)
                if op.method == "GET":
                    entity_ops[collection] = op
            elif op.method in ("POST", "PUT", "PATCH"):
                action = collection.rsplit("/", 1)[-1]
                behaviours[id(op)] = Behaviour("action", collection, refs[:-1], action=action)
            else:
                kind = "delete" if op.method == "DELETE" else "generated"
                behaviours[id(op)] = Behaviour(kind, collection, refs)
            continue
        if id(op) in adders:
            behaviours[id(op)] = Behaviour("create", adders[id(op)], refs, action=literals[-1])
            parents[adders[id(op)]] = refs[-1][0] if refs else None
            continue
        collection = _join(base, literals)
        alias = _alias(collection, literals, refs, stateful)
        if collection in stateful:
            parent = refs[-1][0] if refs else None
            parents[collection] = parent
            if op.method == "GET":
                behaviours[id(op)] = Behaviour("list", collection, refs)
                list_ops[collection] = op
            elif op.method == "POST":
                behaviours[id(op)] = Behaviour("create", collection, refs)
                entity_ops.setdefault(collection, op)
            elif op.method == "PUT" and _body_has_id(op, resolve):
                behaviours[id(op)] = Behaviour("update", collection, refs, id_in_body=True)
            else:
                behaviours[id(op)] = Behaviour("action", collection, refs, action=literals[-1])
        elif alias and op.method == "GET":
            behaviours[id(op)] = Behaviour("list", alias, refs)
        elif op.method == "GET":
            behaviours[id(op)] = Behaviour("generated", collection, refs)
        else:
            behaviours[id(op)] = Behaviour("action", collection, refs, action=literals[-1])
    for collection in stateful:
        parents.setdefault(collection, None)
    body_parents = _body_parents(operations, behaviours, stateful, top_level, hooks, resolve)
    id_params = {c: addressable[c] for c in stateful}
    return Model(
        stateful, behaviours, parents, top_level, id_params, body_parents, hooks, entity_ops, list_ops
    )


def _alias(
    collection: str, literals: list[str], refs: list[tuple[str, str]], stateful: set[str]
) -> str | None:
    """``/database/{id}/commodities`` lists the stateful ``commodity`` collection under a database."""
    if len(literals) != 1 or not refs:
        return None
    word = literals[0]
    for singular in (
        word,
        word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") else word,
    ):
        if singular in stateful and singular != collection:
            return singular
    return None


def _json_body(op: Operation) -> bool:
    return op.body is not None and any("json" in media for media in op.body.media)


def _body_has_id(op: Operation, resolve: Resolver) -> bool:
    if op.body is None:
        return False
    return any("id" in property_names(schema, resolve) for schema in op.body.media.values())


def property_names(schema: Any, resolve: Resolver, depth: int = 0) -> set[str]:
    """Top-level property names of a raw schema, through ``$ref``, ``allOf``, ``oneOf`` and ``anyOf``."""
    if not isinstance(schema, dict) or depth > 6:
        return set()
    if "$ref" in schema:
        return property_names(resolve(schema), resolve, depth + 1)
    names = set((schema.get("properties") or {}).keys())
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key) or []:
            names |= property_names(part, resolve, depth + 1)
    return names


def _body_parents(
    operations: list[Operation],
    behaviours: dict[int, Behaviour],
    stateful: set[str],
    top_level: set[str],
    hooks: Hooks,
    resolve: Resolver,
) -> dict[str, dict[str, tuple[str, ...]]]:
    """Create bodies' ``<collection>Id`` fields that name a parent entity (``folderId``, ``databaseId``)."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for op in operations:
        behaviour = behaviours[id(op)]
        if behaviour.kind != "create" or behaviour.collection is None:
            continue
        fields: dict[str, tuple[str, ...]] = dict(hooks.parent_fields.get(behaviour.collection, {}))
        for schema in op.body.media.values() if op.body else []:
            for name in property_names(schema, resolve):
                stem = name[:-2].lower() if name.endswith("Id") else ""
                if stem and stem in stateful and stem in top_level and stem != behaviour.collection:
                    fields.setdefault(name, (stem,))
        if fields:
            out[behaviour.collection] = fields
    return out
