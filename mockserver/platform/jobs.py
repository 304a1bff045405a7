"""Long-running work as timelines kept in the StateStore, played out lazily when entities are read.

Why timelines and not a worker thread: a job is stored once (start time, steps, delay per step) and
its current step is *computed* from the clock whenever its entity is read or listed, then written
onto the entity. Nothing runs in the background, so several mock processes on one sqlite file and
a restarted mock all see the same status at the same moment, and a job survives a restart.

``LiveStore`` wraps the app's store and does that catching-up on every ``get``, ``list`` and
``find`` of a tracked collection, so every reader (operations, fixtures, admin) sees the present.
Jobs hang below their entity in the store, so deleting the entity deletes its job.

What catching up costs follows what is running, not what is read: on a store only this process
writes, the jobs with a step still to apply wait in a queue ordered by when that step is due, a
list applies the due ones first and an entity without such a job is read as stored. A store other
processes write (a shared sqlite file) may hold jobs this process never saw: there a list reads
the jobs once and catches up only those behind the clock, and a read looks its entity's job up.
"""

from __future__ import annotations

import contextlib
import heapq
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from mockserver.state.store import Gone, Ref, StateStore

JOBS = "~jobs"
_NAMESPACE = uuid.UUID("6f1d1c52-52f5-4c59-9a8e-7f0f3c1f2b11")
Clock = Callable[[], float]
Work = Callable[[dict[str, Any], dict[str, Any]], "dict[str, Any] | None"]
"""The work a step does as it is reached (the IFC import): given the job and its entity (which it
may change), None when it went through, else the failure (``{"status", "set"}``) the job ends in."""


def job_id(collection: str, entity_id: str) -> str:
    """One job per entity (new work replaces the old), so its id follows from the entity."""
    return str(uuid.uuid5(_NAMESPACE, f"{collection}|{entity_id}"))


