"""Everything the mock precomputes for one spec: schemas, validators, operations, derived model.

Built once by ``create_app``; requests only look things up here. Generated responses are cached
per (operation, path values), so fixtures and system lists cost one dict lookup after the first hit.
"""

from __future__ import annotations

import copy
import json
import random
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from contracts.platform.catalogue import Catalogue, load_catalogue
from mockserver.behaviour.reference import MISSING, declared_only, view_for
from mockserver.spec.generate import Generator
from mockserver.spec.leniency import lenient_variant
from mockserver.spec.operations import Operation, compile_operations
from mockserver.spec.schemas import SchemaSet
from mockserver.state import resources

CACHE_SIZE = 4096


class SpecRuntime:
    def __init__(self, doc: dict[str, Any], version: str, build: str | None, seed: int) -> None:
        self.doc = doc
        self.version = version
        self.build = build
        self.seed = seed
        self.catalogue: Catalogue | None = load_catalogue(version)
        self.swagger = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        self.schemas = SchemaSet.shared(doc, self.swagger)
        self.generator = Generator(self.schemas)
        self.operations: list[Operation] = compile_operations(doc, version, self.schemas)
        self.model = resources.derive(self.operations, self._raw_resolve)
        self._generated: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._templates: dict[str, str] = {}
        self.key_fields = {c: self._key_field(c) for c in self.model.stateful}
        self.key_schemas = self._key_schemas()
        self.keyed_by_parent = self._client_keyed_children()
        self.account_id = self._account_id()
        self.lifecycle: Any = None  # the LifecycleEngine create_app attaches
        # collection -> what the platform derives on an entity before it is stored (the platform's
        # computations attach them: an element's mapping, a child's weight); fixtures are kept as given
        self.derivers: dict[str, Callable[[Any, str, dict[str, Any], Any], dict[str, Any]]] = {}
        self.lenient = True  # shape entities as the platform does (create_app: not under strict)
        self.list_plans: dict[int, Any] = {}  # id(operation) -> what its encoded list needs (reads)

    # -- schemas -------------------------------------------------------------------------
    def _raw_resolve(self, schema: Any) -> Any:
        return self.schemas.raw(schema)

    def converted(self, schema: dict[str, Any], response: bool = True) -> Any:
        return self.schemas.converted(schema, response)

    def property_names(self, schema: Any) -> set[str]:
        return resources.property_names(schema, self._raw_resolve)

    def entity_schema(self, collection: str) -> dict[str, Any] | None:
        """The schema stored entities of ``collection`` follow: its item GET, else its create response."""
        op = self.model.entity_ops.get(collection)
        schema = op.success().schema if op is not None else None
        if schema is not None:  # an item GET answering a one-entity array (v3.0 material matches)
            resolved = self._raw_resolve(schema)
            if isinstance(resolved, dict) and resolved.get("type") == "array":
                items = resolved.get("items")
                schema = items if isinstance(items, dict) else None
        if schema is None and collection in self.model.list_ops:  # entities only ever shown in a list
            listed = self._raw_resolve(self.model.list_ops[collection].success().schema or {})
            items = listed.get("items") if isinstance(listed, dict) else None
            schema = items if isinstance(items, dict) else None
        return schema

    def _key_field(self, collection: str) -> str | None:
        param = self.model.id_params.get(collection, "id")
        names = self.property_names(self.entity_schema(collection) or {})
        if param in names:
            return param
        return "id" if "id" in names else None

    def _key_schemas(self) -> dict[str, dict[str, Any]]:
        """The path parameter schema that addresses one entity of each stateful collection."""
        out: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            refs = self.model.behaviours[id(op)].refs
            if refs and refs[-1][0] in self.model.stateful and op.segments[-1] == "{" + refs[-1][1] + "}":
                param = next(
                    (p for p in op.parameters if p.location == "path" and p.name == refs[-1][1]), None
                )
                if param is not None:
                    out.setdefault(refs[-1][0], param.schema)
        return out

    def _client_keyed_children(self) -> set[str]:
        """Child collections whose create body may choose the key (element ids, lca iso codes).

        Their keys are unique per parent, not globally: two files may both hold element "E1",
        and a token scoped to one building learns nothing about another through a 409.
        """
        out: set[str] = set()
        for op in self.operations:
            behaviour = self.model.behaviours[id(op)]
            collection = behaviour.collection
            if behaviour.kind != "create" or op.body is None or not self.model.parents.get(collection or ""):
                continue
            key_field = self.key_fields.get(collection or "")
            if key_field and any(key_field in self.property_names(s) for s in op.body.media.values()):
                out.add(collection or "")
        return out

    def storage_id(self, collection: str, key: str, parent: tuple[str, str] | None) -> str:
        """The id an entity is stored under: its key, qualified by its parent's for ``keyed_by_parent``."""
        if parent is not None and collection in self.keyed_by_parent:
            return f"{parent[1]}/{key}"
        return key

    # -- generated values ------------------------------------------------------------------
    def rng(self, *parts: Any) -> random.Random:
        return random.Random("|".join([str(self.seed), *map(str, parts)]))

    def generate(self, schema: dict[str, Any], *parts: Any) -> Any:
        return self.generator.value(self.converted(schema), self.rng(*parts))

    def conform(self, value: Any, schema: dict[str, Any], *parts: Any) -> Any:
        """``value`` if it validates against the (response) schema, else the closest valid value."""
        return self.shape(value, schema, *parts)[0]

    def shape(self, value: Any, schema: dict[str, Any], *parts: Any) -> tuple[Any, bool]:
        """``conform``, and whether the answer needed the platform's ``unsatisfiable-allof`` leniency.

        A v4.0 product or material cannot validate against its published union (the spec's
        ``allOf`` + ``additionalProperties: false`` defect): the platform answers it whole, so
        it is shaped to the repaired branch its ``commodityType`` names, not cut down to the
        base (unless ``lenient`` is off: ``--strict``).
        """
        validator = self.schemas.validator(schema, response=True)
        if validator.is_valid(value):
            return value, False
        if isinstance(value, dict) and (self._raw_resolve(schema) or {}).get("type") == "array":
            return self.shape([value], schema, *parts)  # one entity answered as a one-entry array
        variant = lenient_variant(self, schema, value) if self.lenient else None
        if variant is not None:
            shaped = variant.conform(copy.deepcopy(value), self.rng("conform", variant.name, *parts))
            return shaped, not validator.is_valid(shaped)
        return self.generator.conform(
            copy.deepcopy(value), self.converted(schema), self.rng("conform", *parts)
        ), False

    def entity_template(self, collection: str, schema: dict[str, Any], body: Any = None) -> Any:
        """A fresh copy of the generated defaults new entities of ``collection`` start from.

        Generated once per collection (deterministic with the seed); creates only pay for a JSON
        round trip, then the request's data and the new key go on top. Text and list fields the
        schema lets be null start as null: a field a client did not set has no value on the
        platform either, not a made-up one.
        """
        lenient = lenient_variant(self, schema, body) if self.lenient else None
        variant = self._variant(schema, body) if lenient is None else lenient.branch
        name = collection if variant is schema else f"{collection}#{variant['$ref']}"
        text = self._templates.get(name)
        if text is None:
            if lenient is not None:  # the fields of a Product or Material: what a client did not set is null
                generated = self._unset(lenient.generate(self.rng("entity", name)), variant, kinds=None)
            else:
                generated = self._unset(self.generate(variant, "entity", name), variant)
            text = json.dumps(generated)
            self._templates[name] = text
        return json.loads(text)

    def _variant(self, schema: dict[str, Any], body: Any) -> dict[str, Any]:
        """The ``oneOf`` alternative a discriminated body names (a Material or a Product), else ``schema``:
        one template for all alternatives would carry fields that only fit another one."""
        resolved = self._raw_resolve(schema)
        discriminator = resolved.get("discriminator") if isinstance(resolved, dict) else None
        if not isinstance(discriminator, dict) or not isinstance(body, dict):
            return schema
        target = (discriminator.get("mapping") or {}).get(body.get(discriminator.get("propertyName")))
        return {"$ref": target} if isinstance(target, str) else schema

    def _unset(
        self, value: Any, schema: Any, depth: int = 0, kinds: tuple[str, ...] | None = ("string", "array")
    ) -> Any:
        """``value`` with its nullable members of ``kinds`` (None: any) null (an object left empty is ``{}``)."""
        if not isinstance(value, dict) or depth > 8:
            return value
        properties: dict[str, Any] = {}
        pending = [schema]
        while pending:
            part = self._raw_resolve(pending.pop())
            if isinstance(part, dict):
                for name, sub in (part.get("properties") or {}).items():
                    properties.setdefault(name, sub)
                pending += [
                    *(part.get("allOf") or []),
                    *(part.get("oneOf") or []),
                    *(part.get("anyOf") or []),
                ]
        out: dict[str, Any] = {}
        for name, member in value.items():
            sub = self._raw_resolve(properties.get(name))
            unset = (
                isinstance(sub, dict) and sub.get("nullable") and (kinds is None or sub.get("type") in kinds)
            )
            if unset:
                out[name] = None
            elif kinds is None and isinstance(sub, dict) and _is_map(sub):
                out[name] = {}  # a dictionary (material families) holds what the client put in it
            else:
                out[name] = self._unset(member, properties.get(name), depth + 1, kinds)
        return out if any(v is not None for v in out.values()) else {}

    def generated_response(self, op: Operation, status: str, values: dict[str, str]) -> Any:
        """The deterministic body for a generated (not stored) response, cached."""
        key = (f"{op.method} {op.template} {status}", json.dumps(values, sort_keys=True))
        with self._lock:
            if key in self._generated:
                self._generated.move_to_end(key)
                return self._generated[key]
        spec = op.responses.get(status)
        value = None
        if spec is not None and spec.schema is not None:  # what no client set is null where it may be
            value = self._unset(self.generate(spec.schema, *key), spec.schema)
        with self._lock:
            self._generated[key] = value
            while len(self._generated) > CACHE_SIZE:
                self._generated.popitem(last=False)
        return value

    def reference_answer(self, op: Operation, values: dict[str, str], language: str | None) -> Any:
        """The catalogue's answer to a reference endpoint, shaped for its schema; MISSING if none."""
        view = view_for(op.method, op.segments[2:]) if self.catalogue is not None else None
        schema = op.success().schema
        if view is None or schema is None:
            return MISSING
        lang = (language or "").split(",", 1)[0].strip().lower()[:2]
        key = (f"catalogue {op.method} {op.template}", json.dumps([values, lang], sort_keys=True))
        with self._lock:
            if key in self._generated:
                return self._generated[key]
        assert self.catalogue is not None
        value = view(self.catalogue, values, lang or None)
        if value is not MISSING:
            value = declared_only(copy.deepcopy(value), schema, self._raw_resolve)
            value = self.conform(value, schema, "reference", op.template)
        with self._lock:
            self._generated[key] = value
        return value

    def _account_id(self) -> str | None:
        account = self.catalogue.account if self.catalogue is not None else None
        if account is not None and any(op.segments[2:] == ["account"] for op in self.operations):
            return str(account["id"])
        for op in self.operations:
            if op.method == "GET" and op.segments[2:] == ["account"]:
                body = self.generated_response(op, op.success().status, {})
                if isinstance(body, dict) and isinstance(body.get("id"), str):
                    return body["id"]
        return None


def _is_map(schema: dict[str, Any]) -> bool:
    """An object schema that declares no properties, only the type of its values."""
    return not schema.get("properties") and isinstance(schema.get("additionalProperties"), dict)


def create_operation(runtime: SpecRuntime, collection: str) -> Any:
    """The operation that creates entities of ``collection`` (its POST), if the spec has one."""
    model = runtime.model
    return next(
        (
            o
            for o in runtime.operations
            if model.behaviours[id(o)].kind == "create" and model.behaviours[id(o)].collection == collection
        ),
        None,
    )
