"""What uploads cost the mock's memory (RSS): the bytes go to a blob folder, not the process.

Usage (from the project root)::

    python bench/bench_upload_memory.py [--count 12] [--mib 15] [--store memory|sqlite:/tmp/state.db]

Starts ``madaster-contracts mock`` on the real v3.0 build 30855, reads the process's RSS from
/proc, uploads ``--count`` images of ``--mib`` MiB to the buildings (one per building, round
robin), fetches one back, resets through ``/__mock/reset`` and prints the RSS after each step next
to what the uploads would have held in the store as base64 (the layout before the blob folder).
Linux only; bounded by ``--count`` x ``--mib``.
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
KEY = {"X-API-Key": "dev-write"}


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def call(base: str, method: str, path: str, data: bytes | None = None, media: str = "") -> tuple[int, bytes]:
    headers = {**KEY, **({"Content-Type": media} if media else {})}
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def image(name: str, size: int) -> tuple[bytes, str]:
    head = f'--b0\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
    body = head.encode() + b"Content-Type: image/png\r\n\r\n" + b"\x89" * size + b"\r\n--b0--\r\n"
    return body, "multipart/form-data; boundary=b0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--mib", type=int, default=15)
    parser.add_argument("--store", default="memory")
    args = parser.parse_args()
    command = [sys.executable, "-m", "contracts", "mock", "--port", "0", "--spec", str(SPEC)]
    process = subprocess.Popen(
        [*command, "--store", args.store],
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
        buildings = [b["id"] for b in json.loads(call(base, "GET", "/api/v3.0/building")[1])]
        started = rss_mb(process.pid)
        print(f"{'step':<44} {'RSS MB':>8} {'as base64 MB':>13}")
        print(f"{'started':<44} {started:>8.1f} {started:>13.1f}")
        statuses = set()
        for n in range(args.count):
            body, media = image(f"upload-{n}.png", args.mib * 1024 * 1024)
            building = buildings[n % len(buildings)]
            statuses.add(call(base, "POST", f"/api/v3.0/building/{building}/images", body, media)[0])
        inline = started + args.count * args.mib * 4 / 3
        done = f"{args.count} uploads of {args.mib} MiB ({', '.join(map(str, sorted(statuses)))})"
        print(f"{done:<44} {rss_mb(process.pid):>8.1f} {inline:>13.1f}")
        listed = json.loads(call(base, "GET", f"/api/v3.0/building/{buildings[0]}/images")[1])
        url = listed[0]["url"].split("/downloads/", 1)[1]
        fetched = call(base, "GET", "/downloads/" + url)
        print(
            f"{f'one fetched back ({fetched[0]}, {len(fetched[1])} bytes)':<44} {rss_mb(process.pid):>8.1f}"
        )
        call(base, "POST", "/__mock/reset")
        time.sleep(0.5)
        print(f"{'after /__mock/reset':<44} {rss_mb(process.pid):>8.1f}")
    finally:
        process.terminate()
        process.wait(timeout=15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
