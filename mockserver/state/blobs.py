"""Upload bytes kept out of the process: one file per upload in a folder beside the state.

Kept in the store (base64 in a JSON row), every upload stayed in memory: twelve 15 MiB uploads
took a process from 82 to 508 MB. So the store keeps only a small record per upload (name, media
type, size, file) and the bytes go to a folder: ``<state file>.blobs/`` beside a sqlite file
(shared by the processes on that file, kept across restarts), a temporary folder for the memory
store (removed with the store). The folder holds at most ``MAX_TOTAL_BYTES``; before refusing an
upload (507), files no record names any more (their entity was deleted) are removed. A reset
empties the folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""What the uploads of one state may hold on disk together (``--store`` folder or temporary)."""


class BlobsFull(Exception):
    """The upload would take the folder past its cap (after removing files nothing names): 507,
    or 413 for one upload larger than the whole cap."""

    def __init__(self, detail: str, status: int = 507) -> None:
        super().__init__(detail)
        self.status = status


class BlobFolder:
    """Files named after the key of the upload they hold; ``folder`` None: a temporary folder."""

    def __init__(self, folder: Path | None = None, cap: int = MAX_TOTAL_BYTES) -> None:
        self._folder = folder
        self._temporary = folder is None
        self.cap = cap
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="madaster-mock-uploads-"))
            weakref.finalize(self, shutil.rmtree, self._folder, True)
        self._folder.mkdir(parents=True, exist_ok=True)
        return self._folder

    def write(self, key: str, content: bytes, named: Callable[[], set[str]]) -> Path:
        """Keep ``content`` for ``key`` (replacing its earlier bytes); the file's path.

        ``named`` gives the paths the store's records still name (asked only when space is short).
        """
        if len(content) > self.cap:
            raise BlobsFull(
                f"the upload holds {len(content)} bytes; all uploads together may hold {self.cap}", 413
            )
        target = self.folder / hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            replaced = _size(target)
            if self.used() - replaced + len(content) > self.cap:
                self._collect(named() | {str(target)})
                if self.used() - replaced + len(content) > self.cap:
                    raise BlobsFull(
                        f"the uploads kept would exceed {self.cap} bytes together; delete files "
                        "or images, or reset the mock (POST /__mock/reset)"
                    )
            partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
            partial.write_bytes(content)
            os.replace(partial, target)  # a reader sees the old bytes or the new, never half
        return target

    def used(self) -> int:
        """Bytes the folder holds now."""
        if self._folder is None or not self._folder.is_dir():
            return 0
        with os.scandir(self._folder) as entries:
            return sum(e.stat().st_size for e in entries if e.is_file())

    def clear(self) -> None:
        """Remove every file (a reset)."""
        if self._folder is None or not self._folder.is_dir():
            return
        with self._lock:
            self._collect(set())

    def _collect(self, keep: set[str]) -> None:
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if entry.is_file() and entry.path not in keep and not entry.name.endswith(".part"):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)


def read(path: str) -> bytes | None:
    """The bytes of a kept upload; None when its file is gone (removed by a reset elsewhere)."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
