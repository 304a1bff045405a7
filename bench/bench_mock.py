"""Throughput and latency of the mock (waitress) against Stoplight Prism 5.16, on the same spec and load.

Usage (from the project root)::

    cd bench/prism && npm install          # Prism 5.16.0, once
    apt-get install -y wrk           # the load generator, once
    python bench/bench_mock.py [--duration 10] [--connections 50] [--profile]

Both servers serve the real v3.0 build 30855 (read from ../shared/madaster-specs). For each scenario
(GET list, GET by id, POST create) wrk runs with the same connections and duration against each
server in turn; the script prints req/s, p50 and p99 side by side with the ratios, then the start-up
time of each server (process spawn to first answer). ``--profile`` also samples our server with
py-spy during the runs and prints the functions where the time goes.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "madaster-specs" / "v3.0" / "build-30855.json"
PRISM = ROOT / "bench" / "prism" / "node_modules" / ".bin" / "prism"
KEY = "dev-write"
ANY_UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method: str, url: str, body: dict | None = None, timeout: float = 5) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"X-API-Key": KEY})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def start(cmd: list[str], ready_url: str, timeout: float = 60) -> tuple[subprocess.Popen, float]:
    """Start a server; return it and the seconds from spawn until it answered ``ready_url``."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
        errors="replace",
    )
    output = drain(proc)
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            time.sleep(0.1)  # the reader takes the last lines
            sys.exit(f"{cmd[0]} exited early: {''.join(output)[-2000:]}")
        try:
            urllib.request.urlopen(
                urllib.request.Request(ready_url, headers={"X-API-Key": KEY}), timeout=0.5
            ).read()
            return proc, time.perf_counter() - started
        except urllib.error.HTTPError:
            return proc, time.perf_counter() - started
        except OSError:
            time.sleep(0.01)
    stop(proc)
    sys.exit(f"{cmd[0]} did not answer {ready_url} within {timeout} s")


def drain(proc: subprocess.Popen) -> collections.deque[str]:
    """Read a server's output as it comes (its last lines kept for an error message).

    A pipe nobody reads fills up, and a server writing to it (a warning per request under load)
    then blocks: the benchmark would measure a frozen server."""
    lines: collections.deque[str] = collections.deque(maxlen=200)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)

    threading.Thread(target=read, name=f"output-of-{proc.pid}", daemon=True).start()
    return lines


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _millis(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, method: str, body: dict | None, duration: int, connections: int) -> dict[str, float]:
    """One wrk run: req/s, p50 and p99 in ms, and the count of non-2xx answers."""
    lua = [f'wrk.method = "{method}"', f'wrk.headers["X-API-Key"] = "{KEY}"']
    if body is not None:
        lua += ['wrk.headers["Content-Type"] = "application/json"', f"wrk.body = [[{json.dumps(body)}]]"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lua) + "\n")
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _millis(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": _millis(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "non2xx": float(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)) else 0.0,
        "errors": float(sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))),
    }
    return result


def building_body(folder_id: str) -> dict:
    doc = json.loads(SPEC.read_text())
    phases = doc["components"]["schemas"]["BuildingPhase"].get("enum") or ["Design"]
    return {
        "folderId": folder_id,
        "name": "Bench building",
        "phase": phases[0],
        "completionDate": "2024-01-01T00:00:00Z",
        "buildingUsage": "Office",
        "grossSurfaceArea": 1200.5,
        "materialClassificationTypeId": ANY_UUID,
        "externalId": "bench",
    }


def scenarios(base: str, building_id: str, folder_id: str) -> list[tuple[str, str, str, dict | None]]:
    api = f"{base}/api/v3.0"
    return [
        ("GET list", "GET", f"{api}/building", None),
        ("GET by id", "GET", f"{api}/building/{building_id}", None),
        ("POST create", "POST", f"{api}/building", building_body(folder_id)),
    ]


def our_ids(base: str) -> tuple[str, str]:
    """A building and a folder of the mock's seeded fixtures."""
    status, buildings = call("GET", f"{base}/api/v3.0/building")
    status2, folders = call("GET", f"{base}/api/v3.0/folder")
    if status != 200 or status2 != 200 or not buildings or not folders:
        sys.exit(f"the mock has no fixture buildings/folders to benchmark with ({status}, {status2})")
    return buildings[0]["id"], folders[0]["id"]


_IDLE_LEAF = re.compile(r"(^|\.)(wait|acquire|poll|select|sleep|_wait_for_tstate_lock) ")


def profile_summary(raw_path: Path, top: int = 25) -> str:
    """Self and inclusive sample shares per function from a py-spy raw (collapsed stacks) file."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw_path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [re.sub(r" \((.*?)/([^/]+\.py):\d+\)", r" (\2)", f) for f in stack.split(";")]
        if _IDLE_LEAF.search(frames[-1]):
            continue  # a thread waiting for work or for the GIL-free poll: not where time is spent
        n = int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    lines = [f"busy samples: {total}", "self time:"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    lines.append("inclusive time (app frames):")
    plumbing = ("threading.py", "runpy", "(cli.py", "(__main__.py", "<module>", "handler_thread")
    app_frames = [(f, n) for f, n in inclusive.most_common() if not any(p in f for p in plumbing)]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in app_frames[:top]]
    return "\n".join(lines)


def start_profiler(pid: int, raw_profile: Path) -> subprocess.Popen:
    """py-spy on the mock, only samples holding the GIL (time waiting for it is not work)."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        sys.exit("py-spy is needed for --profile: pip install py-spy")
    cmd = [py_spy, "record", "--pid", str(pid), "--format", "raw", "-o", str(raw_profile)]
    cmd += ["--rate", "200", "--nonblocking", "--gil"]
    profiler = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return profiler


