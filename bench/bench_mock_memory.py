"""What large entities cost the mock's memory (RSS), and what a reset gives back.

Usage (from the project root)::

    python bench/bench_mock_memory.py [--count 6] [--store memory|sqlite:/tmp/state.db]

Starts ``madaster-contracts mock`` on the real v3.0 build 30855, reads the process's RSS from
/proc, stores ``--count`` buildings of just under the 1 MiB entity cap, sends one body beyond the
cap (expects 413), resets through ``/__mock/reset`` and prints the RSS after each step. Linux only.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "madaster-specs" / "v3.0" / "build-30855.json"
HEADERS = {"X-API-Key": "dev-write", "Content-Type": "application/json"}


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def call(base: str, method: str, path: str, body: object = None) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--store", default="memory")
    args = parser.parse_args()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "contracts",
            "mock",
            "--port",
            "0",
            "--spec",
            str(SPEC),
            "--store",
            args.store,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        base = next(
            m.group(1) for line in process.stdout if (m := re.search(r"mock on (http://\S+?)/? ", line))
        )
        time.sleep(0.5)
        folder = call(base, "GET", "/api/v3.0/folder")[1][0]["id"]  # type: ignore[index]
        spec = json.loads(SPEC.read_text())
        phase = spec["components"]["schemas"]["BuildingPhase"]["enum"][0]
        body = {
            "folderId": folder,
            "phase": phase,
            "completionDate": "2024-05-01T00:00:00Z",
            "buildingUsage": "Office",
            "grossSurfaceArea": 1000.0,
            "materialClassificationTypeId": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        }
        print(f"{'step':<40} {'RSS MB':>8}")
        print(f"{'started':<40} {rss_mb(process.pid):>8.1f}")
        statuses = [
            call(base, "POST", "/api/v3.0/building", {**body, "name": "x" * (1_000_000 - n)})[0]
            for n in range(args.count)
        ]
        print(f"{f'{args.count} entities of ~0.95 MiB ({statuses[0]})':<40} {rss_mb(process.pid):>8.1f}")
        over = call(base, "POST", "/api/v3.0/building", {**body, "name": "x" * 15_000_000})[0]
        print(f"{f'one 15 MB body ({over})':<40} {rss_mb(process.pid):>8.1f}")
        call(base, "POST", "/__mock/reset")
        time.sleep(0.5)
        print(f"{'after /__mock/reset':<40} {rss_mb(process.pid):>8.1f}")
    finally:
        process.terminate()
        process.wait(timeout=15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