def new_job(
    *,
    version: str,
    kind: str,
    entity: dict[str, str],
    steps: list[dict[str, Any]],
    failure: list[dict[str, Any]],
    delay: float,
    started: float,
    previous: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A job record: ``steps`` are ``{"status", "set", "previous"}``, step 0 applies at ``started``."""
    return {
        "id": job_id(entity["collection"], entity["id"]),
        "version": version,
        "kind": kind,
        "entity": entity,
        "steps": steps,
        "failure": failure,
        "failureStatuses": [f["status"] for f in failure],
        "previous": previous,
        "started": started,
        "delay": max(0.0, float(delay)),
        "applied": -1,
        "finished": False,
        "failed": None,
        "failedApplied": False,
    }


def position(job: dict[str, Any], now: float) -> int:
    """The index of the step the job is at, from the clock."""
    last = len(job["steps"]) - 1
    if job["failed"] is not None:  # a forced failure freezes the timeline where it was
        return max(0, job["applied"])
    if job["finished"] or job["delay"] <= 0:
        return last
    return max(0, min(last, int((now - job["started"]) // job["delay"])))


def pending(job: dict[str, Any]) -> bool:
    """Whether the job still has a step (or a forced failure) to put on its entity."""
    if job["failed"] is not None:
        return not job["failedApplied"]
    return job["applied"] < len(job["steps"]) - 1


def next_due(job: dict[str, Any]) -> float:
    """When the job's next change is due (a forced failure or finish: at once)."""
    if job["failed"] is not None or job["finished"] or job["delay"] <= 0:
        return float("-inf")
    return job["started"] + (job["applied"] + 1) * job["delay"]


def state_of(job: dict[str, Any], now: float) -> str:
    if job["failed"] is not None:
        return "failed"
    index = position(job, now)
    if index < len(job["steps"]) - 1:
        return "running"
    return "failed" if job["steps"][index]["status"] in job["failureStatuses"] else "done"


def describe(job: dict[str, Any], now: float) -> dict[str, Any]:
    """What ``GET /__mock/jobs`` shows for one job."""
    state = state_of(job, now)
    index = position(job, now)
    running = state == "running"
    status = job["failed"]["status"] if job["failed"] is not None else job["steps"][index]["status"]
    return {
        "id": job["id"],
        "version": job["version"],
        "kind": job["kind"],
        "entity": job["entity"],
        "status": status,
        "next": job["steps"][index + 1]["status"] if running else None,
        "due": round(job["started"] + (index + 1) * job["delay"], 3) if running else None,
        "state": state,
    }


class LiveStore:
    """A StateStore whose tracked collections are brought up to date with their jobs when read."""

    def __init__(self, inner: StateStore, clock: Clock = time.time) -> None:
        self.inner = inner
        self.clock = clock
        self._tracked: dict[str, str] = {}  # collection -> key field
        self.workers: dict[str, Work] = {}  # "version:work" -> what a step naming ``work`` does
        self._lock = threading.RLock()
        self.local = bool(getattr(inner, "local", False))
        """Only this process writes ``inner``: the queue below knows every job with work left."""
        self._due: list[tuple[float, str, Ref]] = []  # (when, job id, entity): a heap
        self._pending: dict[Ref, str] = {}  # entity -> its job with work left
        if self.local:
            for job in inner.list(JOBS):  # a store handed over with jobs in it
                self._schedule(job)

    def track(self, collection: str, key_field: str) -> None:
        self._tracked[collection] = key_field

    # -- StateStore ------------------------------------------------------------------------
    def get(self, collection: str, entity_id: str) -> dict[str, Any] | None:
        entity = self.inner.get(collection, entity_id)
        tracked = entity is not None and collection in self._tracked
        if tracked and (not self.local or (collection, entity_id) in self._pending):
            entity = self._catch_up(collection, entity_id, entity)  # type: ignore[arg-type]
        return entity

    def put(self, collection: str, entity_id: str, entity: dict[str, Any], parent: Ref | None = None) -> None:
        self.inner.put(collection, entity_id, entity, parent)

    def delete(self, collection: str, entity_id: str) -> list[Ref]:
        removed = self.inner.delete(collection, entity_id)
        with self._lock:
            for ref in removed:
                self._pending.pop(ref, None)  # its job went with it; the queue's entry is skipped
        return removed

    def list(
        self, collection: str, parent: Ref | None = None, *, offset: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        self.advance(collection)
        return self.inner.list(collection, parent, offset=offset, limit=limit)

    def count(self, collection: str, parent: Ref | None = None) -> int:
        return self.inner.count(collection, parent)  # a step changes fields, not what is listed

    def entries(self, collection: str, parent: Ref | None, shape: Any, build: Any) -> Any:
        """``EncodedStore.entries`` of the present: due jobs applied first (None: not cached)."""
        entries = getattr(self.inner, "entries", None)
        if entries is None:
            return None
        self.advance(collection)
        return entries(collection, parent, shape, build)

    def find(self, collection: str, field: str, value: Any) -> dict[str, Any] | None:
        self.advance(collection)
        entity = self.inner.find(collection, field, value)
        key_field = self._tracked.get(collection)
        if entity is None or key_field is None or self.local:
            return entity
        return self._catch_up(collection, str(entity.get(key_field)), entity)

    def parent_of(self, collection: str, entity_id: str) -> Ref | None:
        return self.inner.parent_of(collection, entity_id)

    def reset(self) -> None:
        with self._lock:
            self.inner.reset()
            self._due, self._pending = [], {}

    def __len__(self) -> int:
        return len(self.inner)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> Any:  # close() and whatever else the inner store offers
        return getattr(self.inner, name)

    # -- catching up ---------------------------------------------------------------------
    def advance(self, collection: str) -> None:
        """Apply what is due before ``collection`` is listed: the queue's due jobs (any
        collection's: they are due anyway) on a local store, else the stored jobs behind the clock."""
        if collection not in self._tracked:
            return
        now = self.clock()
        if not self.local:
            for job in self.inner.list(JOBS):
                ref = (job["entity"]["collection"], job["entity"]["id"])
                if ref[0] == collection and self._behind(job, now):
                    entity = self.inner.get(*ref)
                    if entity is not None:
                        self._catch_up(ref[0], ref[1], entity)
            return
        if not self._due or self._due[0][0] > now:
            return
        with self._lock:
            due = []
            while self._due and self._due[0][0] <= now:  # taken first: a job put back is not redone now
                due.append(heapq.heappop(self._due))
            for _, identifier, ref in due:
                if self._pending.get(ref) != identifier:
                    continue  # replaced, finished or deleted since it was queued
                entity = self.inner.get(*ref)
                if entity is None:
                    self._pending.pop(ref, None)
                    continue
                self._catch_up(ref[0], ref[1], entity)
                job = self.inner.get(JOBS, identifier)
                if job is not None and pending(job):  # not moved on (the clock at a step's edge)
                    heapq.heappush(self._due, (next_due(job), identifier, ref))

    @staticmethod
    def _behind(job: dict[str, Any], now: float) -> bool:
        return pending(job) and (job["failed"] is not None or position(job, now) > job["applied"])

    def _schedule(self, job: dict[str, Any]) -> None:
        """Queue the job's next change, or forget the job once it has none left."""
        ref = (job["entity"]["collection"], job["entity"]["id"])
        with self._lock:
            if pending(job):
                self._pending[ref] = job["id"]
                heapq.heappush(self._due, (next_due(job), job["id"], ref))
            elif self._pending.get(ref) == job["id"]:
                del self._pending[ref]

    # -- jobs ------------------------------------------------------------------------------
    def start(self, job: dict[str, Any]) -> dict[str, Any]:
        """Store a job (replacing the entity's previous one) and apply its first step now."""
        ref = (job["entity"]["collection"], job["entity"]["id"])
        with self._lock:
            self.inner.put(JOBS, job["id"], job, ref)
            if self.local:
                self._schedule(job)
            entity = self.inner.get(*ref)
            return self._catch_up(ref[0], ref[1], entity) if entity is not None else {}

    def jobs(self) -> list[dict[str, Any]]:
        """Every job, each brought up to date first."""
        out = []
        for job in self.inner.list(JOBS):
            out.append(self.job(job["id"]) or job)
        return out

    def job(self, identifier: str) -> dict[str, Any] | None:
        job = self.inner.get(JOBS, identifier)
        if job is None:
            return None
        self.get(job["entity"]["collection"], job["entity"]["id"])
        return self.inner.get(JOBS, identifier)

    def finish(self, identifier: str) -> dict[str, Any] | None:
        """Jump a job to its last step (a failed job stays failed)."""
        return self._change(identifier, lambda job: job.update(finished=True))

    def fail(self, identifier: str, failure: dict[str, Any]) -> dict[str, Any] | None:
        """Force one of the job's failure states onto its entity."""
        return self._change(identifier, lambda job: job.update(failed=failure, failedApplied=False))

    def _change(self, identifier: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
        with self._lock:
            job = self.inner.get(JOBS, identifier)
            if job is None:
                return None
            self.get(job["entity"]["collection"], job["entity"]["id"])  # catch up to now first
            job = self.inner.get(JOBS, identifier) or job
            if job["failed"] is None:
                change(job)
                ref = (job["entity"]["collection"], job["entity"]["id"])
                self.inner.put(JOBS, identifier, job, ref)
                if self.local:
                    self._schedule(job)
            return self.job(identifier)

    def _catch_up(self, collection: str, entity_id: str, entity: dict[str, Any]) -> dict[str, Any]:
        job = self.inner.get(JOBS, job_id(collection, entity_id))
        if job is None:
            if self.local:
                with self._lock:
                    self._pending.pop((collection, entity_id), None)
            return entity
        now = self.clock()
        target = position(job, now)
        if job["applied"] >= target and (job["failed"] is None or job["failedApplied"]):
            return entity
        with self._lock:
            job = self.inner.get(JOBS, job["id"])  # another thread may have caught up meanwhile
            current = self.inner.get(collection, entity_id)
            if job is None or current is None:
                return entity
            for index in range(job["applied"] + 1, target + 1):
                step = job["steps"][index]
                failure = self._work(job, step, current)
                if failure is not None:  # the step's work failed: the job ends in that failure
                    job.update(failed=failure, failedApplied=False)
                    break
                current.update(step["set"])
                if step.get("previous") and job.get("previous"):
                    self._set_previous(job["previous"], step["previous"])
                job["applied"] = index
            if job["failed"] is not None and not job["failedApplied"]:
                current.update(job["failed"]["set"])
                job["failedApplied"] = True
            ref = (collection, entity_id)
            try:  # only while it exists: a read racing a delete must not bring the entity back
                self.inner.update(collection, entity_id, current, self.inner.parent_of(*ref))
            except Gone:
                return entity
            self.inner.put(JOBS, job["id"], job, ref)
            if self.local:
                self._schedule(job)
            return current

    def _work(
        self, job: dict[str, Any], step: dict[str, Any], entity: dict[str, Any]
    ) -> dict[str, Any] | None:
        name = step.get("work")
        worker = self.workers.get(f"{job['version']}:{name}") if name else None
        return worker(job, entity) if worker is not None else None

    def _set_previous(self, previous: dict[str, str], values: dict[str, Any]) -> None:
        ref = (previous["collection"], previous["id"])
        entity = self.inner.get(*ref)
        if entity is not None:
            entity.update(values)
            with contextlib.suppress(Gone):  # deleted meanwhile: nothing to mark
                self.inner.update(ref[0], ref[1], entity, self.inner.parent_of(*ref))
