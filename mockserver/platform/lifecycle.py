"""Plays the platform's lifecycles (``contracts/platform/data/lifecycles.yaml``) for one spec.

The engine binds the definitions to the operations a build has (keyed ``METHOD /path/{}``) and
answers them in place of the derived behaviour: an upload stores the bytes and starts the file's
processing, refinement and activation start their jobs, a passport request creates a building
file that becomes ``Uploaded``, adding elements to a file that is not importing is refused. The
statuses come from the data, filtered to the enum each build declares. This module binds, guards
and serves the files; what each lifecycle does once triggered is ``lifecycle_work.py``, and jobs
are timelines kept in the store (``mockserver.platform.jobs``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from contracts.platform.lifecycles import Guard, Lifecycles, load_lifecycles, operation_key, path_key
from mockserver.behaviour.call import FIXTURE, Call, Refusal
from mockserver.behaviour.entities import _addressed, _check_scope
from mockserver.behaviour.handlers import HANDLERS
from mockserver.behaviour.runtime import SpecRuntime
from mockserver.platform import downloads
from mockserver.platform.computed import Computations
from mockserver.platform.element_import import ElementImport
from mockserver.platform.jobs import LiveStore
from mockserver.platform.lifecycle_work import PASSPORT_TYPES, Bound, Handler, LifecycleWork
from mockserver.platform.owned_fields import bind_owned_fields, building_database_handlers
from mockserver.spec.operations import Operation
from mockserver.spec.problems import MockResponse

PRESETS = "GET /building/{}/passportpresets/{}"  # the presets a passport request may name


class LifecycleEngine(LifecycleWork):
    """The lifecycles bound to one spec's operations: ``handlers`` answer them in place of the
    derived behaviour; what each does once triggered is ``LifecycleWork``."""

    def __init__(
        self,
        runtime: SpecRuntime,
        store: LiveStore,
        processing_delay: float,
        definitions: Lifecycles | None = None,
    ) -> None:
        self.runtime = runtime
        self.store = store
        self.delay = processing_delay
        self.defs = definitions or load_lifecycles()
        self.bound: dict[str, Bound] = {}
        self.handlers: dict[int, Handler] = {}
        self._bind()
        files, buildings = self.bound.get("building-file"), self.bound.get("building")
        self.computed = Computations(
            runtime, store, files.collection if files else None, buildings.collection if buildings else None
        )
        ElementImport(self.computed)
        bind_owned_fields(runtime)
        keys = {operation_key(op.method, op.template): op for op in runtime.operations}
        self.handlers.update(self.computed.handlers(keys, self.handlers))
        self.handlers.update(building_database_handlers(runtime, store, keys, self.handlers))

    # -- binding ---------------------------------------------------------------------------
    def _bind(self) -> None:
        rt = self.runtime
        items: dict[str, tuple[str, Operation]] = {}
        for op in rt.operations:
            behaviour = rt.model.behaviours[id(op)]
            if op.method == "GET" and behaviour.kind == "read" and behaviour.collection in rt.model.stateful:
                items[path_key(op.template)] = (behaviour.collection, op)
        for name, kind in self.defs.entities.items():
            if kind.path in items:
                collection, item = items[kind.path]
                key_field = rt.key_fields.get(collection) or "id"
                self.bound[name] = Bound(
                    kind, collection, key_field, item, self._enum(collection, kind.field)
                )
                self.store.track(collection, key_field)
        keys = {operation_key(op.method, op.template): op for op in rt.operations}
        self._presets = keys.get(PRESETS)
        for key, op in keys.items():
            handler = self._handler_for(key, op, keys)
            if handler is not None:
                self.handlers[id(op)] = handler

    def _handler_for(self, key: str, op: Operation, keys: dict[str, Operation]) -> Handler | None:
        """What answers ``op`` in place of its derived behaviour: its lifecycle's work, or the
        derived behaviour behind a guard, or both (a guard stands in front of the work)."""
        work = self._work_for(key, op)
        guard = next(
            (
                g
                for g in self.defs.guards
                if key in g.operations and g.entity in self.bound and (g.only_if is None or g.only_if in keys)
            ),
            None,
        )
        if guard is None:
            return work
        inner = work or HANDLERS[self.runtime.model.behaviours[id(op)].kind]
        found = self.defs.trigger(key)
        named_by = found[1] if found is not None and found[0].name not in WORK else None  # a body field
        return partial(self._guarded, guard, inner, named_by)

    def _work_for(self, key: str, op: Operation) -> Handler | None:
        behaviour = self.runtime.model.behaviours[id(op)]
        found = self.defs.trigger(key)
        if found is not None and found[0].entity in self.bound:
            lifecycle, argument = found
            work = WORK.get(lifecycle.name, LifecycleEngine._work_on_entity)
            return partial(work, self, lifecycle, argument)
        for bound in self.bound.values():
            if bound.kind.download == key:
                return partial(self._download, bound)
            has_defaults = bound.kind.on_create or bound.kind.fixture
            if behaviour.kind == "create" and behaviour.collection == bound.collection and has_defaults:
                return partial(self._create, bound)
        return None

    def _enum(self, collection: str, field: str) -> frozenset[str] | None:
        rt = self.runtime
        schema = rt._raw_resolve(rt.entity_schema(collection) or {})
        for part in [schema, *(schema.get("allOf") or [])]:
            prop = (rt._raw_resolve(part).get("properties") or {}).get(field)
            if prop is not None:
                prop = rt._raw_resolve(prop)
                for option in [prop, *(prop.get("allOf") or [])]:
                    values = rt._raw_resolve(option).get("enum")
                    if values:
                        return frozenset(str(v) for v in values)
        return None

    def _guarded(self, guard: Guard, inner: Handler, named_by: str | None, call: Call) -> MockResponse:
        """Refuse the operation while the entity is in a state the guard refuses, before anything
        starts (fixtures are not refused); else ``inner`` answers it. The entity is the one the
        path names, or the one the body's ``named_by`` field names (``restartrefinement``)."""
        if call.instance != FIXTURE:
            chain, _ = _addressed(call)
            _check_scope(call, chain)
            bound = self.bound[guard.entity]
            ref = next((r for r in reversed(chain) if r[0] == bound.collection), None)
            if ref is None and named_by is not None and isinstance(call.body, dict) and chain:
                key = call.body.get(named_by)
                named = (bound.collection, self.runtime.storage_id(bound.collection, str(key), chain[-1]))
                ref = named if self.store.parent_of(*named) == chain[-1] else None  # else inner's 404
            entity = self.store.get(*ref) if ref is not None else None
            if entity is not None and ref is not None:
                value = entity.get(bound.kind.field)
                children = f"{bound.collection}/{guard.unless_children}" if guard.unless_children else None
                held = children is not None and self.store.count(children, ref) > 0
                if guard.refuses(value, held):
                    _check_scope(call, [*chain, ref])
                    raise Refusal(
                        guard.status(call.operation.responses), _refusal(bound, ref[1], value, guard)
                    )
        return inner(call)

    def _create(self, bound: Bound, call: Call) -> MockResponse:
        """Creates start in the state the definitions give; fixtures start as already processed,
        unless the fixture itself says otherwise (a recorded or hand-written account keeps its states)."""
        body = call.body if isinstance(call.body, dict) else {}
        if call.instance == FIXTURE:
            call.body = {**bound.kind.fixture, **body}
        else:
            call.body = {**body, **bound.kind.on_create}
        return HANDLERS["create"](call)

    # -- the served files ------------------------------------------------------------------
    def resolve_download(self, file_id: str) -> downloads.Download | str:
        """The bytes behind a download URL, or why there are none (yet)."""
        bound = next((b for b in self.bound.values() if b.kind.download), None)
        if bound is None:
            return "this version has no downloadable files"
        entity = self.store.get(bound.collection, file_id)
        if entity is None:
            return f"no {bound.collection} '{file_id}'"
        record = downloads.load(self.store, (bound.collection, file_id))
        if record is None:
            return f"nothing was uploaded to {bound.collection} '{file_id}'"
        media = downloads.OCTET
        if entity.get("type") in PASSPORT_TYPES:
            done = self.defs.lifecycles["passport"].steps[-1].status
            if entity.get(bound.kind.field) != done:
                return f"the passport is not ready: {entity.get(bound.kind.field)}, not {done}"
            media = PASSPORT_TYPES[entity["type"]][1]
        return downloads.Download(
            str(record.get("name") or "file"),
            media,
            downloads.content_of(record),
            (bound.collection, file_id),
        )


WORK: dict[str, Callable[..., MockResponse]] = {
    "file-processing": LifecycleEngine._upload,
    "activation": LifecycleEngine._activate,
    "passport": LifecycleEngine._passport,
    "commodity-version": LifecycleEngine._new_version,
}
"""Lifecycles whose start needs more than (re)starting the steps on the entity the path names."""


def _refusal(bound: Bound, key: str, value: Any, guard: Guard) -> str:
    what = f"{bound.kind.name.replace('-', ' ')} '{key}' is {value}"
    if guard.why and value in guard.refused:
        return f"{what}: {guard.why}"
    opener = guard.only_if or "its lifecycle"
    return f"{what}: it accepts this only while {' or '.join(guard.allowed)} (open it with {opener})"
