"""Lifecycles when served: ``--processing-delay``, jobs kept in sqlite across restarts, download URLs."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from contracts.spec_loader import load_spec_file
from mockserver import create_app
from mockserver.state.sqlite_store import SqliteStore
from tests.conftest import real_build
from tests.mock.lifecycle_helpers import IFC, FakeClock, file_url
from tests.serve.mock_client import WRITE, mock_process
from tests.serve.test_serve_cli_errors import assert_one_clear_line, run_mock

OCTET = {**WRITE, "Content-Type": "application/octet-stream"}
FILE = {"type": "Source", "name": "model", "preferredDatabaseIds": []}


@pytest.mark.parametrize("value", ["-1", "nan", "inf"])
def test_a_bad_processing_delay_is_one_clear_error(capsys, value: str) -> None:
    spec = real_build("v3.0", 30855)
    code, err = run_mock(capsys, "--spec", str(spec), f"--processing-delay={value}")
    assert_one_clear_line(code, err, "--processing-delay")


def test_processing_delay_zero_finishes_work_within_the_request(tmp_path: Path) -> None:
    spec = real_build("v3.0", 30855)
    with mock_process("--spec", str(spec), "--processing-delay", "0") as mock:
        api = f"{mock.base_url}/api/v3.0"
        building = requests.get(f"{api}/building", headers=WRITE, timeout=10).json()[0]["id"]
        created = requests.post(
            f"{api}/building/{building}/files", json=FILE, headers=WRITE, timeout=10
        ).json()
        files = f"{api}/building/{building}/files/{created['id']}"
        assert requests.post(f"{files}/upload/model.ifc", data=IFC, headers=OCTET, timeout=10).ok
        assert requests.get(files, headers=WRITE, timeout=10).json()["status"] == "Mapped"
        link = requests.get(f"{files}/download", headers=WRITE, timeout=10).json()["url"]
        assert link.startswith(f"{mock.base_url}/downloads/")  # the host the client used
        assert requests.get(link, timeout=10).content == IFC
        code, out, _ = mock.stop()
    assert code == 0 and "Processing: 0 s per step" in out


def test_jobs_survive_a_restart_on_sqlite(tmp_path: Path) -> None:
    """The timeline is stored, so a restarted mock (any process delay) continues where time is."""
    spec = load_spec_file(real_build("v3.0", 30855))
    clock = FakeClock()
    store = SqliteStore(tmp_path / "state.db")
    app = create_app([spec], store=store, processing_delay=5.0, clock=clock)
    client = app.test_client()
    building = client.get("/api/v3.0/building", headers=WRITE).json[0]["id"]
    file_id = client.post(f"/api/v3.0/building/{building}/files", json=FILE, headers=WRITE).json["id"]
    client.post(f"{file_url(building, file_id)}/upload/model.ifc", data=IFC, headers=OCTET)
    passport = client.post(f"/api/v3.0/building/{building}/exportexcelpassport", headers=WRITE).json["id"]
    before = client.get("/__mock/jobs").json["jobs"]
    store.close()

    clock.advance(11.0)  # two steps of 5 s pass while the mock is down
    store = SqliteStore(tmp_path / "state.db")
    again = create_app([spec], store=store, processing_delay=0.0, clock=clock)
    client = again.test_client()
    after = client.get("/__mock/jobs").json["jobs"]
    assert [j["id"] for j in after] == [j["id"] for j in before]
    assert client.get(file_url(building, file_id), headers=WRITE).json["status"] == "Imported"
    assert client.get(file_url(building, passport), headers=WRITE).json["status"] == "Uploaded"
    finished = client.post("/__mock/jobs/finish").json
    assert finished["finished"] == 1 and finished["jobs"][0]["status"] == "Mapped"
    link = client.get(f"{file_url(building, file_id)}/download", headers=WRITE).json["url"]
    assert client.get(link).data == IFC  # the uploaded bytes were kept in the store
    store.close()


def test_two_mocks_on_one_sqlite_file_see_the_same_status(tmp_path: Path) -> None:
    """No worker owns a job: whichever process reads the file computes the same step."""
    spec = load_spec_file(real_build("v3.0", 30855))
    clock = FakeClock()
    stores = [SqliteStore(tmp_path / "shared.db") for _ in range(2)]
    apps = [create_app([spec], store=store, processing_delay=2.0, clock=clock) for store in stores]
    first, second = (app.test_client() for app in apps)
    building = first.get("/api/v3.0/building", headers=WRITE).json[0]["id"]
    file_id = first.post(f"/api/v3.0/building/{building}/files", json=FILE, headers=WRITE).json["id"]
    first.post(f"{file_url(building, file_id)}/upload/model.ifc", data=IFC, headers=OCTET)
    seen = []
    for step in range(8):
        reader = (first, second)[step % 2]  # alternate which process catches the job up
        seen.append(reader.get(file_url(building, file_id), headers=WRITE).json["status"])
        clock.advance(2.0)
    assert seen == ["Uploaded", "Importing", "Imported", "Refining", "Refined", "Mapping", "Mapped", "Mapped"]
    assert second.get("/__mock/jobs").json == first.get("/__mock/jobs").json
    for store in stores:
        store.close()
