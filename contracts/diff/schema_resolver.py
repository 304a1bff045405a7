"""Raw schema dicts of one document turned into ``Schema`` nodes: ``$ref`` followed (cycles kept
as cycles), ``allOf`` merged, nullable folded in, one node per ``$ref``."""

from __future__ import annotations

from contracts.diff.schema import Discriminator, Schema, freeze, merge_into
from contracts.diff.schema_shape import check_shape, place
from contracts.errors import SpecError
from contracts.ref_cycles import alias_cycle, cycle_error, unescape_token

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)
if TYPE_CHECKING:
    from typing import Any

    from contracts.diff.schema_shape import Where


class SchemaResolver:
    """Turns raw schema dicts of one document into ``Schema`` objects, one object per ``$ref``."""

    def __init__(self, doc: dict[str, Any], source: str) -> None:
        self.doc = doc
        self.source = source
        self._by_ref: dict[str, Schema] = {}
        self._in_progress: set[str] = set()
        self.created: list[Schema] = []  # every node built, for contracts.diff.fingerprint
        self._discriminators: list[Discriminator] = []

    # -- references -------------------------------------------------------------------------
    def lookup(self, ref: Any) -> Any:
        """The raw node a local ``$ref`` points at; external references are refused clearly."""
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise SpecError(self.source, f"only local $ref values are supported, got {ref!r}", "$ref")
        node: Any = self.doc
        for raw_part in ref[1:].split("/")[1:] if ref.startswith("#/") else []:
            part = _unescape(raw_part)
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise SpecError(self.source, f"unresolvable $ref {ref!r}", ref)
        return node

    def deref(self, node: Any) -> Any:
        """Follow ``$ref`` chains of non-schema objects (parameters, responses, headers, bodies)."""
        chain: list[str] = []
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in chain:
                raise cycle_error(self.source, [*chain[chain.index(ref) :], ref])
            chain.append(ref)
            node = self.lookup(ref)
        return node

    def ref(self, ref: str) -> Schema:
        known = self._by_ref.get(ref)
        if known is not None:
            return known
        node = self.lookup(ref)
        if isinstance(node, dict) and "$ref" in node:  # an alias: refused if it only leads back
            cycle = alias_cycle(self.doc, ref)
            if cycle is not None:
                raise cycle_error(self.source, cycle)
        schema = Schema()
        self.created.append(schema)
        schema.name = _ref_name(ref)
        self._by_ref[ref] = schema
        self._in_progress.add(ref)
        try:
            self._fill(schema, node, ref)
        finally:
            self._in_progress.discard(ref)
        return schema

    def finish(self) -> None:
        """Resolve the discriminator mappings, once every schema the operations use is built."""
        done = 0
        while done < len(self._discriminators):  # a target may hold a discriminator of its own
            d = self._discriminators[done]
            done += 1
            for value, ref in d.refs.items():
                try:
                    self.lookup(ref)
                except SpecError:
                    continue  # a mapping to nothing (or to another file): nothing to compare
                d.targets[value] = self.ref(ref)

    # -- building ---------------------------------------------------------------------------
    def build(self, node: Any, where: Where = "schema") -> Schema:
        """The resolved schema of ``node``; ``where`` names its place for error messages."""
        if isinstance(node, dict) and "$ref" in node:
            return self.ref(node["$ref"])
        schema = Schema()
        self.created.append(schema)
        self._fill(schema, node, where)
        return schema

    def _fill(self, s: Schema, node: Any, where: Where = "schema") -> None:
        if node is True or node is None:
            return
        if node is False:  # 3.1 "nothing allowed"; rare, kept as an impossible enum
            s.enum = frozenset()
            return
        if not isinstance(node, dict):
            raise SpecError(
                self.source, f"malformed schema: a schema must be a mapping, got {node!r:.60}", place(where)
            )
        check_shape(node, self.source, where)
        present = node.keys() & _READ  # most nodes hold two or three of them: absent ones cost nothing
        if "$ref" in present:
            merge_into(s, self.ref(node["$ref"]))
            return
        if "type" in present:
            raw_type = node["type"]
            if isinstance(raw_type, str):
                s.types = frozenset({raw_type}) - {"null"}
                s.nullable = raw_type == "null"
            elif isinstance(raw_type, list):
                s.types = frozenset(str(t) for t in raw_type) - {"null"}
                s.nullable = "null" in raw_type
        if "nullable" in present and node["nullable"] is True:
            s.nullable = True
        if "format" in present and node["format"] is not None:
            s.format = str(node["format"])
        if "enum" in present and isinstance(node["enum"], list):
            s.enum = frozenset(freeze(v) for v in node["enum"] if v is not None)
            if None in node["enum"]:
                s.nullable = True
        if "const" in present:
            s.enum = frozenset({freeze(node["const"])})
        if "properties" in present and isinstance(node["properties"], dict):
            s.properties = {
                str(k): self.build(v, (where, f".properties.{k}")) for k, v in node["properties"].items()
            }
        if "required" in present and isinstance(node["required"], list):
            s.required = frozenset(str(r) for r in node["required"])
        if "additionalProperties" in present:
            extra = node["additionalProperties"]
            if isinstance(extra, bool):
                s.additional = extra
            elif isinstance(extra, dict):
                s.additional = self.build(extra, (where, ".additionalProperties"))
        if "items" in present:
            s.items = self.build(node["items"], (where, ".items"))
        for key, attr in (("oneOf", "one_of"), ("anyOf", "any_of")):
            if key in present and isinstance(node[key], list):
                setattr(s, attr, [self.build(v, (where, f".{key}[{i}]")) for i, v in enumerate(node[key])])
        if present & _BOUND_KEYS:
            _read_bounds(s, node)
        if present & _FLAGS:
            s.unique_items = node.get("uniqueItems") is True
            s.read_only = node.get("readOnly") is True
            s.write_only = node.get("writeOnly") is True
            s.deprecated = node.get("deprecated") is True
        if "default" in present:
            s.default = freeze(node["default"])
        if "discriminator" in present:
            self._label_variants(s, node["discriminator"])
            self._read_discriminator(s, node["discriminator"])
        if "allOf" in present:
            self._merge_all_of(s, node["allOf"], where)

    def _label_variants(self, s: Schema, disc: Any) -> None:
        if isinstance(disc, dict) and isinstance(disc.get("mapping"), dict):
            targets = {_full_ref(str(ref)): str(value) for value, ref in disc["mapping"].items()}
            for variant in s.one_of + s.any_of:
                for ref, value in targets.items():
                    if self._by_ref.get(ref) is variant:
                        s.variant_labels[id(variant)] = value

    def _read_discriminator(self, s: Schema, disc: Any) -> None:
        if isinstance(disc, dict) and isinstance(disc.get("propertyName"), str):
            raw = disc.get("mapping")
            refs = {str(v): _full_ref(str(r)) for v, r in raw.items()} if isinstance(raw, dict) else {}
            s.discriminator = Discriminator(disc["propertyName"], refs, s)
            self._discriminators.append(s.discriminator)

    def _merge_all_of(self, s: Schema, parts: Any, where: Where) -> None:
        if isinstance(parts, list) and parts:
            built = [self.build(p, (where, f".allOf[{i}]")) for i, p in enumerate(parts)]
            own_nullable = s.nullable
            for part in built:
                merge_into(s, part)
            # OAS 3.0 idiom: {allOf: [$ref], nullable: true} means "nullable reference".
            s.nullable = own_nullable or all(p.nullable for p in built)


