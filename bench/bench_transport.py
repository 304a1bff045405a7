"""The run's lean in-process transport against schemathesis's own WSGI transport, side by side.

Usage (from the project root)::

    python bench/bench_transport.py [--cases 300] [--rounds 5] [--spec specs/v3.0/baseline.yaml]

Draws the same cases for every operation of the spec once, then sends each case through both
transports in alternating rounds to an app that answers at once (so only the transport is timed):
µs per request of each, and the ratio. Then, for the whole picture, one ``test`` run with one
process (the embedded mock, max-examples 10) with each transport: wall and CPU seconds and the ratio.
Each whole run is a fresh process (a second run in one process finds hypothesis's caches warm),
alternated ``--pairs`` times. On shared cores compare the ratios, not the absolutes.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import schemathesis  # noqa: E402
import yaml  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis import transport as schemathesis_transport  # noqa: E402
from schemathesis.transport.wsgi import WSGI_TRANSPORT  # noqa: E402

from contracts.runner import RunOptions, run_contracts  # noqa: E402
from contracts.runner.wsgi_transport import LEAN, install  # noqa: E402


def answering(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"id": "1", "name": "a building"}']


def draw_cases(spec: Path, per_operation: int) -> list[Any]:
    schema = schemathesis.openapi.from_dict(yaml.safe_load(spec.read_text()))
    cases: list[Any] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(operation.as_strategy())
        @settings(
            max_examples=per_operation, database=None, deadline=None, suppress_health_check=list(HealthCheck)
        )
        def keep(case: Any) -> None:
            cases.append(case)

        keep()
    return cases


def per_request(transport: Any, cases: list[Any]) -> float:
    session = requests.Session()
    kwargs = {"headers": {"X-API-Key": "k"}, "timeout": 10, "max_redirects": 3, "verify": False, "cert": None}
    started = time.perf_counter()
    for case in cases:
        transport.send(case, session=session, app=answering, **kwargs)
    return (time.perf_counter() - started) / len(cases) * 1e6


def whole_run(spec: Path, lean: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one offline run in a fresh process, with or without the lean transport."""
    command = [sys.executable, __file__, "--spec", str(spec), "--one-run", "lean" if lean else "theirs"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    wall, cpu = done.stdout.split()[-2:]
    return float(wall), float(cpu)


def one_run(spec: Path, lean: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one offline run in this process."""
    from contracts.runner import wsgi_transport

    if not lean:  # the run's chain is still marked, but schemathesis is never told of the mark
        wsgi_transport.install = lambda: None
    cpu, wall = time.process_time(), time.perf_counter()
    run_contracts(RunOptions(spec_files=[spec], max_examples=10, seed=1, jobs=1), stream=io.StringIO())
    assert (schemathesis_transport.get(object()) is WSGI_TRANSPORT) and lean == getattr(
        schemathesis_transport.get, wsgi_transport.LEAN_MARK, False
    )
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spec", type=Path, default=ROOT / "specs" / "v3.0" / "baseline.yaml")
    parser.add_argument("--cases", type=int, default=10, help="cases drawn per operation")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-run", action="store_true", help="only the transports, no whole run")
    parser.add_argument("--pairs", type=int, default=2, help="whole runs of each, alternated")
    parser.add_argument("--one-run", choices=("lean", "theirs"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:
        print(*one_run(args.spec, args.one_run == "lean"))
        return 0
    install()
    cases = draw_cases(args.spec, args.cases)
    print(f"{len(cases)} cases of {args.spec.name}; load {os.getloadavg()[0]:.2f}", flush=True)
    theirs: list[float] = []
    ours: list[float] = []
    for _ in range(args.rounds):
        theirs.append(per_request(WSGI_TRANSPORT, cases))
        ours.append(per_request(LEAN, cases))
    best_theirs, best_ours = min(theirs), min(ours)
    print(f"schemathesis WSGI transport: {best_theirs:7.1f} µs/request (best of {args.rounds})")
    print(f"lean transport:              {best_ours:7.1f} µs/request")
    print(f"ratio: {best_theirs / best_ours:.2f}x fewer µs per request")
    if not args.skip_run:
        runs: dict[str, list[tuple[float, float]]] = {"schemathesis WSGI": [], "lean": []}
        for _ in range(args.pairs):
            for name, rows in runs.items():
                rows.append(whole_run(args.spec, lean=name == "lean"))
                print(
                    f"whole run -j 1, {name:>17}: {rows[-1][0]:5.1f} s wall, {rows[-1][1]:5.1f} s CPU",
                    flush=True,
                )
        (wall_a, cpu_a), (wall_b, cpu_b) = (
            (sum(w for w, _ in rows) / len(rows), sum(c for _, c in rows) / len(rows))
            for rows in runs.values()
        )
        print(f"whole run, mean of {args.pairs}: lean {wall_a / wall_b:.2f}x wall, {cpu_a / cpu_b:.2f}x CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
