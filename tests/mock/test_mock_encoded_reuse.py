"""A list rebuilt after a write reuses the entries of the entities the write left as they were: the
answer is still byte for byte the decoding path's (and ``json.dumps`` of the decoded list), on the
memory store and on a sqlite file other stores write too, and only new or changed entities are
encoded again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver import create_app
from mockserver.behaviour import reads
from mockserver.state.encoded import EncodedStore, Listing
from mockserver.state.memory_store import MemoryStore
from mockserver.state.sqlite_store import SqliteStore
from tests.conftest import real_build
from tests.mock.conftest import WRITE, body_for

LIST = "/api/v3.0/building"


class Decoding:
    """Another app's view of the same memory store without its change counter: it answers by decoding."""

    def __init__(self, inner: MemoryStore) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        if name in ("generation", "stored"):
            raise AttributeError(name)
        return getattr(self._inner, name)

    def __len__(self) -> int:
        return sum(len(texts) for texts in self._inner._entities.values())


class DecodingSqlite(SqliteStore):
    """A connection to the same file without the change counter: an app on it answers by decoding."""

    generation = None


@pytest.fixture(scope="module")
def spec() -> Any:
    from contracts.spec_loader import load_spec_file

    return load_spec_file(real_build("v3.0", 30855))


class Apps:
    """The app under test (cached), one answering the same store by decoding (plain), one more app
    writing the same store (another thread's app; on sqlite another connection, as another process),
    and the raw store below them all."""

    def __init__(self, spec: Any, kind: str, folder: Path) -> None:
        if kind == "memory":
            self.raw: Any = MemoryStore()
            plain, other = Decoding(self.raw), self.raw
        else:
            path = folder / "state.db"
            self.raw = SqliteStore(path)
            plain, other = DecodingSqlite(path), SqliteStore(path)
        self.cached = create_app([spec], store=self.raw, seed=3, admin=False).test_client()
        self.plain = create_app([spec], store=plain, seed=3, admin=False).test_client()
        self.other = create_app([spec], store=other, seed=3, admin=False).test_client()
        self.encoded: EncodedStore = self.cached.application.extensions["mockserver"]["store"].inner

    def listing(self) -> Listing:
        found = [v[1] for k, v in self.encoded._cached.items() if k[0] == "list" and k[1] == "building"]
        assert len(found) == 1
        return found[0]  # type: ignore[no-any-return]

    def listed(self) -> bytes:
        answer = self.cached.get(LIST, headers=WRITE)
        assert answer.status_code == 200
        return answer.data


def _body(client: Any, method: str, suffix: str, name: str, folder: str) -> Any:
    return body_for(client.application, "v3.0", method, suffix, name=name, folderId=folder)


def _corrupt(raw: Any, building_id: str) -> None:
    """Store the building as no answer may show it (its required field of the wrong type), below
    the app: its list entry is conformed, with values seeded by its place in the list."""
    entity = raw.get("building", building_id)
    raw.put(
        "building",
        building_id,
        {**entity, "materialClassificationTypeId": 5},
        raw.parent_of("building", building_id),
    )


