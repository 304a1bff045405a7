"""What a platform lifecycle does once triggered: start its job on an entity, and the work of each trigger.

An upload keeps the bytes and starts the file's processing (IFC runs to ``Mapped``, anything else
fails to import); activation switches files and marks the building dirty; a passport request
writes a real PDF or XLSX file (``passports.py``) that becomes ``Uploaded``; a new commodity version
is a copy under a new id. The engine that binds these to a build's operations is ``lifecycle.py``;
the job timelines themselves are ``jobs.py``.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.platform.lifecycles import EntityKind, Lifecycle, Lifecycles
from mockserver.behaviour.call import Call, Refusal
from mockserver.behaviour.entities import (
    _addressed,
    _check_catalogue_refs,
    _check_scope,
    _generated_answer,
    _json,
    _last_path_value,
    _respond_entity,
    _store_entity,
)
from mockserver.behaviour.reference import MISSING
from mockserver.behaviour.runtime import SpecRuntime
from mockserver.platform import downloads, passports
from mockserver.platform.computed import IFC_IMPORT, Computations
from mockserver.platform.jobs import LiveStore, new_job
from mockserver.spec.operations import Operation
from mockserver.spec.problems import MockResponse
from mockserver.state.store import Ref

IFC_MAGIC = b"ISO-10303-21;"
PASSPORT_TYPES = {
    "PassportPdf": ("pdf", passports.PDF_MEDIA),
    "PassportExcel": ("xlsx", passports.XLSX_MEDIA),
}
DOWNLOAD_VALID_FOR = timedelta(hours=1)
Handler = Callable[[Call], MockResponse]


@dataclass
class Bound:
    """An entity kind of the definitions as this spec has it."""

    kind: EntityKind
    collection: str
    key_field: str
    item: Operation  # its item GET, to build the entity's path
    enum: frozenset[str] | None  # the values the lifecycle field may take, when it is an enum


def is_ifc(content: bytes) -> bool:
    """IFC (STEP physical file) content starts with ISO-10303-21; (after an optional BOM)."""
    return content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(IFC_MAGIC)


_DRAWS_LOCK = threading.Lock()


class LifecycleWork:
    """The engine's work on entities (``LifecycleEngine`` binds it and sets these attributes)."""

    runtime: SpecRuntime
    store: LiveStore
    delay: float
    defs: Lifecycles
    bound: dict[str, Bound]
    computed: Computations
    _presets: Operation | None

    def start(
        self,
        lifecycle: Lifecycle,
        bound: Bound,
        entity_id: str,
        variant: str = "default",
        outcome: tuple[Any, ...] = (),
        previous: Ref | None = None,
        work: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        """Start (or restart) the lifecycle on one entity; the entity with its first step applied.
        ``work`` (status, name): the step that does that work as it is reached (``jobs.Work``),
        the last step where the build has no such status."""
        steps = self._steps(lifecycle, bound, variant, outcome)
        if work is not None:
            at = next((s for s in steps if s["status"] == work[0]), steps[-1])
            at["work"] = work[1]
        failure = [{"status": s, "set": {bound.kind.field: s}} for s in self._failures(lifecycle, bound)]
        job = new_job(
            version=self.runtime.version,
            kind=lifecycle.name,
            entity={
                "collection": bound.collection,
                "id": entity_id,
                "path": self.entity_path(bound, entity_id),
            },
            steps=steps,
            failure=failure,
            delay=self.delay,
            started=self.store.clock(),
            previous={"collection": previous[0], "id": previous[1]} if previous else None,
        )
        return self.store.start(job)

    def _allowed(self, bound: Bound, step_set: dict[str, Any]) -> bool:
        value = step_set.get(bound.kind.field)
        return bound.enum is None or not isinstance(value, str) or value in bound.enum

    def _failures(self, lifecycle: Lifecycle, bound: Bound) -> list[str]:
        return [s for s in lifecycle.failure if self._allowed(bound, {bound.kind.field: s})]

    def _steps(
        self, lifecycle: Lifecycle, bound: Bound, variant: str, outcome: tuple[Any, ...]
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for step in lifecycle.variants.get(variant) or lifecycle.steps:
            if step.one_of:
                choices = [c for c in step.one_of if self._allowed(bound, {bound.kind.field: c})]
                choices = choices or self._failures(lifecycle, bound)[:1]
                if not choices:
                    continue
                chosen = self.runtime.rng("outcome", lifecycle.name, *outcome).choice(choices)
                out.append({"status": chosen, "set": {bound.kind.field: chosen}, "previous": {}})
            elif self._allowed(bound, step.set):
                out.append({"status": step.status, "set": dict(step.set), "previous": dict(step.previous)})
        return out or [{"status": lifecycle.steps[-1].status, "set": {}, "previous": {}}]

    def entity_path(self, bound: Bound, entity_id: str) -> str:
        """The GET path of an entity, its parents' ids filled in from the store's links."""
        refs = self.runtime.model.behaviours[id(bound.item)].refs
        values: dict[str, str] = {}
        ref: Ref | None = (bound.collection, entity_id)
        for collection, param in reversed(refs):
            if ref is not None and ref[0] == collection:
                values[param] = ref[1]
                ref = self.store.parent_of(*ref)
        return "/" + "/".join(values.get(s[1:-1], s) if s.startswith("{") else s for s in bound.item.segments)

    def failure_statuses(self, kind: str) -> list[str]:
        """The failure states a job of lifecycle ``kind`` may be forced into, in this build."""
        lifecycle = self.defs.lifecycles.get(kind)
        if lifecycle is None or lifecycle.entity not in self.bound:
            return []
        return self._failures(lifecycle, self.bound[lifecycle.entity])

    def _new_key(self, collection: str, *parts: Any) -> str:
        """A new entity id, deterministic under the seed (the n-th passport of a building, ...).

        Every draw of the same parts is numbered: after a delete the parts (a count of siblings)
        repeat, and the deleted entity's id must not come back (a deleted file answering again)."""
        with _DRAWS_LOCK:
            draws = self.__dict__.setdefault("_draws", {})
            drawn = draws[(collection, *parts)] = draws.get((collection, *parts), 0) + 1
        rng = self.runtime.rng("lifecycle-id", collection, *parts, *(() if drawn == 1 else (drawn,)))
        while True:
            candidate = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if self.store.get(collection, candidate) is None:
                return candidate

    def _names(self, collection: str) -> set[str]:
        return self.runtime.property_names(self.runtime.entity_schema(collection) or {})

    def _save(self, call: Call, bound: Bound, key: str, entity: dict[str, Any]) -> dict[str, Any]:
        parent = self.store.parent_of(bound.collection, key)
        return _store_entity(call, bound.collection, key, entity, parent)

    def _target(self, call: Call, bound: Bound, chain: list[Ref], field: str | None) -> str:
        """The entity the work is on: named by a body field, else the one of the path."""
        if field is not None:
            value = call.body.get(field) if isinstance(call.body, dict) else None
            parent = chain[-1] if chain else None
            if not isinstance(value, str) or self.store.get(bound.collection, value) is None:
                raise Refusal(404, f"{field} '{value}' names no {bound.collection}")
            if parent is not None and self.store.parent_of(bound.collection, value) != parent:
                raise Refusal(404, f"no {bound.collection} '{value}' under {parent[0]} '{parent[1]}'")
            _check_scope(call, [*chain, (bound.collection, value)])
            return value
        found = next((ref[1] for ref in reversed(chain) if ref[0] == bound.collection), None)
        if found is None:
            raise Refusal(404, f"the path names no {bound.collection}")
        return found

    def _work_on_entity(self, lifecycle: Lifecycle, argument: str | None, call: Call) -> MockResponse:
        """setimporting, startrefinement, restartrefinement: (re)start the lifecycle on one entity.
        A body naming databases the platform does not have (restartrefinement) starts nothing."""
        chain, _ = _addressed(call)
        _check_scope(call, chain)
        bound = self.bound[lifecycle.entity]
        _check_catalogue_refs(call, bound.collection)
        target = self._target(call, bound, chain, argument)
        if lifecycle.name == "refinement":  # the elements are mapped again, with the body's databases
            databases = call.body.get("preferredDatabaseIds") if isinstance(call.body, dict) else None
            self.computed.remap((bound.collection, target), databases)
        entity = self.start(lifecycle, bound, target)
        return _generated_answer(call, entity)

    def _upload(self, lifecycle: Lifecycle, argument: str | None, call: Call) -> MockResponse:
        """Keep the bytes, then process: IFC runs to Mapped, anything else fails to import."""
        chain, _ = _addressed(call)
        _check_scope(call, chain)
        bound = self.bound[lifecycle.entity]
        key = self._target(call, bound, chain, None)
        name = _last_path_value(call) or "upload"
        content = call.raw_body
        downloads.save_upload(self.store, (bound.collection, key), name, content)
        entity = self.store.get(bound.collection, key) or {}
        names = self._names(bound.collection)
        entity.update({k: v for k, v in {"fileName": name, "fileSize": len(content)}.items() if k in names})
        entity = self._save(call, bound, key, entity)
        if entity.get("type") == "Information" and "information" in lifecycle.variants:
            variant = "information"
        else:
            variant = "ifc" if is_ifc(content) else "not-ifc"
        digest = hashlib.sha256(content).hexdigest()
        work = (lifecycle.imports_at, IFC_IMPORT) if variant == "ifc" and lifecycle.imports_at else None
        self.computed.uploaded((bound.collection, key), variant)
        entity = self.start(lifecycle, bound, key, variant, outcome=(name, digest), work=work)
        return _generated_answer(call, entity)

    def _activate(self, lifecycle: Lifecycle, argument: str | None, call: Call) -> MockResponse:
        """Switch files on (or off) and mark the building dirty until it has been processed."""
        chain, entity = _addressed(call)
        _check_scope(call, chain)
        bound = self.bound[lifecycle.entity]
        files = self.bound.get("building-file")
        building = self._target(call, bound, chain, None)
        switched: dict[str, Any] | None = None
        if files is not None and chain and chain[-1][0] == files.collection and entity is not None:
            entity["isActive"] = call.body if isinstance(call.body, bool) else True
            switched = self._save(call, files, chain[-1][1], entity)
        elif files is not None and isinstance(call.body, list):
            for file_id in call.body:
                ref = (files.collection, str(file_id))
                found = self.store.get(*ref)
                if found is not None and self.store.parent_of(*ref) == (bound.collection, building):
                    found["isActive"] = True
                    self._save(call, files, ref[1], found)
        self.start(lifecycle, bound, building)
        if switched is not None and call.operation.success().schema is not None:
            return _respond_entity(call, switched)
        return _generated_answer(call, None)

    def _passport(self, lifecycle: Lifecycle, argument: str | None, call: Call) -> MockResponse:
        """A new building file of type PassportPdf/PassportExcel that moves Creating -> Uploaded."""
        chain, building = _addressed(call)
        _check_scope(call, chain)
        bound = self.bound[lifecycle.entity]
        parent = chain[-1]
        file_type = argument or "PassportPdf"
        extension, _media = PASSPORT_TYPES.get(file_type, PASSPORT_TYPES["PassportPdf"])
        order = call.body if isinstance(call.body, dict) else {}
        passport_type = order.get("passportType") if isinstance(order.get("passportType"), str) else None
        building = building or {}
        title = str(building.get("name") or "Building")
        rows = passports.passport_lines(building, passport_type)
        preset = self._preset_name(parent[1], passport_type, order.get("preset"))
        if preset:
            rows.append(("Preset", preset))
        if extension == "pdf":
            content = passports.pdf_bytes(f"Material passport - {title}", rows)
        else:
            content = passports.xlsx_bytes("Passport", rows)
        name = f"{_file_stem(title)} passport.{extension}"
        key = self._new_key(
            bound.collection, "passport", parent[1], len(self.store.list(bound.collection, parent))
        )
        schema = self.runtime.entity_schema(bound.collection) or {}
        entity = self.runtime.entity_template(bound.collection, schema) if schema else {}
        entity = entity if isinstance(entity, dict) else {}
        names = self._names(bound.collection)
        fields = {
            "type": file_type,
            "fileName": name,
            "fileSize": len(content),
            "isActive": False,
            "isDirty": False,
            "tags": [t for t in ("passport", passport_type) if t],
            "lastModifiedDate": _iso(datetime.now(UTC)),
            "buildingId": parent[1],
        }
        entity.update({k: v for k, v in fields.items() if k in names})
        _store_entity(call, bound.collection, key, entity, parent)
        downloads.save_upload(self.store, (bound.collection, key), name, content)
        return _respond_entity(call, self.start(lifecycle, bound, key))

    def _preset_name(self, building_id: str, passport_type: str | None, preset: Any) -> str | None:
        """The name of a preset ``GET /building/{id}/passportpresets/{type}`` lists, if one was asked."""
        op = self._presets
        if op is None or not passport_type or not isinstance(preset, str):
            return None
        names = [p.name for p in op.parameters if p.location == "path"]
        values = dict(zip(names, (building_id, passport_type), strict=False))
        listed = self.runtime.reference_answer(op, values, None)  # the catalogue's presets, if any
        if listed is MISSING:
            listed = self.runtime.generated_response(op, op.success().status, values)
        found = next((p for p in listed or [] if isinstance(p, dict) and p.get("id") == preset), None)
        return str(found.get("name") or "") or None if found else None

    def _new_version(self, lifecycle: Lifecycle, argument: str | None, call: Call) -> MockResponse:
        """A copy under a new id that becomes active while the old version is switched off."""
        chain, old = _addressed(call)
        _check_scope(call, chain)
        bound = self.bound[lifecycle.entity]
        old_key = self._target(call, bound, chain, None)
        siblings = len(self.store.list(bound.collection, self.store.parent_of(bound.collection, old_key)))
        key = self._new_key(bound.collection, "version", old_key, siblings)
        entity = copy.deepcopy(old or {})
        entity[bound.key_field] = key
        _store_entity(call, bound.collection, key, entity, self.store.parent_of(bound.collection, old_key))
        self.start(lifecycle, bound, key, previous=(bound.collection, old_key))
        return _json(call, key)

    def _download(self, bound: Bound, call: Call) -> MockResponse:
        chain, entity = _addressed(call)
        _check_scope(call, chain)
        key = chain[-1][1]
        record = downloads.load(self.store, (bound.collection, key)) or {}
        name = str((entity or {}).get("fileName") or record.get("name") or "file")
        expires = datetime.now(UTC) + DOWNLOAD_VALID_FOR
        value = {
            "url": downloads.url_for(call.base_url, self.runtime.version, key, name, expires=expires),
            "expirationDateTime": _iso(expires),
        }
        schema = call.operation.success().schema
        return _json(call, self.runtime.conform(value, schema, "download") if schema else value)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _file_stem(title: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in " -_." else " " for c in title).strip()
    return " ".join(cleaned.split())[:80] or "Building"
