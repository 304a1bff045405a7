"""A customer's account, as the ownership proof sees it: the mock served over HTTP with data in it.

``Account.snapshot()`` reads every entity the account holds (the mock's state view names each
one with its GET path) and keeps its GET body byte for byte; ``writes_naming()`` reads the
mock's own request log for writes whose path named one of them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests


@dataclass
class Account:
    mock: Any
    """``mockserver.testing.RunningMock``"""
    log: list[dict[str, Any]] = field(default_factory=list)
    """Every request the mock logged while ``watching()`` (its own log keeps only the last 1,000)."""

    def entities(self) -> dict[str, str]:
        """id -> GET path of every entity the account holds, in every version."""
        found: dict[str, str] = {}
        for version in self.mock.state()["versions"].values():
            for collection in version["collections"]:
                for entity in collection["entities"]:
                    if entity.get("get"):
                        found[str(entity["id"])] = entity["get"]
        return found

    def snapshot(self) -> dict[str, tuple[int, bytes]]:
        """GET path -> (status, body) of every entity, read with a read-only key."""
        key = self.mock.key("read")
        session = requests.Session()
        session.trust_env = False
        return {
            path: _read(session, self.mock.url + path, key) for path in sorted(set(self.entities().values()))
        }

    @contextlib.contextmanager
    def watching(self, every: float = 0.1) -> Iterator[None]:
        """Copy the mock's request log while the block runs, so no request is lost to its rotation."""
        stop = threading.Event()

        def poll() -> None:
            while True:
                self._collect()
                if stop.wait(every):
                    self._collect()
                    return

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=30)

    def _collect(self) -> None:
        since = self.log[-1]["seq"] if self.log else 0
        self.log.extend(self.mock.requests(since=since))

    def writes_naming(self, ids: set[str]) -> list[str]:
        """``METHOD /path`` of each write logged while watching whose path names one of ``ids``."""
        named = []
        for entry in self.log:
            method = str(entry.get("method", "")).upper()
            if method in ("GET", "HEAD", "OPTIONS"):
                continue
            path = str(entry.get("path", ""))
            if set(path.split("?")[0].split("/")) & ids:
                named.append(f"{method} {path}")
        return named


def _read(session: requests.Session, url: str, key: str) -> tuple[int, bytes]:
    response = session.get(url, headers={"X-API-Key": key}, timeout=30)
    return response.status_code, response.content
