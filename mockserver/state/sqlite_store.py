"""A StateStore kept in a sqlite file: state survives restarts and is shared by threads and processes.

Why these choices:
- WAL journal + a busy timeout: readers never block the writer, and several mock processes on one
  file wait for each other instead of failing with "database is locked".
- One connection per thread (sqlite connections must not be used by two threads at once); waitress
  has a fixed thread pool, so the number of connections is bounded.
- Writes run in ``BEGIN IMMEDIATE`` transactions, so a delete and its cascade are atomic and two
  processes never deadlock upgrading a read lock.
- Cascading deletes walk the parent links with a recursive query instead of a foreign key, because a
  parent may be a fixture or an entity of another collection that was never stored.
- Every write of a collection's rows bumps that collection's counter in ``entity_generation``, by
  triggers in the file, so whoever writes (another thread, another process, an older connection)
  is counted: a cache of answers in front of the store (``state.encoded``) is trusted only while
  the counter it was built at is still the file's.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from mockserver.state.blobs import BlobFolder
from mockserver.state.store import Gone, Ref, StoreUnavailable

SCHEMA_VERSION = 3
"""The state layout, kept in the file's ``user_version``. 1: keys clients choose under a parent
(element ids) were stored as given, unique across parents; 2: stored as ``<parent id>/<key>``;
3: and a change counter per collection (``entity_generation``, kept by triggers). A layout-2 file
is upgraded in place (its rows stay as they are); a file of another layout is refused at start-up:
read as this one, its entities are not found."""
UPGRADABLE = 2
_OWN_TABLES = frozenset({"entity", "entity_generation", "sqlite_sequence"})
BUSY_TIMEOUT_MS = 10_000
STARTUP_BUSY_TIMEOUT_MS = 3_000
"""At start-up a file another process keeps locked is refused after this wait (one line, exit 2)."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entity (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    parent_collection TEXT,
    parent_id TEXT,
    body TEXT NOT NULL,
    UNIQUE (collection, id)
);
CREATE INDEX IF NOT EXISTS entity_parent ON entity (parent_collection, parent_id);
CREATE INDEX IF NOT EXISTS entity_listing ON entity (collection, parent_collection, parent_id, seq);
"""

_BUMP = "INSERT INTO entity_generation VALUES ({0}.collection, 1) ON CONFLICT (collection) DO UPDATE SET n = n + 1"
_GENERATIONS = (
    "CREATE TABLE IF NOT EXISTS entity_generation (collection TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID",
    f"CREATE TRIGGER IF NOT EXISTS entity_inserted AFTER INSERT ON entity BEGIN {_BUMP.format('NEW')}; END",
    f"CREATE TRIGGER IF NOT EXISTS entity_deleted AFTER DELETE ON entity BEGIN {_BUMP.format('OLD')}; END",
    "CREATE TRIGGER IF NOT EXISTS entity_updated AFTER UPDATE ON entity BEGIN "
    f"{_BUMP.format('NEW')}; "
    "INSERT INTO entity_generation SELECT OLD.collection, 1 WHERE OLD.collection IS NOT NEW.collection "
    "ON CONFLICT (collection) DO UPDATE SET n = n + 1; END",
)
"""Per collection, how many writes its rows have seen (a row moved between collections counts for both)."""

_DESCENDANTS = """
WITH RECURSIVE tree(collection, id) AS (
    SELECT collection, id FROM entity WHERE collection = ? AND id = ?
    UNION
    SELECT e.collection, e.id FROM entity e JOIN tree t
        ON e.parent_collection = t.collection AND e.parent_id = t.id
)
SELECT collection, id FROM tree
"""


_INSERT = "INSERT INTO entity (collection, id, parent_collection, parent_id, body) VALUES (?, ?, ?, ?, ?)"


def _row(collection: str, entity_id: str, entity: dict[str, Any], parent: Ref | None) -> tuple[Any, ...]:
    body = json.dumps(entity, separators=(",", ":"))  # ASCII: lone surrogates stay escaped
    parent_collection, parent_id = parent if parent else (None, None)
    return (collection, entity_id, parent_collection, parent_id, body)


class StoreError(StoreUnavailable):
    """The sqlite file cannot be opened or is not a mock state database."""


Method = TypeVar("Method", bound=Callable[..., Any])


def _available(method: Method) -> Method:
    """sqlite errors at request time (read-only, locked, corrupt file) become StoreUnavailable naming
    the database file: the pipeline answers 503 with that detail instead of a 500 and a traceback."""

    @wraps(method)
    def guarded(self: SqliteStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"sqlite store {self.path}: {_explain(exc)}") from None

    return guarded  # type: ignore[return-value]


def _explain(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "readonly" in text:
        return f"{text}; the file (or its folder) is not writable"
    if "locked" in text or "busy" in text:
        return f"{text}; another process holds it"
    return text


class SqliteStore:
    """Entities as JSON rows in one sqlite file; implements mockserver.state.store.StateStore."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.blobs = BlobFolder(self.path.with_name(self.path.name + ".blobs"))
        """Upload bytes, in a folder beside the file (``mockserver.state.blobs``)."""
        if self.path.is_dir():
            raise StoreError(f"sqlite store {self.path}: is a directory, expected a file path")
        if not self.path.parent.is_dir():
            raise StoreError(f"sqlite store {self.path}: folder {self.path.parent} does not exist")
        try:
            self._check_layout()
            self._init_schema()
        except StoreError:
            self.close()
            raise
        except sqlite3.Error as exc:
            self.close()
            raise StoreError(
                f"sqlite store {self.path}: cannot use it as the mock's state: {_explain(exc)}"
            ) from None

    # -- connections -------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
                )
            except sqlite3.Error as exc:
                raise StoreError(f"sqlite store {self.path}: cannot open: {exc}") from None
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        # Threads of this process queue on a lock (woken at once) rather than in sqlite's busy
        # handler, which sleeps in steps of up to 100 ms: that made the p99 of concurrent creates
        # seconds long. Other processes still wait through the busy timeout.
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _check_layout(self) -> None:
        """Refuse a state file of another layout before anything is written to it (it stays as it
        was, so the version that wrote it can still read it)."""
        conn = self._connection()
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        foreign = sorted(tables - _OWN_TABLES)
        if foreign:  # before the WAL switch, which rewrites the file's header
            shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
            raise StoreError(
                f"sqlite store {self.path}: the file holds tables the mock does not write ({shown}); "
                "is it another application's? It was left as it was: give --store sqlite: a new path"
            )
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version in (SCHEMA_VERSION, UPGRADABLE):
            return
        rows = conn.execute("SELECT count(*) FROM entity").fetchone()[0] if "entity" in tables else 0
        if version == 0 and not rows:
            return  # a new file (or one the mock never wrote an entity to)
        layouts = f"state layout {version}; this one reads {SCHEMA_VERSION}"
        if version > SCHEMA_VERSION:
            written = f"written by a newer version of the mock ({layouts})"
        elif version == 0:
            written = "holds mock entities but no state layout (written by an earlier version of the mock)"
        else:
            written = f"written by an earlier version of the mock ({layouts})"
        raise StoreError(
            f"sqlite store {self.path}: {written}; its entities would not be found as they are stored: "
            "delete the file, or give --store sqlite: a new path"
        )

    def _init_schema(self) -> None:
        """Create or check the schema; the write probe (``user_version`` is always written, and the
        whole file is checked) refuses a read-only, locked or corrupt file now, not at the first write."""
        conn = self._connection()
        conn.execute(f"PRAGMA busy_timeout = {STARTUP_BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network file system
            raise sqlite3.DatabaseError(f"cannot switch to WAL journal mode (got {mode})")
        with self._write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, UPGRADABLE, SCHEMA_VERSION):  # changed by another process meanwhile
                raise sqlite3.DatabaseError(f"unknown state layout {version}")
            if version == 0:
                tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if tables - _OWN_TABLES:
                    raise sqlite3.DatabaseError("the file holds other tables; is it another application's?")
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    conn.execute(statement)
            if version != SCHEMA_VERSION:  # new, or layout 2: the counters start now
                for statement in _GENERATIONS:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if problem != "ok":
                detail = " ".join(str(problem).replace("***", "").split())
                raise sqlite3.DatabaseError(f"the file is damaged ({detail})")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def close(self) -> None:
        """Close every thread's connection (call once no request is running)."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

    # -- StateStore ----------------------------------------------------------------------------

    @_available
    def get(self, collection: str, entity_id: str) -> dict[str, Any] | None:
        row = (
            self._connection()
            .execute("SELECT body FROM entity WHERE collection = ? AND id = ?", (collection, entity_id))
            .fetchone()
        )
        return json.loads(row[0]) if row else None

    @_available
    def put(self, collection: str, entity_id: str, entity: dict[str, Any], parent: Ref | None = None) -> None:
        with self._write() as conn:
            conn.execute(
                _INSERT + " ON CONFLICT (collection, id) DO UPDATE SET body = excluded.body,"
                " parent_collection = excluded.parent_collection, parent_id = excluded.parent_id",
                _row(collection, entity_id, entity, parent),
            )

    @_available
    def create(
        self,
        collection: str,
        entity_id: str,
        entity: dict[str, Any],
        parent: Ref | None = None,
        *,
        parent_required: bool = False,
    ) -> bool:
        """A plain INSERT against the UNIQUE (collection, id) key: whichever process commits first
        wins, every other one gets False, whatever the number of processes on the file. The parent
        is looked up in the same ``BEGIN IMMEDIATE`` transaction, so no delete comes in between."""
        try:
            with self._write() as conn:
                if parent_required and parent is not None and not _exists(conn, parent):
                    raise Gone(parent)
                conn.execute(_INSERT, _row(collection, entity_id, entity, parent))
        except sqlite3.IntegrityError:
            return False
        return True

    @_available
    def update(
        self,
        collection: str,
        entity_id: str,
        entity: dict[str, Any],
        parent: Ref | None = None,
        *,
        parent_required: bool = False,
    ) -> None:
        """An UPDATE of the row if it is still there (one transaction with the parent check)."""
        row = _row(collection, entity_id, entity, parent)
        with self._write() as conn:
            if parent_required and parent is not None and not _exists(conn, parent):
                raise Gone(parent)
            changed = conn.execute(
                "UPDATE entity SET parent_collection = ?, parent_id = ?, body = ? WHERE collection = ? AND id = ?",
                (row[2], row[3], row[4], collection, entity_id),
            ).rowcount
            if not changed:
                raise Gone((collection, entity_id))

    @_available
    def delete(self, collection: str, entity_id: str) -> list[Ref]:
        with self._write() as conn:
            removed = [(c, i) for c, i in conn.execute(_DESCENDANTS, (collection, entity_id))]
            conn.executemany("DELETE FROM entity WHERE collection = ? AND id = ?", removed)
        return removed

    @_available
    def list(
        self, collection: str, parent: Ref | None = None, *, offset: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        where, args = _listing(collection, parent)
        rows = self._connection().execute(
            f"SELECT body FROM entity WHERE {where} ORDER BY seq LIMIT ? OFFSET ?",
            (*args, -1 if limit is None else limit, offset),
        )
        return [json.loads(body) for (body,) in rows]

    @_available
    def stored(self, collection: str, parent: Ref | None = None) -> list[tuple[str, str]]:
        """What ``list`` gives, as stored: (id, JSON text) pairs in creation order, nothing decoded."""
        where, args = _listing(collection, parent)
        query = f"SELECT id, body FROM entity WHERE {where} ORDER BY seq"
        return self._connection().execute(query, args).fetchall()

    @_available
    def count(self, collection: str, parent: Ref | None = None) -> int:
        where, args = _listing(collection, parent)
        return self._connection().execute(f"SELECT count(*) FROM entity WHERE {where}", args).fetchone()[0]

    @_available
    def generation(self, collection: str) -> int:
        """How many writes the collection's rows have seen, by any connection to the file: an
        answer cached at one count is still the stored state while the count is the same."""
        row = (
            self._connection()
            .execute("SELECT n FROM entity_generation WHERE collection = ?", (collection,))
            .fetchone()
        )
        return row[0] if row else 0

    @_available
    def find(self, collection: str, field: str, value: Any) -> dict[str, Any] | None:
        conn = self._connection()
        path = '$."' + field.replace('"', '""') + '"'
        if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
            # json_extract narrows the candidates; the Python check keeps exact JSON equality (1 != "1").
            rows = conn.execute(
                "SELECT body FROM entity WHERE collection = ? AND json_extract(body, ?) = ? ORDER BY seq",
                (collection, path, value),
            )
        else:
            rows = conn.execute("SELECT body FROM entity WHERE collection = ? ORDER BY seq", (collection,))
        for (body,) in rows:
            entity = json.loads(body)
            if field in entity and _same_json(entity[field], value):
                return entity
        return None

    @_available
    def parent_of(self, collection: str, entity_id: str) -> Ref | None:
        row = (
            self._connection()
            .execute(
                "SELECT parent_collection, parent_id FROM entity WHERE collection = ? AND id = ?",
                (collection, entity_id),
            )
            .fetchone()
        )
        return (row[0], row[1]) if row and row[0] is not None else None

    @_available
    def reset(self) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM entity")
        conn.execute("PRAGMA shrink_memory")  # the page cache of this connection
        self.blobs.clear()

    @_available
    def __len__(self) -> int:
        return self._connection().execute("SELECT count(*) FROM entity").fetchone()[0]


def _exists(conn: sqlite3.Connection, ref: Ref) -> bool:
    return conn.execute("SELECT 1 FROM entity WHERE collection = ? AND id = ?", ref).fetchone() is not None


def _listing(collection: str, parent: Ref | None) -> tuple[str, tuple[str, ...]]:
    if parent is None:
        return "collection = ?", (collection,)
    return "collection = ? AND parent_collection = ? AND parent_id = ?", (collection, *parent)


def _same_json(a: Any, b: Any) -> bool:
    """Equality as JSON sees it: booleans are not numbers."""
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b
