"""What the platform computes from the state, put into the mock's answers.

A value in an answer is what a client sent, the catalogue's, or computed here from the state with
the rules of ``contracts/platform`` (``refinement``, ``figures``, ``bill_of_materials``), never
made up (docs/mock.md, "What the mock computes"):

- as an element is stored: its mapping, phase, classification and shearing layer (refinement);
- as a bill-of-materials child is stored: its quantity type and weight; as the children are read,
  each one's share of their weight;
- as they are read: a file's status counts and message, a file's and a building's validation
  figures (the building's over its active Source files) and a building's circularity;
- an uploaded IFC file's elements, as its job reaches ``imports-at`` (``element_import.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from contracts.platform import bill_of_materials as bom
from contracts.platform import figures
from contracts.platform.ifc_import import load_rules
from contracts.platform.refinement import (
    Mapped,
    Refiner,
    brand_layer_match,
    classification_match,
    phase_match,
)
from mockserver.behaviour.call import Call
from mockserver.behaviour.entities import _addressed, _check_scope, _json
from mockserver.behaviour.handlers import HANDLERS
from mockserver.behaviour.runtime import SpecRuntime
from mockserver.platform.jobs import LiveStore
from mockserver.spec.operations import Operation
from mockserver.spec.problems import MockResponse
from mockserver.state.store import Ref

IFC_IMPORT = "ifc-import"
COMMODITIES = ("commodity", "material", "product")  # where a version keeps the account's commodities
HINTS = ("materialId", "phaseLookup", "classificationLookup", "externalDatabaseId")
"""What an element's create names for refinement (kept per file: its answers need not show them,
or show them in another shape)."""
NOTES = "~file-notes"  # per file: the import's message, the preferred databases its create named
Handler = Callable[[Call], MockResponse]


class Computations:
    """The derived fields of one spec's entities (``LifecycleEngine`` makes one and binds it)."""

    def __init__(self, runtime: SpecRuntime, store: LiveStore, files: str | None, buildings: str | None):
        self.runtime = runtime
        self.store = store
        self.files = files
        self.buildings = buildings
        stateful = runtime.model.stateful
        self.elements = f"{files}/elements" if files and f"{files}/elements" in stateful else None
        self.children = [c for c in stateful if c.endswith("/children") and c.split("/")[0] in COMMODITIES]
        cat = runtime.catalogue
        self._catalogue = {str(c["id"]): c for c in (cat.commodities if cat is not None else [])}
        if self.elements:
            runtime.derivers[self.elements] = self._derive_element
        if files:
            runtime.derivers[files] = self._derive_file
        for collection in self.children:
            runtime.derivers[collection] = self._derive_child
        self._mapping_types = self._enum_of(self.elements, "mapping", "type")

    # -- state -------------------------------------------------------------------------------
    def commodity(self, key: str) -> dict[str, Any] | None:
        """A commodity by id: the catalogue's (in the shape the rules read), else the account's."""
        found = self._catalogue.get(key)
        for collection in COMMODITIES if found is None else ():
            found = self.store.inner.get(collection, key)
            if found is not None:
                return found
        return found

    def elements_of(self, file_ref: Ref) -> list[dict[str, Any]]:
        return self.store.inner.list(self.elements, file_ref) if self.elements else []

    def note(self, file_ref: Ref) -> dict[str, Any]:
        return self.store.inner.get(NOTES, _note_key(file_ref)) or {}

    def set_note(self, file_ref: Ref, **values: Any) -> None:
        self.store.inner.put(NOTES, _note_key(file_ref), {**self.note(file_ref), **values}, file_ref)

    def uploaded(self, file_ref: Ref, variant: str) -> None:
        """A new upload: the previous import's message goes; content that is no IFC says why."""
        message = load_rules().messages.get("not_ifc") if variant == "not-ifc" else None
        self.set_note(file_ref, message=message)

    def refiner(self, file_ref: Ref | None) -> Refiner:
        """Maps elements among the catalogue's and the account's commodities, in the databases the
        file's create preferred."""
        cat = self.runtime.catalogue
        stored = [e for c in COMMODITIES for e in self.store.inner.list(c) if isinstance(e, dict)]
        ids = {str(e.get("id")) for e in stored}
        commodities = [*stored, *(c for k, c in self._catalogue.items() if k not in ids)]
        terms = [
            t
            for c in COMMODITIES
            for t in self.store.inner.list(f"{c}/matches")
            if isinstance(t, dict) and t.get("commodityId")
        ]
        known = {str(t.get("id")) for t in terms}
        terms += [t for t in (cat.matches if cat is not None else []) if str(t.get("id")) not in known]
        note = self.note(file_ref) if file_ref else {}
        known = cat.languages if cat is not None else []
        languages = [x for x in note.get("languages") or () if x[:2].lower() in known] or known
        return Refiner(commodities, terms, note.get("databases") or [], languages)

    # -- derived as stored ---------------------------------------------------------------------
    def _derive_file(
        self, call: Call, key: str, entity: dict[str, Any], parent: Ref | None
    ) -> dict[str, Any]:
        body = call.body if isinstance(call.body, dict) else {}
        if isinstance(body.get("preferredDatabaseIds"), list) and self.files:
            languages = body.get("languages") if isinstance(body.get("languages"), list) else []
            self.set_note(
                (self.files, key),
                databases=[str(d) for d in body["preferredDatabaseIds"]],
                languages=[str(language) for language in languages],
            )
        if "lastModifiedDate" in entity:  # stored now, by the mock's clock
            moment = datetime.fromtimestamp(self.store.clock(), UTC)
            entity["lastModifiedDate"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        return entity

    def _derive_element(
        self, call: Call, key: str, entity: dict[str, Any], parent: Ref | None
    ) -> dict[str, Any]:
        key_field = self.runtime.key_fields.get(self.elements or "") or "id"
        body = call.body
        if isinstance(body, list):  # a batch: the item this element came from
            body = next((i for i in body if isinstance(i, dict) and i.get(key_field) == key), {})
        body = body if isinstance(body, dict) else {}
        hints = {k: body[k] for k in HINTS if body.get(k) is not None}
        if parent is not None and hints:  # answers may not show them: kept for a refinement's remap
            named = dict(self.note(parent).get("hints") or {})
            named[key] = hints
            self.set_note(parent, hints=named)
        return self.derive_element(entity, body, parent)

    def remap(self, file_ref: Ref, databases: Any = None) -> None:
        """A refinement (re)started: map the file's elements again, with the databases its body
        names (``restartrefinement``) or those the file's create preferred."""
        if self.elements is None:
            return
        if isinstance(databases, list):
            self.set_note(file_ref, databases=[str(d) for d in databases])
        named = self.note(file_ref).get("hints") or {}
        key_field = self.runtime.key_fields.get(self.elements) or "id"
        refiner = self.refiner(file_ref)
        for element in self.elements_of(file_ref):
            key = str(element.get(key_field))
            given = named.get(key) or {}
            derived = self.derive_element(element, given, file_ref, refiner)
            stored_id = self.runtime.storage_id(self.elements, key, file_ref)
            self.store.inner.put(self.elements, stored_id, derived, file_ref)

    def derive_element(
        self,
        entity: dict[str, Any],
        given: dict[str, Any],
        file_ref: Ref | None,
        refiner: Refiner | None = None,
    ) -> dict[str, Any]:
        """The element with what refinement gives it; a match that finds nothing leaves the field out."""
        source = {**entity, **given}
        names = self.runtime.property_names(self.runtime.entity_schema(self.elements or "") or {})
        cat = self.runtime.catalogue
        file = self.store.inner.get(*file_ref) if file_ref else None
        mapped = (refiner or self.refiner(file_ref)).map(source)
        derived: dict[str, Any] = {"mapping": self._mapping(mapped)}
        if cat is not None:
            method = (file or {}).get("classificationTypeId")
            derived["phaseMatch"] = phase_match(cat, source.get("phaseLookup"))
            derived["classificationMatch"] = classification_match(
                cat, method, source.get("classificationLookup")
            )
            derived["brandLayerMatch"] = brand_layer_match(cat, source.get("elementClass"))
        for name, value in derived.items():
            if name not in names:
                continue
            if value is None:
                entity.pop(name, None)
            else:
                entity[name] = value
        return entity

    def _mapping(self, mapped: Mapped | None) -> dict[str, Any] | None:
        if mapped is None:
            return None
        commodity = mapped.commodity
        kind = str(commodity.get("commodityType") or "Material")
        unit = str(commodity.get("functionalUnit") or "Quantity")
        options = [kind] if kind == "Material" else [unit, f"{unit}Product", kind]
        allowed = self._mapping_types
        chosen = next((o for o in options if allowed is None or o in allowed), None)
        value = {"id": commodity.get("id")}
        return {**value, "type": chosen} if chosen else value

    def _derive_child(
        self, call: Call, key: str, entity: dict[str, Any], parent: Ref | None
    ) -> dict[str, Any]:
        kind = call.behaviour.action if call.behaviour.action in bom.kinds() else None
        if kind is None:
            if "childId" in entity:  # build 7980: a relation of a value and circular figures
                key = str(entity.get("childId"))
                own = self.store.inner.get("material", key) or self.store.inner.get("product", key)
                body = call.body if isinstance(call.body, dict) else {}
                entity["circular"] = bom.child_circular(body.get("circular"), own)
            return entity
        quantity = entity.get("quantity")
        quantity = (
            float(quantity) if isinstance(quantity, int | float) and not isinstance(quantity, bool) else 0.0
        )
        child = self.commodity(str(entity.get("commodityId")))
        entity["quantityType"] = bom.quantity_type(kind, child)
        entity["weight"] = bom.child_weight(kind, quantity, child)
        for name in ("commodityType", "names"):  # the child commodity's, whatever the template held
            if name in entity and child is not None and child.get(name) is not None:
                entity[name] = child[name]
        return entity

    # -- computed as read ------------------------------------------------------------------------
    def handlers(self, keys: dict[str, Operation], current: dict[int, Handler]) -> dict[int, Handler]:
        """The answers this module computes, by operation (wrapping what answered them before)."""
        own: dict[str, Callable[[Call, Handler], MockResponse]] = {
            "GET /building/{}/files/{}/status": self._file_status,
            "GET /building/{}/files/{}": self._with_file_figures,
            "GET /building/{}/files": self._with_file_figures,
            "GET /building/{}/validation": self._building_validation,
            "GET /building/{}/circular": self._building_circular,
            "GET /commodity/{}/children": self._with_shares,
            "GET /product/{}/{}/children": self._with_shares,
        }
        out: dict[int, Handler] = {}
        for key, answer in own.items():
            op = keys.get(key)
            if op is None or (key.startswith("GET /building") and not self.files):
                continue
            inner = current.get(id(op)) or HANDLERS[self.runtime.model.behaviours[id(op)].kind]
            out[id(op)] = _bind(answer, inner)
        return out

    def _file_ref(self, call: Call) -> tuple[Ref, dict[str, Any]]:
        chain, _ = _addressed(call)
        _check_scope(call, chain)
        ref = next(r for r in reversed(chain) if r[0] == self.files)
        return ref, self.store.get(*ref) or {}

    def _file_status(self, call: Call, inner: Handler) -> MockResponse:
        ref, file = self._file_ref(call)
        value = figures.file_status(file.get("status"), self.elements_of(ref), self.note(ref).get("message"))
        return self._answer(call, {"status": file.get("status"), **value})

    def file_validation(self, ref: Ref) -> dict[str, float]:
        return figures.validation(self.elements_of(ref), _memo(self.commodity))

    def _with_file_figures(self, call: Call, inner: Handler) -> MockResponse:
        response = inner(call)
        value = _body(response)
        listed = value if isinstance(value, list) else [value]
        key_field = self.runtime.key_fields.get(self.files or "") or "id"
        for file in listed:
            if isinstance(file, dict) and isinstance(file.get("validation"), dict):
                figures_now = self.file_validation((str(self.files), str(file.get(key_field))))
                file["validation"] = {k: figures_now.get(k, v) for k, v in file["validation"].items()}
        return _rewrite(response, value)

    def building_elements(self, building: str) -> list[dict[str, Any]]:
        """The elements of the building's active Source files (what its figures are computed over)."""
        out: list[dict[str, Any]] = []
        key_field = self.runtime.key_fields.get(self.files or "") or "id"
        for file in self.store.list(self.files or "", (str(self.buildings), building)):
            if file.get("isActive") and file.get("type") in (None, "Source"):
                out += self.elements_of((str(self.files), str(file.get(key_field))))
        return out

    def _building(self, call: Call) -> str:
        chain, _ = _addressed(call)
        _check_scope(call, chain)
        return next(r[1] for r in reversed(chain) if r[0] == self.buildings)

    def _building_validation(self, call: Call, inner: Handler) -> MockResponse:
        elements = self.building_elements(self._building(call))
        return self._answer(call, figures.validation(elements, _memo(self.commodity)))

    def _building_circular(self, call: Call, inner: Handler) -> MockResponse:
        elements = self.building_elements(self._building(call))
        return self._answer(call, figures.circularity(elements, _memo(self.commodity)))

    def _with_shares(self, call: Call, inner: Handler) -> MockResponse:
        response = inner(call)
        value = _body(response)
        if isinstance(value, list):
            children = [c for c in value if isinstance(c, dict) and "weightPercentage" in c]
            weights = [float(c.get("weight") or 0) for c in children]
            for child, share in zip(children, bom.percentages(weights), strict=True):
                child["weightPercentage"] = share
        return _rewrite(response, value)

    def _answer(self, call: Call, value: dict[str, Any]) -> MockResponse:
        schema = call.operation.success().schema
        if schema is None:
            return MockResponse(int(call.operation.success().status))
        names = self.runtime.property_names(schema)
        shaped = {k: v for k, v in value.items() if k in names}
        return _json(call, self.runtime.conform(shaped, schema, "computed", call.operation.label))

    def _enum_of(self, collection: str | None, field: str, member: str) -> frozenset[str] | None:
        rt = self.runtime
        schema = rt._raw_resolve(rt.entity_schema(collection) or {}) if collection else {}
        prop = rt._raw_resolve((schema.get("properties") or {}).get(field) or {})
        sub = rt._raw_resolve((prop.get("properties") or {}).get(member) or {})
        values = sub.get("enum")
        return frozenset(str(v) for v in values) if values else None


def _bind(answer: Callable[[Call, Handler], MockResponse], inner: Handler) -> Handler:
    return lambda call: answer(call, inner)


def _note_key(file_ref: Ref) -> str:
    return f"{file_ref[0]}|{file_ref[1]}"


def _memo(lookup: Callable[[str], dict[str, Any] | None]) -> Callable[[str], dict[str, Any] | None]:
    seen: dict[str, dict[str, Any] | None] = {}

    def find(key: str) -> dict[str, Any] | None:
        if key not in seen:
            seen[key] = lookup(key)
        return seen[key]

    return find


def _body(response: MockResponse) -> Any:
    if response.status != 200 or not response.body:
        return None
    try:
        return json.loads(response.body)
    except ValueError:
        return None


def _rewrite(response: MockResponse, value: Any) -> MockResponse:
    if value is not None:
        response.body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return response