def start_servers(
    args: argparse.Namespace,
) -> tuple[dict[str, subprocess.Popen], dict[str, str], dict[str, float]]:
    """Start the mock, then Prism (one after the other, so each start-up is timed alone)."""
    procs: dict[str, subprocess.Popen] = {}
    bases: dict[str, str] = {}
    startup: dict[str, float] = {}
    port = free_port()
    bases["mock"] = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "contracts", "mock", "--spec", str(SPEC), "--port", str(port)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    cmd += ["--store", args.store]
    procs["mock"], startup["mock"] = start(cmd, f"{bases['mock']}/api/v3.0/account")
    if not args.skip_prism:
        port = free_port()
        bases["prism"] = f"http://127.0.0.1:{port}"
        # -v warn: no log line per request (the mock logs none either without --verbose)
        prism_cmd = [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "warn", str(SPEC)]
        procs["prism"], startup["prism"] = start(prism_cmd, f"{bases['prism']}/api/v3.0/account")
    return procs, bases, startup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load per server first")
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs per scenario and server; the best is kept"
    )
    parser.add_argument("--threads", type=int, default=None, help="waitress threads of the mock")
    parser.add_argument("--store", default="memory", help="the mock's --store (memory or sqlite:PATH)")
    parser.add_argument("--profile", action="store_true", help="sample the mock with py-spy during its runs")
    parser.add_argument("--skip-prism", action="store_true")
    args = parser.parse_args()

    if not SPEC.is_file():
        print(f"skipped: the real spec build is not at {SPEC}")
        return 0
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    if not args.skip_prism and not PRISM.exists():
        sys.exit("Prism is needed: cd bench/prism && npm install")

    procs, bases, startup = start_servers(args)
    runs: dict[str, list[tuple[str, str, str, dict | None]]] = {}
    results: dict[str, dict[str, dict[str, float]]] = {server: {} for server in procs}
    profiler = None
    raw_profile = Path(tempfile.gettempdir()) / f"mock-profile-{os.getpid()}.txt"
    try:
        building_id, folder_id = our_ids(bases["mock"])
        status, created = call("POST", f"{bases['mock']}/api/v3.0/building", building_body(folder_id))
        if status != 201:
            sys.exit(f"the mock refused the benchmark's create body: {status} {created}")
        runs["mock"] = scenarios(bases["mock"], building_id, folder_id)
        if "prism" in procs:
            runs["prism"] = scenarios(bases["prism"], ANY_UUID, ANY_UUID)
        if args.profile:
            profiler = start_profiler(procs["mock"].pid, raw_profile)
        for server_runs in runs.values():
            _, method, url, body = server_runs[0]
            wrk(url, method, body, args.warmup, args.connections)  # JIT, caches, pools
        # Interleaved (mock, prism, mock, prism...) so a change in the machine's load hits both alike.
        for index in range(len(runs["mock"])):
            for _ in range(args.repeat):
                for server, server_runs in runs.items():
                    name, method, url, body = server_runs[index]
                    figures = wrk(url, method, body, args.duration, args.connections)
                    best = results[server].get(name)
                    if best is None or figures["rps"] > best["rps"]:
                        results[server][name] = figures
    finally:
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(30)
        for proc in procs.values():
            stop(proc)
    report(results, startup, args)
    if args.profile and raw_profile.exists():
        print("\nprofile of the mock under load (py-spy, GIL-holding samples):")
        print(profile_summary(raw_profile))
    return 0


def report(
    results: dict[str, dict[str, dict[str, float]]], startup: dict[str, float], args: argparse.Namespace
) -> None:
    print(
        f"\nspec: {SPEC.name} (v3.0); wrk -t2 -c{args.connections} -d{args.duration}s, best of {args.repeat}"
        f" interleaved runs; {os.cpu_count()} cores shared by server and load generator\n"
    )
    header = f"{'scenario':<12} {'mock req/s':>10} {'prism req/s':>11} {'ratio':>6}   {'p50 mock':>9} {'p50 prism':>9}"
    header += f"   {'p99 mock':>9} {'p99 prism':>9} {'p99 ratio':>9}"
    print(header)
    for name, ours in results["mock"].items():
        theirs = results.get("prism", {}).get(name)
        row = f"{name:<12} {ours['rps']:>10.0f} "
        if theirs:
            row += f"{theirs['rps']:>11.0f} {ours['rps'] / theirs['rps']:>5.1f}x   "
            row += f"{ours['p50']:>7.1f}ms {theirs['p50']:>7.1f}ms   {ours['p99']:>7.1f}ms {theirs['p99']:>7.1f}ms"
            row += f" {theirs['p99'] / ours['p99']:>8.1f}x"
        else:
            row += f"{'-':>11} {'-':>6}   {ours['p50']:>7.1f}ms {'-':>9}   {ours['p99']:>7.1f}ms"
        print(row)
        for server, figures in (("mock", ours), ("prism", theirs or {})):
            if figures.get("non2xx") or figures.get("errors"):
                print(
                    f"  note: {server}: {figures['non2xx']:.0f} non-2xx answers, {figures['errors']:.0f} errors"
                )
    print(
        "(ratio = mock req/s / prism req/s; p99 ratio = prism p99 / mock p99: above 1 = the mock's tail is lower)"
    )
    print(
        "\nstart-up (spawn to first answer): "
        + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in startup.items())
    )


if __name__ == "__main__":
    sys.exit(main())
