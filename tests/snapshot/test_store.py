"""The snapshot store: history per version, semantic de-duplication, references, atomic writes."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.errors import ContractsError, SpecError
from contracts.store import SnapshotStore, canonical_sha256
from tests.conftest import real_build, requires_shared


def minimal_spec(
    version: str = "v3.0", build: str | None = "1", paths: tuple[str, ...] = ("account",)
) -> dict:
    title = f"Test API - Build: {build}" if build else "Test API"
    return {
        "openapi": "3.0.1",
        "info": {"title": title, "version": version},
        "paths": {
            f"/api/{version}/{p}": {"get": {"responses": {"200": {"description": "ok"}}}} for p in paths
        },
    }


def as_json(doc: dict) -> bytes:
    return json.dumps(doc, indent=2).encode()


def test_add_stores_document_as_served_with_provenance(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    raw = as_json(minimal_spec(build="42"))
    result = store.add(raw, source="http://example.test/api/v3.0/swagger.json")
    assert result.added
    snap = result.snapshot
    assert snap.path.read_bytes() == raw
    assert snap.label == "v3.0@42"
    assert snap.meta["source"] == "http://example.test/api/v3.0/swagger.json"
    assert snap.meta["captured_at"].endswith("Z")
    assert len(snap.meta["sha256"]) == 64
    assert snap.meta["operations"] == 1
    assert store.versions() == ["v3.0"]


def test_semantically_identical_document_adds_nothing(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    doc = minimal_spec(build="7")
    store.add(as_json(doc), source="a.json")
    again = store.add(yaml.safe_dump(doc, sort_keys=True).encode(), source="b.yaml")
    assert not again.added
    assert again.snapshot.label == "v3.0@7"
    assert len(store.builds("v3.0")) == 1


def test_builds_are_ordered_by_build_number_with_baselines_first(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    for build in ("30855", "7980", None, "18991"):
        store.add(
            as_json(minimal_spec(build=build, paths=(f"p{build}",))),
            source="x",
            kind="baseline" if build is None else "import",
        )
    labels = [s.build or s.name for s in store.builds("v3.0")]
    assert labels == ["baseline", "7980", "18991", "30855"]
    assert store.latest("v3.0").build == "30855"
    assert store.resolve("v3.0@previous").build == "18991"
    assert store.resolve("v3.0@latest").build == "30855"
    assert store.resolve("v3.0@7980").build == "7980"
    assert store.resolve("v3.0@baseline").meta["kind"] == "baseline"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("v9.9", "no snapshots of v9.9"),
        ("v3.0@12345", "no build '12345' of v3.0"),
        ("nonsense", "is not an API version"),
    ],
)
def test_unknown_references_are_clear_errors(tmp_path: Path, ref: str, message: str) -> None:
    store = SnapshotStore(tmp_path)
    store.add(as_json(minimal_spec()), source="x")
    with pytest.raises(ContractsError, match=message):
        store.resolve(ref)


def test_previous_needs_two_builds(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    store.add(as_json(minimal_spec()), source="x")
    with pytest.raises(ContractsError, match="no previous"):
        store.resolve("v3.0@previous")


def test_invalid_document_is_rejected_and_store_untouched(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    broken = minimal_spec()
    broken["paths"]["/api/v3.0/account"]["get"]["responses"] = "nope"
    with pytest.raises(SpecError, match="invalid OpenAPI"):
        store.add(as_json(broken), source="broken.json")
    assert store.versions() == []


def test_version_mismatch_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContractsError, match="is v3.0, not v4.0"):
        SnapshotStore(tmp_path).add(as_json(minimal_spec()), source="x", version="v4.0")


def test_failed_metadata_write_leaves_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SnapshotStore(tmp_path)
    store.add(as_json(minimal_spec(build="1")), source="x")
    before = sorted(p.name for p in (tmp_path / "v3.0").iterdir())

    import contracts.store as store_module

    real_write = store_module._atomic_write

    def failing_write(target: Path, data: bytes) -> None:
        if target.name.endswith(".meta.json"):
            raise KeyboardInterrupt  # an interrupted capture
        real_write(target, data)

    monkeypatch.setattr(store_module, "_atomic_write", failing_write)
    with pytest.raises(KeyboardInterrupt):
        store.add(as_json(minimal_spec(build="2", paths=("other",))), source="y")
    assert sorted(p.name for p in (tmp_path / "v3.0").iterdir()) == before
    assert [s.build for s in store.builds("v3.0")] == ["1"]


def test_orphan_documents_are_ignored_and_cleaned(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    store.add(as_json(minimal_spec(build="1")), source="x")
    orphan = tmp_path / "v3.0" / "build-2.json"
    orphan.write_text("{}")
    assert [s.build for s in store.builds("v3.0")] == ["1"]
    store.add(as_json(minimal_spec(build="3", paths=("b",))), source="y")
    assert not orphan.exists()


def test_concurrent_adds_keep_every_distinct_build(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    docs = [as_json(minimal_spec(build=str(n), paths=(f"p{n}",))) for n in range(12)]
    threads = [threading.Thread(target=store.add, args=(raw,), kwargs={"source": "t"}) for raw in docs * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [s.build for s in store.builds("v3.0")] == [str(n) for n in range(12)]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=6), json_values, max_size=6), st.randoms())
def test_canonical_hash_ignores_key_order_and_format(doc: dict, rnd) -> None:
    items = list(doc.items())
    rnd.shuffle(items)
    reordered = dict(items)
    assert canonical_sha256(doc) == canonical_sha256(reordered)
    assert canonical_sha256(doc) == canonical_sha256(json.loads(json.dumps(doc, indent=3)))
    assert canonical_sha256(doc) == canonical_sha256(yaml.safe_load(yaml.safe_dump(doc)))


@requires_shared
def test_real_builds_import_in_history_order(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    for build in (30855, 7980, 28168, 18991):
        store.add_file(real_build("v3.0", build), kind="import")
    assert [s.build for s in store.builds("v3.0")] == ["7980", "18991", "28168", "30855"]
    assert store.latest("v3.0").load()["info"]["title"].endswith("30855")
    assert store.builds("v3.0")[0].meta["operations"] == 70


def test_a_stored_snapshot_loads_checked_until_its_bytes_change(tmp_path: Path) -> None:
    """The store validated what it stored: unchanged bytes need no validation again, edited ones do."""
    from contracts.spec_loader import CheckedSpec

    snap = SnapshotStore(tmp_path).add(as_json(minimal_spec(build="42")), source="test").snapshot
    loaded = snap.load_checked()
    assert isinstance(loaded, CheckedSpec)
    assert loaded.doc == snap.load() and loaded.source == str(snap.path)
    snap.path.write_bytes(as_json(minimal_spec(build="42", paths=("account", "folder"))))
    edited = SnapshotStore(tmp_path).latest("v3.0").load_checked()
    assert isinstance(edited, dict) and "/api/v3.0/folder" in edited["paths"]
