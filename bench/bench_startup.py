"""The mock's start-up, spawn to first answer, three ways side by side in interleaved rounds.

- ``store``: ``madaster-contracts mock`` on the snapshot store (validated when stored: no
  validation at start, the ceiling of the other two);
- ``--spec``: the real builds as published, validated in a child process beside the app's build
  (``contracts.spec_check``);
- ``--spec inline``: the same files validated in the mock's own process, as before (the child
  cannot start: ``sys.executable`` names no program, which is the fallback path).

    python bench/bench_startup.py [--rounds 7]

Prints min/median/max per way and the ratios of medians. Skips the ``--spec`` ways when
../shared/madaster-specs is absent. The servers' output is read to its end, so no pipe fills.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MADASTER_SHARED_SPECS", ROOT.parent / "shared" / "madaster-specs"))
INLINE = (
    "import sys; sys.executable = '/nonexistent/python'; from contracts.cli import main; sys.exit(main())"
)
URL = re.compile(rb"(http://127\.0\.0\.1:\d+/)")


def spawn_to_first_answer(argv: list[str]) -> float:
    """Seconds from spawn to the first answered health check; the process is stopped after."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    rest = threading.Thread(target=proc.stdout.read, daemon=True)  # drain: no pipe fills
    rest.start()
    match = URL.search(first)
    if match is None:
        proc.kill()
        raise SystemExit(f"the mock did not start: {first.decode(errors='replace').strip()}")
    urllib.request.urlopen(match.group(1).decode() + "__mock/health", timeout=30).read()
    elapsed = time.perf_counter() - started
    proc.terminate()
    proc.wait(timeout=30)
    rest.join(timeout=5)
    return elapsed


def _build(path: Path) -> int:
    """build-30855.json -> 30855: the newest build last."""
    digits = "".join(ch for ch in path.stem if ch.isdigit())
    return int(digits) if digits else -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    mock = [sys.executable, "-m", "contracts", "mock", "--port", "0", "-q"]
    ways: dict[str, list[str]] = {"store": mock}
    builds = [
        *sorted(SHARED.glob("v3.0/*.json"), key=_build)[-1:],
        *sorted(SHARED.glob("v4.0/*.yaml"), key=_build)[-1:],
    ]
    if len(builds) == 2:
        files = [arg for build in builds for arg in ("--spec", str(build))]
        ways["--spec"] = [*mock, *files]
        ways["--spec inline"] = [sys.executable, "-c", INLINE, "mock", "--port", "0", "-q", *files]
        print("builds:", ", ".join(f"{b.parent.name}/{b.name}" for b in builds))
    else:
        print(f"{SHARED} is absent: only the store start-up is measured")
    times: dict[str, list[float]] = {name: [] for name in ways}
    spawn_to_first_answer(mock)  # warm the file cache and the bytecode
    for _ in range(args.rounds):
        for name, argv in ways.items():
            times[name].append(spawn_to_first_answer(argv))
    load = os.getloadavg()[0]
    print(f"start-up, spawn to first answer, {args.rounds} interleaved rounds (load {load:.1f}):")
    for name, seconds in times.items():
        print(
            f"  {name:14} median {statistics.median(seconds):.2f} s"
            f"  (min {min(seconds):.2f}, max {max(seconds):.2f})"
        )
    if "--spec" in times:
        median = {name: statistics.median(seconds) for name, seconds in times.items()}
        print(
            f"  --spec / store {median['--spec'] / median['store']:.2f}x,"
            f"  --spec inline / --spec {median['--spec inline'] / median['--spec']:.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
