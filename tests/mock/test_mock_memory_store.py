"""The memory store: CRUD, parent links, cascading deletes, concurrency."""

from __future__ import annotations

import threading

from hypothesis import given
from hypothesis import strategies as st

from mockserver.state.memory_store import MemoryStore


def test_put_get_copy_isolation() -> None:
    store = MemoryStore()
    entity = {"id": "a", "tags": ["x"]}
    store.put("building", "a", entity)
    entity["tags"].append("y")
    got = store.get("building", "a")
    assert got == {"id": "a", "tags": ["x"]}
    got["tags"].clear()
    assert store.get("building", "a") == {"id": "a", "tags": ["x"]}
    assert store.get("building", "b") is None


def test_cascade_delete_and_listing_by_parent() -> None:
    store = MemoryStore()
    store.put("building", "b1", {"id": "b1"})
    store.put("building", "b2", {"id": "b2"})
    store.put("building/files", "f1", {"id": "f1"}, parent=("building", "b1"))
    store.put("building/files", "f2", {"id": "f2"}, parent=("building", "b2"))
    store.put("building/files/elements", "e1", {"id": "e1"}, parent=("building/files", "f1"))
    assert [e["id"] for e in store.list("building/files", ("building", "b1"))] == ["f1"]
    assert [e["id"] for e in store.list("building/files")] == ["f1", "f2"]
    assert store.parent_of("building/files/elements", "e1") == ("building/files", "f1")
    removed = store.delete("building", "b1")
    assert set(removed) == {("building", "b1"), ("building/files", "f1"), ("building/files/elements", "e1")}
    assert store.get("building/files/elements", "e1") is None
    assert store.get("building/files", "f2") == {"id": "f2"}
    assert store.delete("building", "b1") == []


def test_find_and_reset() -> None:
    store = MemoryStore()
    store.put("folder", "1", {"id": "1", "externalId": "ext-1"})
    assert store.find("folder", "externalId", "ext-1") == {"id": "1", "externalId": "ext-1"}
    assert store.find("folder", "externalId", "nope") is None
    store.reset()
    assert store.list("folder") == []


@given(st.lists(st.tuples(st.sampled_from("abcde"), st.sampled_from(["put", "delete"])), max_size=30))
def test_store_matches_a_plain_dict_model(operations: list[tuple[str, str]]) -> None:
    store = MemoryStore()
    model: dict[str, dict] = {}
    for key, action in operations:
        if action == "put":
            store.put("c", key, {"id": key})
            model[key] = {"id": key}
        else:
            assert bool(store.delete("c", key)) == (key in model)
            model.pop(key, None)
    assert sorted(e["id"] for e in store.list("c")) == sorted(model)


def test_concurrent_puts_are_all_kept() -> None:
    store = MemoryStore()
    store.put("building", "root", {"id": "root"})

    def work(n: int) -> None:
        for i in range(50):
            store.put("building/files", f"{n}-{i}", {"id": f"{n}-{i}"}, parent=("building", "root"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.list("building/files", ("building", "root"))) == 400
    assert len(store.delete("building", "root")) == 401
