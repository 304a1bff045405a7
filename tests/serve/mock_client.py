"""Helpers for the serving tests: run the mock command as a process, make valid create bodies."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests

from tests.conftest import PROJECT_ROOT

WRITE = {"X-API-Key": "dev-write"}
READ = {"X-API-Key": "dev-read"}
_URL_RE = re.compile(r"Madaster API mock on (http://\S+?)/? ")


@dataclass
class MockProcess:
    process: subprocess.Popen
    base_url: str
    output: list[str] = field(default_factory=list)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> tuple[int, str, str]:
        """Send ``sig``; return (exit code, all stdout, all stderr)."""
        self.process.send_signal(sig)
        stdout, stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode, "".join(self.output) + stdout, stderr


@contextmanager
def mock_process(*args: str, timeout: float = 30) -> Iterator[MockProcess]:
    """Start ``madaster-contracts mock --port 0 ARGS`` and wait until it printed its URL and answers."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "contracts", "mock", "--port", "0", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def read_banner() -> None:
        assert process.stdout is not None
        for line in iter(process.stdout.readline, ""):
            lines.put(line)
            if line.startswith("Press Ctrl+C"):
                return

    threading.Thread(target=read_banner, daemon=True).start()
    deadline = time.monotonic() + timeout
    base_url = None
    try:
        while base_url is None:
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                if process.poll() is not None:
                    raise AssertionError(
                        f"the mock exited with {process.returncode}: {process.stderr.read()}"
                    ) from None
                if time.monotonic() > deadline:
                    raise AssertionError(f"the mock printed no URL within {timeout} s") from None
                continue
            output.append(line)
            match = _URL_RE.search(line)
            if match:
                base_url = match.group(1)
        while not any(line.startswith("Press Ctrl+C") for line in output):
            output.append(lines.get(timeout=max(0.01, deadline - time.monotonic())))
        running = MockProcess(process, base_url, output)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


@contextmanager
def two_mock_processes(*args: str) -> Iterator[tuple[MockProcess, MockProcess]]:
    """Two mock processes with the same arguments (e.g. one sqlite store)."""
    with mock_process(*args) as first, mock_process(*args) as second:
        yield first, second


def building_body(base_url: str, name: str, **extra: object) -> dict:
    """A valid v3.0 create-building body under one of the mock's fixture folders."""
    folders = requests.get(f"{base_url}/api/v3.0/folder", headers=READ, timeout=10).json()
    return {
        "folderId": folders[0]["id"],
        "name": name,
        "phase": first_enum_value(base_url, "BuildingPhase"),
        "completionDate": "2024-05-01T00:00:00Z",
        "buildingUsage": "Office",
        "grossSurfaceArea": 1000.0,
        "materialClassificationTypeId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        **extra,
    }


def first_enum_value(base_url: str, schema: str) -> object:
    spec = requests.get(f"{base_url}/api/v3.0/swagger.json", timeout=10).json()
    return spec["components"]["schemas"][schema]["enum"][0]
