"""The sqlite store under faults: duplicate creates from two processes, read-only, locked and
damaged files. Each answer is a 409, a 503 or one line and exit 2, never a 500 or a traceback."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from mockserver import create_app
from mockserver.state import sqlite_store
from mockserver.state.sqlite_store import SqliteStore
from tests.conftest import PROJECT_ROOT, real_build
from tests.serve.mock_client import WRITE, two_mock_processes

TRIALS = 12
PARALLEL = 16


def _start(*args: str, timeout: float = 40) -> subprocess.CompletedProcess[str]:
    """Run the mock command expecting it to refuse to start; a server that starts fails the test."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "contracts", "mock", "--port", "0", *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the mock started on a store it cannot use")


def _assert_one_line(done: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` unwritable even for root (``chattr +i``); chmod is enough for other users."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        yield
        path.chmod(0o644)
        return
    if (
        shutil.which("chattr") is None
        or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode
    ):
        pytest.skip("cannot make a file read-only for root here (chattr +i)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def _element_url(base_url: str) -> str:
    building = requests.get(f"{base_url}/api/v3.0/building", headers=WRITE, timeout=10).json()[0]["id"]
    file_id = requests.get(
        f"{base_url}/api/v3.0/building/{building}/files", headers=WRITE, timeout=10
    ).json()[0]["id"]
    files = f"{base_url}/api/v3.0/building/{building}/files/{file_id}"
    opened = requests.post(f"{files}/setimporting", headers=WRITE, timeout=10)  # open it for elements
    assert opened.status_code < 300, opened.text
    return f"/api/v3.0/building/{building}/files/{file_id}/elements"


def test_two_processes_never_both_create_one_client_chosen_id(tmp_path: Path) -> None:
    spec = str(real_build("v3.0", 30855))
    store = f"sqlite:{tmp_path / 'shared.db'}"
    with two_mock_processes("--spec", spec, "--store", store) as (first, second):
        path = _element_url(first.base_url)
        bases = [first.base_url, second.base_url]
        sessions = [requests.Session() for _ in range(PARALLEL)]
        for trial in range(TRIALS):
            start = threading.Barrier(PARALLEL)
            element = f"DUP-{trial}"

            def post(n: int, element: str = element, start: threading.Barrier = start) -> int:
                start.wait(30)
                body = {"id": element, "name": f"writer {n}"}
                return sessions[n].post(bases[n % 2] + path, json=body, headers=WRITE, timeout=30).status_code

            with ThreadPoolExecutor(PARALLEL) as pool:
                codes = sorted(pool.map(post, range(PARALLEL)))
            assert codes == [201] + [409] * (PARALLEL - 1), (trial, codes)
            winner = requests.get(f"{second.base_url}{path}/{element}", headers=WRITE, timeout=10).json()
            assert winner["id"] == element
        assert first.stop()[0] == 0 and second.stop()[0] == 0


def test_store_create_is_atomic_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteStore(path).close()
    script = (
        "import sys; from mockserver.state.sqlite_store import SqliteStore\n"
        "s = SqliteStore(sys.argv[1]); won = 0\n"
        "for n in range(200):\n"
        "    won += s.create('c', f'id-{n}', {'by': sys.argv[2]})\n"
        "print(won)\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path), str(n)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    wins = [int(p.communicate(timeout=60)[0]) for p in processes]
    assert sum(wins) == 200, wins
    store = SqliteStore(path)
    try:
        assert store.count("c") == 200
    finally:
        store.close()


def test_a_read_only_store_is_refused_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = SqliteStore(path)
    create_app([real_build("v3.0", 30855)], store=store)  # seeded: a restart needs no write to start
    store.close()
    with read_only(path):
        done = _start("--spec", str(real_build("v3.0", 30855)), "--store", f"sqlite:{path}")
    line = _assert_one_line(done, str(path), "readonly")
    assert "build-30855" not in line


def test_a_locked_store_is_refused_at_start_up(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        done = _start("--spec", str(real_build("v3.0", 30855)), "--store", f"sqlite:{path}")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _assert_one_line(done, str(path), "locked")


def test_a_damaged_store_is_named_not_the_spec(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = SqliteStore(path)
    for n in range(300):
        store.put("building", f"b{n}", {"id": f"b{n}", "name": "x" * 300})
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 4096):
        data[offset : offset + 64] = b"\xde\xad\xbe\xef" * 16
    path.write_bytes(bytes(data))
    done = _start("--spec", str(real_build("v3.0", 30855)), "--store", f"sqlite:{path}")
    line = _assert_one_line(done, str(path))
    assert "build-30855" not in line


def test_a_store_locked_at_request_time_answers_503(tmp_path: Path, monkeypatch) -> None:
    from tests.mock.conftest import body_for, load

    spec_cache: dict = {}
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "state.db"
    store = SqliteStore(path)
    app = create_app([load(real_build("v3.0", 30855), spec_cache)], store=store)
    client = app.test_client()
    folder = client.get("/api/v3.0/folder", headers=WRITE).json[0]["id"]
    body = body_for(app, "v3.0", "POST", "/building", folderId=folder)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        created = client.post("/api/v3.0/building", json=body, headers=WRITE)
        reset = client.post("/__mock/reset")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    for response in (created, reset):
        assert response.status_code == 503, response.data
        assert str(path) in response.json["detail"] and "locked" in response.json["detail"]
    assert client.post("/api/v3.0/building", json=body, headers=WRITE).status_code == 201
    store.close()
