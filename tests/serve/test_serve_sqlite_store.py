"""The sqlite state store: StateStore behaviour, persistence, threads, processes, bad files."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from contracts.errors import ContractsError
from mockserver.state.sqlite_store import SqliteStore


@pytest.fixture
def store(tmp_path: Path):
    s = SqliteStore(tmp_path / "state.db")
    yield s
    s.close()


def test_put_get_replace_and_creation_order(store: SqliteStore) -> None:
    store.put("building", "b1", {"id": "b1", "name": "one"})
    store.put("building", "b2", {"id": "b2", "name": "two"})
    store.put("building", "b1", {"id": "b1", "name": "one again"})
    assert store.get("building", "b1") == {"id": "b1", "name": "one again"}
    assert store.get("building", "missing") is None
    assert store.get("folder", "b1") is None
    assert [e["name"] for e in store.list("building")] == ["one again", "two"]


def test_returned_entities_are_copies(store: SqliteStore) -> None:
    store.put("building", "b1", {"id": "b1", "tags": ["a"]})
    got = store.get("building", "b1")
    got["tags"].append("changed")
    assert store.get("building", "b1") == {"id": "b1", "tags": ["a"]}


def test_children_listing_parent_links_and_cascading_delete(store: SqliteStore) -> None:
    store.put("building", "b1", {"id": "b1"})
    store.put("building", "b2", {"id": "b2"})
    store.put("building/files", "f1", {"id": "f1"}, parent=("building", "b1"))
    store.put("building/files", "f2", {"id": "f2"}, parent=("building", "b2"))
    store.put("building/files/elements", "e1", {"id": "e1"}, parent=("building/files", "f1"))
    assert [e["id"] for e in store.list("building/files", parent=("building", "b1"))] == ["f1"]
    assert [e["id"] for e in store.list("building/files")] == ["f1", "f2"]
    assert store.parent_of("building/files/elements", "e1") == ("building/files", "f1")
    assert store.parent_of("building", "b1") is None

    removed = store.delete("building", "b1")
    assert removed[0] == ("building", "b1")
    assert set(removed) == {("building", "b1"), ("building/files", "f1"), ("building/files/elements", "e1")}
    assert store.get("building/files/elements", "e1") is None
    assert [e["id"] for e in store.list("building/files")] == ["f2"]
    assert store.delete("building", "b1") == []


def test_put_moves_an_entity_to_a_new_parent(store: SqliteStore) -> None:
    store.put("folder", "a", {"id": "a"})
    store.put("folder", "b", {"id": "b"})
    store.put("building", "x", {"id": "x"}, parent=("folder", "a"))
    store.put("building", "x", {"id": "x"}, parent=("folder", "b"))
    assert store.list("building", parent=("folder", "a")) == []
    store.delete("folder", "b")
    assert store.get("building", "x") is None


def test_find_compares_json_values_exactly(store: SqliteStore) -> None:
    store.put("building", "b1", {"id": "b1", "externalId": "ext-1", "count": 1, "flag": True})
    store.put("building", "b2", {"id": "b2", "externalId": "1", "count": True, "flag": None})
    assert store.find("building", "externalId", "ext-1")["id"] == "b1"
    assert store.find("building", "externalId", "1")["id"] == "b2"
    assert store.find("building", "externalId", 1) is None
    assert store.find("building", "count", 1)["id"] == "b1"
    assert store.find("building", "count", True)["id"] == "b2"
    assert store.find("building", "flag", None)["id"] == "b2"
    assert store.find("building", 'we"ird', "x") is None
    assert store.find("folder", "externalId", "ext-1") is None


def test_reset_forgets_everything(store: SqliteStore) -> None:
    store.put("building", "b1", {"id": "b1"})
    store.put("building/files", "f1", {"id": "f1"}, parent=("building", "b1"))
    store.reset()
    assert store.list("building") == [] and store.list("building/files") == []
    assert len(store) == 0


def test_state_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = SqliteStore(path)
    first.put("building", "b1", {"id": "b1", "name": "kept"})
    first.put("building/files", "f1", {"id": "f1"}, parent=("building", "b1"))
    first.close()
    second = SqliteStore(path)
    assert second.get("building", "b1") == {"id": "b1", "name": "kept"}
    assert second.parent_of("building/files", "f1") == ("building", "b1")
    second.close()


def test_many_threads_write_and_read_at_once(store: SqliteStore) -> None:
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for n in range(40):
                store.put("building", f"{worker}-{n}", {"id": f"{worker}-{n}", "worker": worker})
                assert store.get("building", f"{worker}-{n}")["worker"] == worker
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({e["id"] for e in store.list("building")}) == 8 * 40


def _write_from_process(path: str, worker: int, count: int) -> None:
    store = SqliteStore(path)
    for n in range(count):
        store.put("building", f"b{worker}-{n}", {"id": f"b{worker}-{n}", "worker": worker})
        store.put(
            "building/files",
            f"f{worker}-{n}",
            {"id": f"f{worker}-{n}"},
            parent=("building", f"b{worker}-{n}"),
        )
    store.delete("building", f"b{worker}-0")
    store.close()


def test_several_processes_write_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    SqliteStore(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_from_process, args=(str(path), w, 30)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
    assert [p.exitcode for p in workers] == [0, 0, 0, 0]
    store = SqliteStore(path)
    buildings = {e["id"] for e in store.list("building")}
    files = {e["id"] for e in store.list("building/files")}
    assert buildings == {f"b{w}-{n}" for w in range(4) for n in range(1, 30)}
    assert files == {f"f{w}-{n}" for w in range(4) for n in range(1, 30)}
    store.close()


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContractsError, match="is a directory"):
        SqliteStore(tmp_path)


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContractsError, match="does not exist"):
        SqliteStore(tmp_path / "nope" / "state.db")


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some text, long enough to look like a header of something " * 10)
    with pytest.raises(ContractsError, match="cannot use it"):
        SqliteStore(path)
    assert path.read_text().startswith("just some text")


@pytest.mark.parametrize("user_version", [0, 2, 7])
def test_another_applications_database_is_refused_and_left_byte_for_byte(
    tmp_path: Path, user_version: int
) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
        conn.execute("INSERT INTO invoices VALUES (42)")
        conn.execute(f"PRAGMA user_version = {user_version}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ContractsError, match="tables the mock does not write \\(invoices\\)"):
        SqliteStore(path)
    assert path.read_bytes() == before  # no WAL switch: header bytes 18-19 still say rollback journal
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


ids = st.sampled_from(["a", "b", "c", "d"])
collections = st.sampled_from(["building", "building/files", "folder"])


class StoreMatchesModel(RuleBasedStateMachine):
    """Random operation sequences give what a plain dict model predicts."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.mkdtemp()
        self.store = SqliteStore(Path(self.folder) / "model.db")
        self.entities: dict[tuple[str, str], dict] = {}
        self.parents: dict[tuple[str, str], tuple[str, str] | None] = {}

    @rule(
        collection=collections,
        entity_id=ids,
        value=st.integers(0, 3),
        parent=st.none() | st.tuples(collections, ids),
    )
    def put(self, collection, entity_id, value, parent) -> None:
        ref = (collection, entity_id)
        if parent == ref:
            return
        self.store.put(collection, entity_id, {"id": entity_id, "value": value}, parent=parent)
        self.entities[ref] = {"id": entity_id, "value": value}
        self.parents[ref] = parent

    @rule(collection=collections, entity_id=ids)
    def delete(self, collection, entity_id) -> None:
        expected: list[tuple[str, str]] = []
        if (collection, entity_id) in self.entities:
            pending = [(collection, entity_id)]
            while pending:
                ref = pending.pop()
                if ref in expected:
                    continue
                expected.append(ref)
                pending.extend(r for r, p in self.parents.items() if p == ref and r in self.entities)
        removed = self.store.delete(collection, entity_id)
        assert set(removed) == set(expected)
        for ref in expected:
            self.entities.pop(ref, None)
            self.parents.pop(ref, None)

    @rule(collection=collections, value=st.integers(0, 3))
    def find(self, collection, value) -> None:
        found = self.store.find(collection, "value", value)
        matching = [e for (c, _), e in self.entities.items() if c == collection and e["value"] == value]
        assert (found is None) == (not matching)
        if found is not None:
            assert found in matching

    @invariant()
    def same_content(self) -> None:
        for collection in ("building", "building/files", "folder"):
            stored = {e["id"]: e for e in self.store.list(collection)}
            assert stored == {i: e for (c, i), e in self.entities.items() if c == collection}
        for ref, parent in self.parents.items():
            assert self.store.parent_of(*ref) == parent

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)


TestStoreMatchesModel = StoreMatchesModel.TestCase
TestStoreMatchesModel.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)
