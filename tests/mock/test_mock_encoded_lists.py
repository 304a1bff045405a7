"""Lists joined from cached encoded entities answer what the decoding path answers, after any writes;
jobs advance from their queue, and an entity without a job costs no job lookup."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver import create_app
from mockserver.platform.jobs import JOBS, LiveStore, new_job
from mockserver.state.encoded import EncodedStore
from mockserver.state.memory_store import MemoryStore
from tests.conftest import real_build
from tests.mock.conftest import WRITE, body_for
from tests.mock.lifecycle_helpers import FakeClock

LIST = "/api/v3.0/building"


class Uncached(MemoryStore):
    """The memory store under another type: ``EncodedStore`` does not trust it, lists decode."""


@pytest.fixture(scope="module")
def spec() -> Any:
    from contracts.spec_loader import load_spec_file

    return load_spec_file(real_build("v3.0", 30855))


def _apps(spec: Any) -> tuple[Any, Any]:
    cached = create_app([spec], store=MemoryStore(), seed=3, admin=False)
    plain = create_app([spec], store=Uncached(), seed=3, admin=False)
    return cached.test_client(), plain.test_client()


def test_only_the_in_memory_store_is_cached(spec: Any) -> None:
    cached, plain = _apps(spec)
    assert cached.application.extensions["mockserver"]["store"].inner.local
    assert not plain.application.extensions["mockserver"]["store"].inner.local
    assert cached.get(LIST, headers=WRITE).data == plain.get(LIST, headers=WRITE).data


writes = st.lists(
    st.tuples(st.sampled_from(["rename", "delete", "list"]), st.integers(0, 3), st.text(max_size=12)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=writes)
def test_a_cached_list_is_byte_for_byte_the_decoded_one_after_any_writes(spec: Any, steps: list) -> None:
    cached, plain = _apps(spec)
    for action, index, name in steps:
        buildings = plain.get(LIST, headers=WRITE).json
        if action != "list" and buildings:
            target = buildings[index % len(buildings)]
            url = f"{LIST}/{target['id']}"
            if action == "rename":
                body = body_for(
                    plain.application,
                    "v3.0",
                    "PUT",
                    "/building/{id}",
                    name=name or "x",
                    folderId=target["folderId"],
                )
                answers = [c.put(url, json=body, headers=WRITE).status_code for c in (cached, plain)]
                assert answers[1] < 300, answers  # the write went through
            else:
                answers = [c.delete(url, headers=WRITE).status_code for c in (cached, plain)]
            assert answers[0] == answers[1]
        mine, theirs = cached.get(LIST, headers=WRITE), plain.get(LIST, headers=WRITE)
        assert mine.status_code == theirs.status_code == 200
        assert mine.data == theirs.data
        assert mine.headers.get("X-Total-Count") == theirs.headers.get("X-Total-Count")


def test_a_new_entity_is_listed_at_once(spec: Any) -> None:
    cached, _ = _apps(spec)
    before = cached.get(LIST, headers=WRITE).json
    folder = before[0]["folderId"]
    body = body_for(cached.application, "v3.0", "POST", "/building", name="Fresh", folderId=folder)
    created = cached.post(LIST, json=body, headers=WRITE)
    assert created.status_code == 201, created.json
    after = cached.get(LIST, headers=WRITE).json
    assert [b["id"] for b in after] == [b["id"] for b in before] + [created.json["id"]]


class Counting(MemoryStore):
    """Counts the job lookups (reads of the job collection) the store is asked for."""

    job_reads = 0

    def get(self, collection: str, entity_id: str) -> dict[str, Any] | None:
        if collection == JOBS:
            Counting.job_reads += 1
        return super().get(collection, entity_id)


def _live(clock: FakeClock, count: int) -> LiveStore:
    inner = EncodedStore(Counting())
    inner.local = True  # Counting is a MemoryStore only this process writes
    store = LiveStore(inner, clock)
    store.track("thing", "id")
    for n in range(count):
        store.put("thing", f"t{n}", {"id": f"t{n}", "status": "idle"})
    return store


def _job(store: LiveStore, entity_id: str, delay: float, started: float) -> None:
    steps = [{"status": s, "set": {"status": s}} for s in ("queued", "running", "done")]
    job = new_job(
        version="v3.0",
        kind="work",
        entity={"collection": "thing", "id": entity_id},
        steps=steps,
        failure=[],
        delay=delay,
        started=started,
    )
    store.start(job)


def test_an_entity_without_a_job_costs_no_job_lookup() -> None:
    store = _live(FakeClock(), 50)
    Counting.job_reads = 0
    store.list("thing")
    store.get("thing", "t7")
    store.find("thing", "id", "t9")
    assert Counting.job_reads == 0


@settings(max_examples=40, deadline=None)
@given(
    delays=st.lists(st.sampled_from([0.0, 1.0, 2.5, 5.0]), min_size=1, max_size=5),
    moves=st.lists(st.floats(0, 6, allow_nan=False), min_size=1, max_size=6),
)
def test_listed_status_follows_the_clock_as_reads_by_id_do(delays: list[float], moves: list[float]) -> None:
    clock = FakeClock()
    store = _live(clock, len(delays) + 3)
    for n, delay in enumerate(delays):
        _job(store, f"t{n}", delay, clock())
    for move in moves:
        clock.advance(move)
        listed = {e["id"]: e["status"] for e in store.list("thing")}
        elapsed = clock() - 1_700_000_000.0
        for n, delay in enumerate(delays):
            step = 2 if delay == 0 else min(2, int(elapsed // delay))
            assert listed[f"t{n}"] == ("queued", "running", "done")[step]
        assert listed[f"t{len(delays)}"] == "idle"  # no job: as stored
    Counting.job_reads = 0
    clock.advance(100)  # every job is done: nothing is left in the queue
    store.list("thing")
    store.list("thing")
    assert Counting.job_reads <= len(delays) * 3  # a job finishing is read a few times, then never
    Counting.job_reads = 0
    store.list("thing")
    assert Counting.job_reads == 0
