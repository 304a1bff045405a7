"""200 concurrent creates through the real waitress server: 200 distinct, retrievable entities,
still there after a restart with the sqlite store."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.conftest import real_build
from tests.serve.mock_client import READ, WRITE, building_body, mock_process, two_mock_processes

CLIENTS = 200


def create_concurrently(base_url: str, tag: str) -> list[dict]:
    body = building_body(base_url, "placeholder")
    start = threading.Barrier(CLIENTS)

    def create(n: int) -> requests.Response:
        session = requests.Session()
        start.wait(30)
        return session.post(
            f"{base_url}/api/v3.0/building",
            json={**body, "name": f"{tag} {n}", "externalId": f"{tag}-{n}"},
            headers=WRITE,
            timeout=60,
        )

    with ThreadPoolExecutor(CLIENTS) as pool:
        responses = list(pool.map(create, range(CLIENTS)))
    assert [r.status_code for r in responses] == [201] * CLIENTS, {r.status_code: r.text for r in responses}
    return [r.json() for r in responses]


def assert_all_retrievable(base_url: str, created: list[dict], tag: str) -> None:
    ids = [entity["id"] for entity in created]
    assert len(set(ids)) == CLIENTS
    with ThreadPoolExecutor(16) as pool:
        fetched = list(
            pool.map(
                lambda i: requests.get(f"{base_url}/api/v3.0/building/{i}", headers=READ, timeout=30), ids
            )
        )
    assert all(r.status_code == 200 for r in fetched)
    assert sorted(r.json()["name"] for r in fetched) == sorted(f"{tag} {n}" for n in range(CLIENTS))
    listed = requests.get(f"{base_url}/api/v3.0/building", headers=READ, timeout=30).json()
    listed_ids = [b["id"] for b in listed]
    assert set(ids) <= set(listed_ids)
    assert len(listed_ids) == len(set(listed_ids))
    by_external = requests.get(f"{base_url}/api/v3.0/building/external/{tag}-7", headers=READ, timeout=30)
    assert by_external.status_code == 200 and by_external.json()["name"] == f"{tag} 7"


def test_200_concurrent_creates_in_memory() -> None:
    with mock_process("--spec", str(real_build("v3.0", 30855))) as mock:
        created = create_concurrently(mock.base_url, "memory")
        assert_all_retrievable(mock.base_url, created, "memory")
        assert mock.stop()[0] == 0


def test_200_concurrent_creates_with_sqlite_survive_a_restart(tmp_path: Path) -> None:
    spec = str(real_build("v3.0", 30855))
    store = f"sqlite:{tmp_path / 'state.db'}"
    with mock_process("--spec", spec, "--store", store) as mock:
        created = create_concurrently(mock.base_url, "sqlite")
        assert_all_retrievable(mock.base_url, created, "sqlite")
        before = requests.get(f"{mock.base_url}/api/v3.0/building", headers=READ, timeout=30).json()
        assert mock.stop()[0] == 0
    with mock_process("--spec", spec, "--store", store) as restarted:
        assert_all_retrievable(restarted.base_url, created, "sqlite")
        after = requests.get(f"{restarted.base_url}/api/v3.0/building", headers=READ, timeout=30).json()
        assert [b["id"] for b in after] == [b["id"] for b in before]
        assert restarted.stop()[0] == 0


def test_two_processes_share_one_sqlite_store(tmp_path: Path) -> None:
    spec = str(real_build("v3.0", 30855))
    store = f"sqlite:{tmp_path / 'shared.db'}"
    with two_mock_processes("--spec", spec, "--store", store) as (first, second):
        body = building_body(first.base_url, "shared")
        created = requests.post(f"{first.base_url}/api/v3.0/building", json=body, headers=WRITE, timeout=10)
        assert created.status_code == 201
        url = f"/api/v3.0/building/{created.json()['id']}"
        assert requests.get(second.base_url + url, headers=READ, timeout=10).json()["name"] == "shared"
        assert requests.delete(second.base_url + url, headers=WRITE, timeout=10).status_code in (200, 204)
        assert requests.get(first.base_url + url, headers=READ, timeout=10).status_code == 404
        first_list = requests.get(f"{first.base_url}/api/v3.0/building", headers=READ, timeout=10).json()
        second_list = requests.get(f"{second.base_url}/api/v3.0/building", headers=READ, timeout=10).json()
        assert first_list == second_list
        assert first.stop()[0] == 0 and second.stop()[0] == 0
