"""Lists joined from cached encoded entities, and reads by id from a cached answer, answer what the
decoding path answers after any writes, on the memory store and on a sqlite file another app (as
another process would) writes too; jobs advance from their queue, and an entity without a job
costs no job lookup."""

from __future__ import annotations

import io
import json
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver import create_app
from mockserver.platform.jobs import JOBS, LiveStore, new_job
from mockserver.state.encoded import EncodedStore, Listing, joined
from mockserver.state.memory_store import MemoryStore
from mockserver.state.sqlite_store import SqliteStore
from tests.conftest import real_build
from tests.mock.conftest import WRITE, body_for
from tests.mock.lifecycle_helpers import FakeClock

LIST = "/api/v3.0/building"


class Uncached(MemoryStore):
    """The memory store without its change counter: ``EncodedStore`` cannot trust a cache, answers decode."""

    generation = None


@pytest.fixture(scope="module")
def spec() -> Any:
    from contracts.spec_loader import load_spec_file

    return load_spec_file(real_build("v3.0", 30855))


def _apps(spec: Any, kind: str = "memory") -> tuple[Any, Any]:
    store = MemoryStore() if kind == "memory" else SqliteStore(Path(tempfile.mkdtemp()) / "state.db")
    cached = create_app([spec], store=store, seed=3, admin=False)
    plain = create_app([spec], store=Uncached(), seed=3, admin=False)
    return cached.test_client(), plain.test_client()


def _same_answers(mine: Any, theirs: Any) -> None:
    """The list and every building by id: the same status, bytes and paging headers."""
    for url in [LIST, *(f"{LIST}/{b['id']}" for b in theirs.get(LIST, headers=WRITE).json)]:
        a, b = mine.get(url, headers=WRITE), theirs.get(url, headers=WRITE)
        assert a.status_code == b.status_code == 200, url
        assert a.data == b.data, url
        assert a.headers.get("X-Total-Count") == b.headers.get("X-Total-Count")


def test_only_a_store_counting_its_changes_is_cached(spec: Any) -> None:
    cached, plain = _apps(spec)
    assert cached.application.extensions["mockserver"]["store"].inner._generation is not None
    assert plain.application.extensions["mockserver"]["store"].inner._generation is None
    assert cached.get(LIST, headers=WRITE).data == plain.get(LIST, headers=WRITE).data


writes = st.lists(
    st.tuples(st.sampled_from(["rename", "delete", "list"]), st.integers(0, 3), st.text(max_size=12)),
    min_size=1,
    max_size=8,
)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=writes)
def test_cached_answers_are_byte_for_byte_the_decoded_ones_after_any_writes(
    spec: Any, kind: str, steps: list
) -> None:
    cached, plain = _apps(spec, kind)
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
        _same_answers(cached, plain)


