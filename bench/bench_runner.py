"""Benchmark: the offline contract run against the plain ``schemathesis run`` CLI, and scaling out.

Ours: ``madaster-contracts test`` without a base URL (the embedded mock, in-process WSGI),
all phases, --max-examples 10, per version, with ``--jobs 1`` (one process) and ``--jobs auto``
(a worker process per usable core). Peer: ``schemathesis run`` on the same spec file, same
--max-examples, ``-w 1`` (and ``-w 2``), against the same mock served over HTTP (waitress).
Every row prints wall time, test cases (as each tool counts them) and requests the mock
received, then the ratios. Run it once or twice; it takes a few minutes on 2 cores.

Scaling out (``--part parallel``): the pytest plugin's per-operation tests with ``-n 0`` and
with ``-n 2`` (pytest-xdist), and ``test --shard 1/2`` + ``2/2`` run side by side against the
whole run; wall time, cases and cases/s of each, and the ratios.

    python bench/bench_runner.py                      # every version in specs/, both parts
    python bench/bench_runner.py --part cli --spec ../shared/madaster-specs/v3.0/build-30855.json
    python bench/bench_runner.py --part parallel --max-examples 5
    python bench/bench_runner.py --part jobs          # --jobs 2 against two static shards side by side
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contracts.platform.leniency import find_and_repair  # noqa: E402
from contracts.runner import RunOptions, run_contracts  # noqa: E402
from contracts.runner.specs import SpecUnderTest, collect_specs  # noqa: E402

KEY = "bench-key-1234"


@dataclass
class Figures:
    wall: float
    cases: int
    requests: int
    failures: int | str

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.wall if self.wall else 0.0


class Counting:
    """WSGI middleware counting requests (in shared memory: ``--jobs`` workers count too)."""

    def __init__(self, app: Any, shared: Any = None) -> None:
        import multiprocessing

        self.app = app
        self.shared = shared if shared is not None else multiprocessing.Value("q", 0)

    @property
    def count(self) -> int:
        return int(self.shared.value)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        with self.shared.get_lock():
            self.shared.value += 1
        return self.app(environ, start_response)


def ours(spec_file: Path, max_examples: int, seed: int, jobs: int = 1) -> Figures:
    """Our offline run; with ``jobs`` > 1 the forked workers count into the same shared counter."""
    import multiprocessing

    import mockserver

    shared = multiprocessing.Value("q", 0)
    original = mockserver.create_app

    def counted(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)
        app.wsgi_app = Counting(app.wsgi_app, shared)
        return app

    mockserver.create_app = counted
    try:
        options = RunOptions(spec_files=[spec_file], max_examples=max_examples, seed=seed, jobs=jobs)
        started = time.perf_counter()
        run = run_contracts(options, stream=io.StringIO())
        wall = time.perf_counter() - started
    finally:
        mockserver.create_app = original
    failures = sum(len(v.failures) for v in run.versions)
    return Figures(wall, sum(v.cases for v in run.versions), int(shared.value), failures)


@contextmanager
def served_mock(spec: SpecUnderTest, doc: dict[str, Any]) -> Iterator[tuple[str, Counting]]:
    """The same mock our run builds (same document, same fallback), served over HTTP by waitress."""
    from waitress.server import create_server

    from contracts.runner.target import create_mock
    from mockserver import create_app
    from mockserver.auth.tokens import Token

    app = create_mock(create_app, spec, doc, [Token(key=KEY, name="bench", permission="write")], 0)
    counter = Counting(app)
    server = create_server(counter, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", counter
    finally:
        server.close()


def plain_cli(spec: SpecUnderTest, max_examples: int, seed: int, workers: int = 1) -> Figures:
    """The peer on the document our run tests (spec problems repaired), so both do the same work."""
    cli = Path(sys.executable).parent / "schemathesis"
    doc, _ = find_and_repair(spec.doc)
    with served_mock(spec, doc) as (url, counter), tempfile.TemporaryDirectory() as work:
        spec_file = Path(work) / "openapi.json"
        spec_file.write_text(json.dumps(doc))
        command = [
            str(cli),
            "run",
            str(spec_file),
            "--url",
            url,
            "-w",
            str(workers),
            "--max-examples",
            str(max_examples),
        ]
        command += ["--seed", str(seed), "-H", f"X-API-Key: {KEY}", "--no-color"]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
    output = done.stdout + done.stderr
    match = re.findall(r"([\d,]+) generated", output)
    cases = int(match[-1].replace(",", "")) if match else counter.count
    failures = re.findall(r"(\d+) failures?", output)
    return Figures(
        wall, cases, counter.count, failures[-1] if failures else (0 if done.returncode == 0 else "?")
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spec", action="append", default=[], type=Path, help="spec files (default: specs/)")
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-cli", action="store_true", help="only time our run")
    parser.add_argument(
        "--part",
        choices=("all", "cli", "parallel", "jobs"),
        default="all",
        help="jobs: only the CLI's whole run, two shards side by side and --jobs 2 (no pytest)",
    )
    args = parser.parse_args()

    specs = collect_specs([], args.spec, ROOT / "specs" if not args.spec else None)
    if args.part in ("all", "cli"):
        compare_with_cli(specs, args)
    if args.part in ("all", "parallel", "jobs"):
        from runner_scaling import compare_parallel  # bench/runner_scaling.py

        files = [Path(spec.source).resolve() for spec in specs]
        compare_parallel(files, args.max_examples, args.seed, with_pytest=args.part != "jobs")
    return 0


def compare_with_cli(specs: list[SpecUnderTest], args: argparse.Namespace) -> None:
    from contracts.runner.options import usable_cores

    cores = usable_cores()
    tools = [("ours -j 1", "ours", 1), (f"ours -j auto ({cores})", "ours", cores)]
    if not args.skip_cli:
        tools += [("schemathesis -w 1", "cli", 1), ("schemathesis -w 2", "cli", 2)]
    rows: list[tuple[str, dict[str, Figures]]] = []
    totals = {name: 0.0 for name, _, _ in tools}
    for spec in specs:
        figures: dict[str, Figures] = {}
        for name, kind, workers in tools:
            if kind == "ours":
                figures[name] = ours(Path(spec.source), args.max_examples, args.seed, jobs=workers)
            else:
                figures[name] = plain_cli(spec, args.max_examples, args.seed, workers=workers)
            totals[name] += figures[name].wall
        rows.append((spec.label, figures))
        print(f"{spec.label}: " + ", ".join(f"{n} {f.wall:.1f}s" for n, f in figures.items()), flush=True)

    print()
    print(f"max-examples {args.max_examples}, all phases, seed {args.seed}, {cores} usable core(s)")
    header = ("spec", "tool", "wall s", "cases", "cases/s", "mock requests", "req/s", "failures")
    widths = (8, 22, 7, 7, 8, 14, 7, 9)
    print("  ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for label, figures in rows:
        for name, fig in figures.items():
            values = (
                label,
                name,
                f"{fig.wall:.1f}",
                fig.cases,
                f"{fig.cases_per_second:.0f}",
                fig.requests,
                f"{fig.requests / fig.wall:.0f}" if fig.wall else "-",
                fig.failures,
            )
            print("  ".join(f"{v:>{w}}" for v, w in zip(values, widths, strict=True)))
        for mine, peer in ratios(list(figures)):
            a, b = figures[mine], figures[peer]
            if b.cases_per_second and b.requests and a.wall:
                print(
                    f"{label:>8}  {mine} / {peer}: {a.cases_per_second / b.cases_per_second:.2f}x cases/s, "
                    f"{(a.requests / a.wall) / (b.requests / b.wall):.2f}x requests/s, wall {b.wall / a.wall:.2f}x"
                )
    for name, wall in totals.items():
        print(f"{name}, all specs: {wall:.1f}s wall")
    best = min(totals[name] for name, kind, _ in tools if kind == "ours")
    goal = "met" if best < 60 else "NOT met"
    print(f"ours, all specs, fastest: {best:.1f}s wall (goal < 60 s: {goal})")


def ratios(names: list[str]) -> list[tuple[str, str]]:
    """(ours, peer) pairs to print: each of ours against ``-w 1``, the parallel one against ``-w 2``."""
    ours_names = [n for n in names if n.startswith("ours")]
    peers = [n for n in names if n.startswith("schemathesis")]
    pairs = [(mine, peers[0]) for mine in ours_names] if peers else []
    if len(peers) > 1 and len(ours_names) > 1:
        pairs.append((ours_names[-1], peers[1]))
    if len(ours_names) > 1:
        pairs.append((ours_names[-1], ours_names[0]))
    return pairs


if __name__ == "__main__":
    sys.exit(main())
