"""Where the mock's specs come from: the newest snapshot of each version, or exactly the --spec files."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from contracts.store import SnapshotStore
from mockserver.served_specs import load_specs
from tests.conftest import PROJECT_ROOT, real_build
from tests.serve.mock_client import READ, mock_process


def test_the_newest_build_of_each_stored_version_is_served(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    for version, build in (("v3.0", 30855), ("v3.0", 18991), ("v4.0", 17265), ("v4.0", 28168)):
        store.add_file(real_build(version, build))
    served = load_specs([], tmp_path)
    assert [(s.version, s.build) for s in served] == [("v3.0", "30855"), ("v4.0", "28168")]
    assert all(Path(s.source).is_relative_to(tmp_path) for s in served)


def test_spec_files_are_served_exactly_and_sorted_by_version() -> None:
    files = [real_build("v4.0", 17265), real_build("v3.0", 7980)]
    served = load_specs(files, None)
    assert [(s.version, s.build, s.source) for s in served] == [
        ("v3.0", "7980", str(files[1])),
        ("v4.0", "17265", str(files[0])),
    ]


def test_without_spec_files_the_default_snapshot_store_is_served(tmp_path: Path, monkeypatch) -> None:
    store = SnapshotStore(tmp_path / "specs")
    for version, build in (("v3.0", 28168), ("v3.0", 30855), ("v4.0", 28168)):
        store.add_file(real_build(version, build))
    monkeypatch.setenv("MADASTER_SPECS_DIR", str(tmp_path / "specs"))
    with mock_process() as mock:
        spec = requests.get(f"{mock.base_url}/api/v3.0/swagger.json", headers=READ, timeout=10).json()
        assert spec["info"]["title"].endswith("30855")
        assert requests.get(f"{mock.base_url}/api/v4.0/swagger.json", timeout=10).status_code == 200
        code, out, _ = mock.stop()
    assert code == 0
    assert "v3.0  build 30855" in out and "v4.0  build 28168" in out
    assert str(tmp_path / "specs" / "v3.0") in out


def test_the_projects_own_snapshot_store_is_the_default(monkeypatch) -> None:
    monkeypatch.delenv("MADASTER_SPECS_DIR", raising=False)
    versions = SnapshotStore(PROJECT_ROOT / "specs").versions()
    if not versions:
        pytest.skip("the project has no specs/ snapshots")
    with mock_process() as mock:
        for version in versions:
            assert requests.get(f"{mock.base_url}/api/{version}/swagger.json", timeout=10).status_code == 200
        code, out, _ = mock.stop()
    assert code == 0
    for version in versions:
        assert f"specs/{version}/" in out