def test_a_write_through_another_app_on_the_sqlite_file_is_answered_at_once(
    spec: Any, tmp_path: Path
) -> None:
    """Two stores on one file (two connections, as two processes would have): the reader's cached
    list and read by id follow the other's rename, create and delete."""
    path = tmp_path / "shared.db"
    reader = create_app([spec], store=SqliteStore(path), seed=3, admin=False).test_client()
    writer = create_app([spec], store=SqliteStore(path), seed=3, admin=False).test_client()
    before = reader.get(LIST, headers=WRITE).json
    target = before[0]
    url = f"{LIST}/{target['id']}"
    assert reader.get(url, headers=WRITE).json["name"] == target["name"]  # both answers cached now
    body = body_for(writer.application, "v3.0", "PUT", "/building/{id}", name="Renamed elsewhere")
    assert writer.put(url, json={**body, "folderId": target["folderId"]}, headers=WRITE).status_code < 300
    assert reader.get(url, headers=WRITE).json["name"] == "Renamed elsewhere"
    assert reader.get(LIST, headers=WRITE).json[0]["name"] == "Renamed elsewhere"
    made = writer.post(LIST, json={**body, "folderId": target["folderId"]}, headers=WRITE)
    assert made.status_code == 201, made.json
    assert [b["id"] for b in reader.get(LIST, headers=WRITE).json][-1] == made.json["id"]
    assert writer.delete(url, headers=WRITE).status_code < 300
    assert reader.get(url, headers=WRITE).status_code == 404
    assert target["id"] not in [b["id"] for b in reader.get(LIST, headers=WRITE).json]


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


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_read_by_id_is_shaped_once_per_change_of_its_collection(
    spec: Any, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached, _ = _apps(spec, kind)
    runtime = cached.application.extensions["mockserver"]["runtimes"]["v3.0"]
    shaped: list[Any] = []
    original = runtime.shape
    monkeypatch.setattr(runtime, "shape", lambda value, *rest: shaped.append(value) or original(value, *rest))
    target = cached.get(LIST, headers=WRITE).json[0]
    url = f"{LIST}/{target['id']}"
    first = cached.get(url, headers=WRITE).data
    assert len(shaped) == 1
    assert cached.get(url, headers=WRITE).data == first and len(shaped) == 1  # the kept bytes
    body = body_for(cached.application, "v3.0", "PUT", "/building/{id}", name="Changed")
    assert cached.put(url, json={**body, "folderId": target["folderId"]}, headers=WRITE).status_code < 300
    shaped.clear()
    assert cached.get(url, headers=WRITE).json["name"] == "Changed" and len(shaped) == 1


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_an_unchanged_list_answers_one_joined_copy_until_a_write(spec: Any, kind: str) -> None:
    """The whole list is joined once per change of the collection and every answer shares it; a
    page of it, a write and the uncached path still answer what the decoding path answers."""
    cached, plain = _apps(spec, kind)
    store = cached.application.extensions["mockserver"]["store"]
    wsgi = cached.application.wsgi_app

    def body() -> bytes:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": LIST,
            "QUERY_STRING": "",
            "HTTP_HOST": "localhost",
            "HTTP_X_API_KEY": WRITE["X-API-Key"],
            "wsgi.url_scheme": "http",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "wsgi.input": io.BytesIO(b""),
        }
        return b"".join(wsgi(environ, lambda status, headers: None))

    first, again = body(), body()
    assert first is again  # the one joined copy, not a join per request
    listings = [v[1] for v in store.inner._cached.values() if isinstance(v[1], Listing)]
    assert len(listings) == 1 and listings[0].answer(0, len(listings[0])) is listings[0].answer(0, 10**9)
    assert listings[0].answer(1, 2) == joined(listings[0][1:2])
    assert first == plain.get(LIST, headers=WRITE).data
    target = plain.get(LIST, headers=WRITE).json[0]
    for client in (cached, plain):
        assert client.delete(f"{LIST}/{target['id']}", headers=WRITE).status_code < 300
    after = body()
    assert after != first and after == plain.get(LIST, headers=WRITE).data


def test_a_crowd_finding_a_list_stale_builds_it_once() -> None:
    """Threads that find a list stale at once wait for one build and share its entries."""
    store = EncodedStore(MemoryStore())
    for n in range(20):
        store.put("thing", f"t{n}", {"id": f"t{n}"})
    builds: list[int] = []
    gate = threading.Barrier(8)

    def build(entities: list[dict[str, Any]], places: Any) -> list[tuple[str, bytes, None]]:
        builds.append(len(entities))
        time.sleep(0.05)  # long enough for the others to arrive while it runs
        return [(e["id"], json.dumps(e).encode(), None) for e in entities]

    def read(_: int) -> Any:
        gate.wait()
        return store.entries("thing", None, "shape", build)

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(read, range(8)))
    assert builds == [20]
    assert all(g is got[0] for g in got)
    assert got[0].answer(0, 20) == json.dumps([{"id": f"t{n}"} for n in range(20)]).encode()
    store.put("thing", "t0", {"id": "t0", "changed": True})
    assert store.entries("thing", None, "shape", build) is not got[0] and builds == [20, 1]
