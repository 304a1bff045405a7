"""A sqlite state file of another layout (an older mock's, keys not stored under their parent) is
refused at start-up with one clear line, and left as it was: never read as wrong data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from contracts.errors import ContractsError
from mockserver.state.sqlite_store import SCHEMA_VERSION, SqliteStore
from tests.conftest import PROJECT_ROOT, contracts_command
from tests.serve.test_serve_cli_errors import assert_one_clear_line

BASELINE = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
ELEMENT = "2O2Fr$t4X7Zf8NOew3FLOH"


def old_layout_file(path: Path, version: int) -> Path:
    """A state file as the mock wrote it before keys were stored per parent: an element row keyed
    by its IFC id alone under its file."""
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE entity (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, id TEXT NOT NULL,
                parent_collection TEXT, parent_id TEXT, body TEXT NOT NULL, UNIQUE (collection, id));
            INSERT INTO entity (collection, id, parent_collection, parent_id, body) VALUES
                ('building/files', 'F1', 'building', 'B1', '{"id": "F1", "status": "Mapped"}'),
                ('building/files/elements', '2O2Fr$t4X7Zf8NOew3FLOH', 'building/files', 'F1',
                 '{"id": "2O2Fr$t4X7Zf8NOew3FLOH"}');
            """
        )
        conn.execute(f"PRAGMA user_version = {version}")
    return path


def _as_it_was(path: Path, version: int) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        assert conn.execute("SELECT id FROM entity ORDER BY seq").fetchall() == [("F1",), (ELEMENT,)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal"


@pytest.mark.parametrize(
    ("version", "says"),
    [
        (1, "written by an earlier version of the mock (state layout 1"),
        (0, "no state layout (written by an earlier version"),
        (SCHEMA_VERSION + 1, "written by a newer version of the mock"),
    ],
)
def test_a_state_file_of_another_layout_is_refused_and_left_alone(
    tmp_path: Path, version: int, says: str
) -> None:
    path = old_layout_file(tmp_path / "state.db", version)
    with pytest.raises(ContractsError) as refused:
        SqliteStore(path)
    message = str(refused.value)
    assert str(path) in message and says in message
    assert "delete the file, or give --store sqlite: a new path" in message
    _as_it_was(path, version)


def test_the_command_refuses_an_old_state_file_in_one_line(tmp_path: Path) -> None:
    path = old_layout_file(tmp_path / "old-state.db", 1)
    # a subprocess with a timeout: a mock that accepted the file would serve, not return
    done = contracts_command("mock", "--spec", str(BASELINE), "--store", f"sqlite:{path}", timeout=60)
    assert_one_clear_line(done.returncode, done.stderr, str(path), "earlier version", "delete the file")
    _as_it_was(path, 1)


def test_a_file_of_this_layout_and_an_empty_one_open(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # a zero-byte file: new
    SqliteStore(empty).close()
    store = SqliteStore(tmp_path / "state.db")
    store.put("building/files/elements", f"F1/{ELEMENT}", {"id": ELEMENT}, ("building/files", "F1"))
    store.close()
    again = SqliteStore(tmp_path / "state.db")
    assert again.get("building/files/elements", f"F1/{ELEMENT}") == {"id": ELEMENT}
    again.close()
    with sqlite3.connect(tmp_path / "state.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_layout_2_file_is_upgraded_in_place_and_counts_writes_from_then_on(tmp_path: Path) -> None:
    """Layout 3 only adds the change counters: a layout-2 file keeps its rows and is served."""
    path = old_layout_file(tmp_path / "state.db", 2)
    store = SqliteStore(path)
    assert store.get("building/files", "F1") == {"id": "F1", "status": "Mapped"}
    assert store.generation("building/files") == 0
    store.put("building/files", "F2", {"id": "F2"}, ("building", "B1"))
    store.update("building/files", "F1", {"id": "F1", "status": "Done"}, ("building", "B1"))
    assert store.generation("building/files") == 2
    store.delete("building/files", "F1")  # its element goes with it: both collections change
    assert store.generation("building/files") == 3
    assert store.generation("building/files/elements") == 1
    store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3


def test_a_write_by_another_connection_is_counted(tmp_path: Path) -> None:
    """The counters are kept by triggers in the file: a write this store never saw still counts."""
    store = SqliteStore(tmp_path / "state.db")
    store.put("building", "b1", {"id": "b1"})
    seen = store.generation("building")
    with sqlite3.connect(tmp_path / "state.db") as conn:
        conn.execute('UPDATE entity SET body = \'{"id": "b1", "name": "x"}\' WHERE id = \'b1\'')
    assert store.generation("building") == seen + 1
    assert store.generation("folder") == 0
    store.close()
