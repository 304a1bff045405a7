"""The validating proxy's added latency: the mock alone, and the mock behind the proxy, in one run.

Usage (from the project root)::

    python bench/bench_proxy.py [--requests 400] [--spec ../shared/madaster-specs/v3.0/build-30855.json]

Starts the mock and the proxy (``--target`` the mock) as separate processes on 127.0.0.1, then
sends the same requests to each, one at a time over one keep-alive connection, alternating
between the two in blocks of 20 so both see the same machine noise. Per scenario (GET list,
GET by id, POST create) it prints p50 and p99 without and with the proxy, the added
milliseconds and the ratio. The request count is bounded; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "madaster-specs" / "v3.0" / "build-30855.json"
KEY = "dev-write"
BLOCK = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], ready: str, timeout: float = 60) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "contracts", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{args[0]} exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(ready, timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{args[0]} did not answer within {timeout}s")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Client:
    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call(self, method: str, path: str, body: bytes | None = None) -> tuple[float, int, bytes]:
        headers = {"X-API-Key": KEY}
        if body is not None:
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        return (time.perf_counter() - started) * 1000, response.status, data


def valid_create_body(spec: Path, folder: str) -> dict:
    """A POST /building body generated from the spec by the mock's own generator (valid by construction)."""
    sys.path.insert(0, str(ROOT))
    from mockserver import create_app

    runtime = create_app([spec]).extensions["mockserver"]["runtimes"]["v3.0"]
    operation = next(
        o for o in runtime.operations if o.method == "POST" and o.template == "/api/v3.0/building"
    )
    schema = next(s for media, s in operation.body.media.items() if "json" in media)
    body = runtime.generator.value(runtime.converted(schema, response=False), runtime.rng("bench"))
    from mockserver.behaviour.catalogue_refs import known_references

    return {**body, **known_references(runtime, "building", body), "folderId": folder}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario and side (max 5000)")
    parser.add_argument("--spec", type=Path, default=SPEC)
    args = parser.parse_args()
    count = max(BLOCK, min(args.requests, 5000))
    if not args.spec.is_file():
        raise SystemExit(f"{args.spec}: not found (the real builds live in ../shared/madaster-specs)")
    mock_port, proxy_port = free_port(), free_port()
    mock = start(
        ["mock", "--spec", str(args.spec), "--port", str(mock_port)],
        f"http://127.0.0.1:{mock_port}/__mock/health",
    )
    proxy = None
    try:
        proxy = start(
            [
                "proxy",
                "--target",
                f"http://127.0.0.1:{mock_port}",
                "--spec",
                str(args.spec),
                "--port",
                str(proxy_port),
            ],
            f"http://127.0.0.1:{proxy_port}/__mock/health",
        )
        direct, proxied = Client(mock_port), Client(proxy_port)
        _, _, listed = direct.call("GET", "/api/v3.0/building")
        building = json.loads(listed)[0]
        folder = json.loads(direct.call("GET", "/api/v3.0/folder")[2])[0]["id"]
        create = valid_create_body(args.spec, folder)
        scenarios = [
            ("GET list /building", "GET", "/api/v3.0/building", None),
            ("GET by id /building/{id}", "GET", f"/api/v3.0/building/{building['id']}", None),
            ("POST create /building", "POST", "/api/v3.0/building", json.dumps(create).encode()),
        ]
        print(
            f"{count} requests per scenario and side, sequential, keep-alive, 127.0.0.1; spec {args.spec.name}"
        )
        print(
            f"{'scenario':28} {'mock p50':>9} {'proxy p50':>10} {'added':>8} {'mock p99':>9} {'proxy p99':>10} {'ratio p50':>10}"
        )
        for name, method, path, body in scenarios:
            timings: dict[str, list[float]] = {"mock": [], "proxy": []}
            statuses: set[tuple[str, int]] = set()
            for _ in range(5):  # warm-up: compiled validators, kept-alive connections
                direct.call(method, path, body)
                proxied.call(method, path, body)
            for block in range(count // BLOCK):
                order = (
                    (("mock", direct), ("proxy", proxied))
                    if block % 2 == 0
                    else (("proxy", proxied), ("mock", direct))
                )
                for side, client in order:
                    for _ in range(BLOCK):
                        ms, status, _ = client.call(method, path, body)
                        timings[side].append(ms)
                        statuses.add((side, status))
            m50, p50 = statistics.median(timings["mock"]), statistics.median(timings["proxy"])
            m99, p99 = percentile(timings["mock"], 0.99), percentile(timings["proxy"], 0.99)
            print(
                f"{name:28} {m50:8.2f}ms {p50:9.2f}ms {p50 - m50:+7.2f}ms {m99:8.2f}ms {p99:9.2f}ms {p50 / m50:9.2f}x"
                f"   statuses {sorted(statuses)}"
            )
    finally:
        if proxy is not None:
            stop(proxy)
        stop(mock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