steps = st.lists(
    st.tuples(
        st.sampled_from(["create", "put", "delete", "corrupt", "list"]),
        st.integers(0, 7),
        st.booleans(),  # through the other app
    ),
    min_size=1,
    max_size=10,
)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_a_list_after_any_writes_is_the_decoded_one_and_reuses_what_no_write_touched(
    spec: Any, kind: str, tmp_path_factory: pytest.TempPathFactory, steps: list
) -> None:
    apps = Apps(spec, kind, tmp_path_factory.mktemp("state"))
    corrupt: set[str] = set()
    folder = json.loads(apps.listed())[0]["folderId"]
    for action, index, through_other in steps:
        apps.listed()
        before = {key: body for key, body in apps.listing()}
        ids = list(before)
        target = ids[index % len(ids)] if ids else None
        writer = apps.other if through_other else apps.cached
        if action == "create":
            made = writer.post(LIST, json=_body(writer, "POST", "/building", "New", folder), headers=WRITE)
            assert made.status_code == 201, made.json
        elif action == "put" and target is not None:
            body = _body(writer, "PUT", "/building/{id}", f"Renamed {index}", folder)
            assert writer.put(f"{LIST}/{target}", json=body, headers=WRITE).status_code < 300
            corrupt.discard(target)
        elif action == "delete" and target is not None:
            assert writer.delete(f"{LIST}/{target}", headers=WRITE).status_code < 300
            corrupt.discard(target)
        elif action == "corrupt" and target is not None:
            _corrupt(apps.raw, target)
            corrupt.add(target)
        answer = apps.listed()
        assert answer == apps.plain.get(LIST, headers=WRITE).data  # what the decoding path answers
        if not corrupt:  # every building valid as stored: answered as stored
            assert answer == json.dumps(apps.raw.list("building"), ensure_ascii=False).encode()
        touched = {target} if action in ("put", "delete", "corrupt") else set()
        for key, body in apps.listing():
            if key in before and key not in touched | corrupt:
                assert body is before[key], (action, key)  # the entry of the unchanged entity, kept


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_one_put_encodes_one_entity_for_the_next_list(
    spec: Any, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apps = Apps(spec, kind, tmp_path)
    folder = json.loads(apps.listed())[0]["folderId"]
    for n in range(6):
        assert (
            apps.cached.post(
                LIST, json=_body(apps.cached, "POST", "/building", f"B{n}", folder), headers=WRITE
            ).status_code
            == 201
        )
    apps.listed()
    before = list(apps.listing())
    encoded: list[Any] = []
    original = reads._encoded
    monkeypatch.setattr(reads, "_encoded", lambda value: encoded.append(value) or original(value))
    target = before[3][0]
    body = _body(apps.cached, "PUT", "/building/{id}", "Changed", folder)
    assert apps.cached.put(f"{LIST}/{target}", json=body, headers=WRITE).status_code < 300
    answer = json.loads(apps.listed())
    assert [e["name"] for e in encoded] == ["Changed"]  # the one changed building, nothing else
    assert answer[3]["name"] == "Changed" and [b["id"] for b in answer] == [e[0] for e in before]
    after = apps.listing()
    assert all(a[1] is b[1] for a, b in zip(after, before, strict=True) if a[0] != target)
    assert after[3][1] is not before[3][1]
    made = apps.cached.post(LIST, json=_body(apps.cached, "POST", "/building", "Last", folder), headers=WRITE)
    encoded.clear()
    assert [b["id"] for b in json.loads(apps.listed())][-1] == made.json["id"]
    assert [e["name"] for e in encoded] == ["Last"]


def test_a_write_of_another_connection_to_the_sqlite_file_is_listed_at_once(
    spec: Any, tmp_path: Path
) -> None:
    """A row written by a store that knows nothing of the cache (as another process's): seen by the
    next list, byte for byte the decoded rows, the other rows' entries kept."""
    apps = Apps(spec, "sqlite", tmp_path)
    apps.listed()
    before = list(apps.listing())
    elsewhere = SqliteStore(tmp_path / "state.db")
    entity = elsewhere.get("building", before[1][0])
    elsewhere.put(
        "building",
        before[1][0],
        {**entity, "name": "Elsewhere"},
        elsewhere.parent_of("building", before[1][0]),
    )
    answer = apps.listed()
    assert json.loads(answer)[1]["name"] == "Elsewhere"
    assert answer == json.dumps(elsewhere.list("building"), ensure_ascii=False).encode()
    after = apps.listing()
    assert [a[1] is b[1] for a, b in zip(after, before, strict=True)] == [i != 1 for i in range(len(before))]
    elsewhere.delete("building", before[0][0])
    assert [b["id"] for b in json.loads(apps.listed())] == [e[0] for e in before[1:]]
    assert apps.listing()[0][1] is after[1][1]
    elsewhere.close()


def test_a_conformed_entry_is_built_again_when_its_place_changes(spec: Any, tmp_path: Path) -> None:
    """An entity conformed to the answer's schema gets values seeded by its place: after a delete
    before it, it is answered as the decoding path answers it at its new place."""
    apps = Apps(spec, "memory", tmp_path)
    ids = [b["id"] for b in json.loads(apps.listed())]
    _corrupt(apps.raw, ids[-1])
    first = json.loads(apps.listed())[-1]
    assert apps.cached.delete(f"{LIST}/{ids[0]}", headers=WRITE).status_code < 300
    answer = apps.listed()
    assert answer == apps.plain.get(LIST, headers=WRITE).data
    assert json.loads(answer)[-1] != first  # generated values of another place


def test_the_lists_below_a_deleted_entity_are_dropped(spec: Any, tmp_path: Path) -> None:
    apps = Apps(spec, "memory", tmp_path)
    target = json.loads(apps.listed())[0]["id"]
    assert apps.cached.get(f"{LIST}/{target}/files", headers=WRITE).status_code == 200
    below = [k for k in apps.encoded._cached if k[0] == "list" and k[2] == ("building", target)]
    assert below
    assert apps.cached.delete(f"{LIST}/{target}", headers=WRITE).status_code < 300
    assert not [k for k in apps.encoded._cached if k[2] == ("building", target)]
    assert [k for k in apps.encoded._cached if k[1] == "building"]  # the list itself stays, to reuse


def _store(count: int) -> EncodedStore:
    store = EncodedStore(MemoryStore())
    for n in range(count):
        store.put("thing", f"t{n}", {"id": f"t{n}", "n": n})
    return store


@pytest.mark.parametrize("depends", [None, 0, -1])
def test_an_entry_is_reused_only_where_what_it_depends_on_holds(depends: int | None) -> None:
    """None: on its entity alone; a place: only there; -1 (on other entities): never."""
    store = _store(5)
    built: list[list[str]] = []

    def build(entities: list[dict[str, Any]], places: Any) -> list[tuple[str, bytes, int | None]]:
        built.append([e["id"] for e in entities])
        spots = range(len(entities)) if places is None else places
        return [
            (e["id"], json.dumps(e).encode(), depends if depends != 0 else i)
            for e, i in zip(entities, spots, strict=True)
        ]

    first = store.entries("thing", None, "shape", build)
    store.put("thing", "t2", {"id": "t2", "n": "changed"})
    second = store.entries("thing", None, "shape", build)
    store.delete("thing", "t0")
    third = store.entries("thing", None, "shape", build)
    assert third.answer(0, 10) == json.dumps(store.list("thing")).encode()
    everything = [f"t{n}" for n in range(5)]
    if depends is None:
        assert built == [everything, ["t2"]]
        kept = [second[1][1], second[2][1], first[3][1], first[4][1]]
        assert all(e[1] is k for e, k in zip(third, kept, strict=True))
    elif depends == 0:
        assert built == [everything, ["t2"], everything[1:]]  # each moved one place up
    else:
        assert built == [everything, everything, everything[1:]]


def test_a_builder_refusing_a_part_is_given_the_whole_list() -> None:
    store = _store(4)
    asked: list[Any] = []

    def build(entities: list[dict[str, Any]], places: Any) -> list[tuple[str, bytes, None]] | None:
        asked.append(places)
        if places is not None:
            return None
        return [(e["id"], json.dumps(e).encode(), None) for e in entities]

    store.entries("thing", None, "shape", build)
    store.put("thing", "t1", {"id": "t1", "n": 0})
    listing = store.entries("thing", None, "shape", build)
    assert asked == [None, [1], None]
    assert listing is not None and listing.answer(0, 4) == json.dumps(store.list("thing")).encode()
