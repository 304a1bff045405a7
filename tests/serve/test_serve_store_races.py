"""A write racing a delete: each write is one store transaction that re-checks the entity and its
parent, so a deleted building never comes back and no building is left in a deleted folder.

First the interleaving made certain (a delete lands between a write's read and its write, through
a second app on the same store or a second connection to the sqlite file), then the race as it
happens between two mock processes on one sqlite file, a bounded number of trials.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests

from contracts.spec_loader import load_spec_file
from mockserver import create_app
from mockserver.state.memory_store import MemoryStore
from mockserver.state.sqlite_store import SqliteStore
from tests.conftest import real_build
from tests.mock.conftest import WRITE, body_for
from tests.serve.mock_client import building_body, two_mock_processes

V3 = "/api/v3.0"
TRIALS = 12


class DeleteAfterRead:
    """A store that runs ``then`` once, right after the read of ``ref`` (the read still sees it)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.ref: tuple[str, str] | None = None
        self.then: Callable[[], None] = lambda: None

    def get(self, collection: str, entity_id: str) -> Any:
        found = self.inner.get(collection, entity_id)
        if self.ref == (collection, entity_id):
            self.ref = None
            self.then()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture(params=["memory", "sqlite"])
def apps(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Any, Any, DeleteAfterRead]:
    """(the writing app, the deleting app, the writer's store): one state, two apps."""
    doc = load_spec_file(real_build("v3.0", 30855))
    if request.param == "memory":
        shared = MemoryStore()
        hooked = DeleteAfterRead(shared)
        writer = create_app([doc], store=hooked)
        return writer, create_app([doc], store=shared), hooked
    hooked = DeleteAfterRead(SqliteStore(tmp_path / "state.db"))
    writer = create_app([doc], store=hooked)
    return writer, create_app([doc], store=SqliteStore(tmp_path / "state.db")), hooked


def test_a_put_whose_building_is_deleted_meanwhile_is_a_404_and_brings_nothing_back(apps: Any) -> None:
    writer, deleter = apps[0].test_client(), apps[1].test_client()
    building = writer.get(f"{V3}/building", headers=WRITE).json[0]
    deleted: list[int] = []
    apps[2].ref = ("building", building["id"])
    apps[2].then = lambda: deleted.append(
        deleter.delete(f"{V3}/building/{building['id']}", headers=WRITE).status_code
    )
    body = body_for(apps[0], "v3.0", "PUT", "/building/{id}", folderId=building["folderId"], name="renamed")
    answer = writer.put(f"{V3}/building/{building['id']}", json=body, headers=WRITE)
    assert deleted and deleted[0] < 300, "the delete did not land between the read and the write"
    assert answer.status_code == 404 and "deleted meanwhile" in answer.json["detail"]
    for client in (writer, deleter):
        assert client.get(f"{V3}/building/{building['id']}", headers=WRITE).status_code == 404


def test_a_building_posted_into_a_folder_deleted_meanwhile_is_a_404_and_no_orphan(apps: Any) -> None:
    writer, deleter = apps[0].test_client(), apps[1].test_client()
    folder = writer.get(f"{V3}/folder", headers=WRITE).json[-1]
    deleted: list[int] = []
    apps[2].ref = ("folder", folder["id"])
    apps[2].then = lambda: deleted.append(
        deleter.delete(f"{V3}/folder/{folder['id']}", headers=WRITE).status_code
    )
    body = body_for(
        apps[0], "v3.0", "POST", "/building", folderId=folder["id"], name="into a folder going away"
    )
    answer = writer.post(f"{V3}/building", json=body, headers=WRITE)
    assert deleted and deleted[0] < 300, "the delete did not land between the check and the write"
    assert answer.status_code == 404, answer.json
    buildings = deleter.get(f"{V3}/building", headers=WRITE).json
    assert not [b for b in buildings if b["folderId"] == folder["id"]]


def _race(first: Callable[[], int], second: Callable[[], int]) -> tuple[int, int]:
    start = threading.Barrier(2)

    def run(action: Callable[[], int]) -> int:
        start.wait(30)
        return action()

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.submit(run, first), pool.submit(run, second)
        return a.result(60), b.result(60)


def _status(session: requests.Session, method: str, url: str, body: Any = None) -> int:
    return session.request(method, url, json=body, headers=WRITE, timeout=30).status_code


def test_two_processes_racing_put_and_delete_lose_no_delete_and_leave_no_orphan(tmp_path: Path) -> None:
    spec = str(real_build("v3.0", 30855))
    with two_mock_processes("--spec", spec, "--store", f"sqlite:{tmp_path / 'shared.db'}") as (one, two):
        a, b = requests.Session(), requests.Session()
        for trial in range(TRIALS):
            body = building_body(one.base_url, f"race {trial}")
            made = a.post(f"{one.base_url}{V3}/building", json=body, headers=WRITE, timeout=30)
            assert made.status_code == 201, made.text
            url = f"{V3}/building/{made.json()['id']}"
            renamed = {**body, "name": f"renamed {trial}"}
            put, delete = _race(
                partial(_status, a, "PUT", one.base_url + url, renamed),
                partial(_status, b, "DELETE", two.base_url + url),
            )
            assert put in (200, 404) and delete < 300, (trial, put, delete)
            assert _status(a, "GET", one.base_url + url) == 404, trial
        account = a.get(f"{one.base_url}{V3}/account", headers=WRITE, timeout=10).json()
        types = a.get(f"{one.base_url}{V3}/account/foldertypes", headers=WRITE, timeout=10).json()
        for trial in range(TRIALS):
            folder_body = {
                "parentId": account["id"],
                "foldertypeId": types[0]["id"],
                "name": f"going {trial}",
            }
            made = a.post(f"{one.base_url}{V3}/folder", json=folder_body, headers=WRITE, timeout=30)
            assert made.status_code == 201, made.text
            folder = made.json()["id"]
            building = building_body(one.base_url, f"orphan? {trial}", folderId=folder)
            posted, deleted = _race(
                partial(_status, a, "POST", f"{one.base_url}{V3}/building", building),
                partial(_status, b, "DELETE", f"{two.base_url}{V3}/folder/{folder}"),
            )
            assert posted in (201, 404) and deleted < 300, (trial, posted, deleted)
            listed = a.get(f"{one.base_url}{V3}/building", headers=WRITE, timeout=30).json()
            assert not [x for x in listed if x["folderId"] == folder], trial
        assert one.stop()[0] == 0 and two.stop()[0] == 0
