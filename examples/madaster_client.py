"""A team's own small Madaster client: the code ``test_my_client.py`` tests offline against the mock.

It is what a team would write (requests, a key, a retry on 503, polling a file until the platform
has processed it); nothing in it knows about the mock.
"""

from __future__ import annotations

import time
from typing import Any

import requests

DONE = frozenset({"Mapped", "Refined"})
FAILED = frozenset({"Error", "ImportFailed", "RefineFailed", "UnknownImportFile"})


class MadasterError(RuntimeError):
    """The API said no; ``status`` is its HTTP status."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status


class MadasterClient:
    def __init__(self, base_url: str, api_key: str, *, poll_interval: float = 0.05, retries: int = 2) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["X-API-Key"] = api_key
        self.poll_interval = poll_interval
        self.retries = retries

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        for attempt in range(self.retries + 1):
            response = self.session.request(method, self.base_url + path, timeout=10, **kwargs)
            if response.status_code == 503 and attempt < self.retries:
                time.sleep(min(float(response.headers.get("Retry-After", "0") or 0), 1.0))
                continue
            break
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise MadasterError(response.status_code, detail)
        return response.json() if response.content else None

    def building_names(self) -> list[str]:
        return sorted(b["name"] for b in self._call("GET", "/building"))

    def upload_ifc(self, building_id: str, name: str, content: bytes) -> str:
        """Register a source file and send its bytes; the platform then imports it (the file's id)."""
        record = {"type": "Source", "name": name, "preferredDatabaseIds": []}
        created = self._call("POST", f"/building/{building_id}/files", json=record)
        self._call(
            "POST",
            f"/building/{building_id}/files/{created['id']}/upload/{name}",
            data=content,
            headers={"Content-Type": "application/octet-stream"},
        )
        return str(created["id"])

    def wait_for_file(self, building_id: str, file_id: str, timeout: float = 30.0) -> str:
        """Poll a file until it is processed (its status) or failed (MadasterError 422)."""
        deadline = time.monotonic() + timeout
        while True:
            status = self._call("GET", f"/building/{building_id}/files/{file_id}/status")["status"]
            if status in DONE:
                return str(status)
            if status in FAILED:
                raise MadasterError(422, f"file {file_id} failed: {status}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"file {file_id} still {status} after {timeout} s")
            time.sleep(self.poll_interval)
