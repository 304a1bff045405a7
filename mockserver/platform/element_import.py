"""The IFC import of an uploaded file, as the step of its processing job that does it.

Why a job step (``jobs.Work``) and not the upload request: the platform imports in the background,
so the elements appear once the file's job reaches ``imports-at`` (``Imported``), and an IFC file
that cannot be read fails there, after ``Importing``. The bytes are read with
``contracts.platform.ifc_import`` (IfcOpenShell); each element becomes an entity of the file's
elements (its GlobalId as id), refined as any stored element is (``computed.py``). A new import
replaces the elements of the file's previous one.
"""

from __future__ import annotations

from typing import Any

from contracts.platform.ifc_import import ElementRecord, import_ifc
from mockserver.platform import downloads
from mockserver.platform.computed import IFC_IMPORT, Computations
from mockserver.state.store import Ref


class ElementImport:
    """Runs the import for the jobs of one spec (registered as ``version:ifc-import`` work)."""

    def __init__(self, computed: Computations) -> None:
        self.computed = computed
        self.store = computed.store
        self.store.workers[f"{computed.runtime.version}:{IFC_IMPORT}"] = self.run

    def run(self, job: dict[str, Any], file: dict[str, Any]) -> dict[str, Any] | None:
        """Import the file's upload; None when it went through, else the failure the job ends in."""
        ref: Ref = (job["entity"]["collection"], job["entity"]["id"])
        record = downloads.load(self.store, ref)
        result = import_ifc(downloads.content_of(record) if record is not None else b"")
        self.computed.set_note(ref, message=result.message)
        if not result.ok:
            failures = job.get("failure") or []
            return failures[0] if failures else None
        self.replace(ref, result.elements)
        return None

    def replace(self, ref: Ref, records: tuple[ElementRecord, ...]) -> None:
        """The file's elements become ``records`` (stored straight away: no request is handling them)."""
        computed, rt, inner = self.computed, self.computed.runtime, self.store.inner
        collection = computed.elements
        if collection is None:
            return
        key_field = rt.key_fields.get(collection) or "id"
        for old in inner.list(collection, ref):
            inner.delete(collection, rt.storage_id(collection, str(old.get(key_field)), ref))
        computed.set_note(ref, hints={})  # what the old elements named goes with them
        schema = rt.entity_schema(collection) or {}
        names = rt.property_names(schema)
        refiner = computed.refiner(ref)
        for record in records:
            entity = rt.entity_template(collection, schema)
            entity = entity if isinstance(entity, dict) else {}
            fields = record.fields()
            entity.update({k: v for k, v in fields.items() if k in names})
            for name in {"buildingFileId", "fileId"} & names:
                entity[name] = ref[1]
            for name in ("phaseLookup", "classificationLookup", "externalDatabaseId"):
                entity.pop(name, None)  # an IFC file's elements name none of them
            entity = computed.derive_element(entity, {}, ref, refiner)
            entity = rt.conform(entity, schema, collection, record.id)
            entity[key_field] = record.id
            inner.put(collection, rt.storage_id(collection, record.id, ref), entity, ref)
