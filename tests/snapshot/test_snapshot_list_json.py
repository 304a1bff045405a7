"""``snapshot list --format json``: the store as data, valid against its published JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.cli import main
from contracts.store import SnapshotStore
from tests.conftest import PROJECT_ROOT
from tests.snapshot.test_store import as_json, minimal_spec

SCHEMA = json.loads((PROJECT_ROOT / "docs" / "schemas" / "snapshot-list.schema.json").read_text())


def listed(capsys: pytest.CaptureFixture[str], root: Path) -> dict:
    assert main(["snapshot", "list", "--format", "json", "--specs-dir", str(root)]) == 0
    out = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(SCHEMA).validate(out)
    return out


def test_the_projects_store_is_listed_with_its_newest(capsys: pytest.CaptureFixture[str]) -> None:
    out = listed(capsys, PROJECT_ROOT / "specs")
    store = SnapshotStore(PROJECT_ROOT / "specs")
    assert [v["version"] for v in out["versions"]] == store.versions()
    for entry in out["versions"]:
        assert entry["latest"]["path"] == str(store.latest(entry["version"]).path)
        assert [s["latest"] for s in entry["snapshots"]][-1] is True


def test_an_empty_store_lists_no_versions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert listed(capsys, tmp_path)["versions"] == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(1, 99999), min_size=1, max_size=4, unique=True))
def test_builds_are_oldest_first_and_the_highest_is_latest(
    capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory, builds: list[int]
) -> None:
    root = tmp_path_factory.mktemp("store")
    store = SnapshotStore(root)
    for build in builds:
        store.add(as_json(minimal_spec(build=str(build), paths=(f"p{build}",))), source="test", kind="import")
    entry = listed(capsys, root)["versions"][0]
    assert [s["build"] for s in entry["snapshots"]] == [str(b) for b in sorted(builds)]
    assert entry["latest"]["build"] == str(max(builds))
    assert entry["latest"]["label"] == f"v3.0@{max(builds)}" and entry["latest"]["kind"] == "import"
    assert sum(s["latest"] for s in entry["snapshots"]) == 1