def _unescape(part: str) -> str:
    """A JSON pointer segment as a key (percent-decoding only when there is any: urllib costs)."""
    if "%" in part:
        from urllib.parse import unquote

        part = unquote(part)
    return unescape_token(part)  # hand-written for the diff's start-up: see ref_cycles


def _ref_name(ref: str) -> str:
    """A label for a referenced schema: ``Building`` from ``#/components/schemas/Building`` (or
    from ``#/x/schemas~1Building.yaml``, a file placed under a key)."""
    last = _unescape(ref.rsplit("/", 1)[-1])
    last = last.rsplit("/", 1)[-1]
    stem, dot, suffix = last.rpartition(".")
    return stem if dot and suffix.lower() in ("json", "yaml", "yml") else last


def _full_ref(ref: str) -> str:
    return ref if ref.startswith("#") else f"#/components/schemas/{ref}"


_BOUNDS = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_items",
    "maxItems": "max_items",
    "minProperties": "min_properties",
    "maxProperties": "max_properties",
    "multipleOf": "multiple_of",
    "minimum": "minimum",
    "maximum": "maximum",
}
_EXCLUSIVE = {
    "exclusiveMinimum": ("minimum", "exclusive_minimum"),
    "exclusiveMaximum": ("maximum", "exclusive_maximum"),
}
_BOUND_KEYS = frozenset(_BOUNDS) | frozenset(_EXCLUSIVE) | {"pattern"}
_FLAGS = frozenset({"uniqueItems", "readOnly", "writeOnly", "deprecated"})
# Every keyword the diff reads from a schema; SchemaResolver._fill looks at these only.
_READ = (
    frozenset(
        {
            "$ref",
            "type",
            "nullable",
            "format",
            "enum",
            "const",
            "properties",
            "required",
            "additionalProperties",
            "items",
            "oneOf",
            "anyOf",
            "default",
            "discriminator",
            "allOf",
        }
    )
    | _BOUND_KEYS
    | _FLAGS
)


def _read_bounds(s: Schema, node: dict[str, Any]) -> None:
    present = node.keys() & _BOUND_KEYS  # most schemas have none: one set operation
    if not present:
        return
    for key in present & _BOUNDS.keys():
        value = node[key]
        if isinstance(value, int | float) and not isinstance(value, bool):
            setattr(s, _BOUNDS[key], value)
    for key in present & _EXCLUSIVE.keys():
        attr, flag = _EXCLUSIVE[key]
        exclusive = node[key]
        if exclusive is True:
            setattr(s, flag, True)
        elif isinstance(exclusive, int | float) and not isinstance(exclusive, bool):  # OAS 3.1 form
            setattr(s, attr, exclusive)
            setattr(s, flag, True)
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        s.pattern = pattern
