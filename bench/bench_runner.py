"""Benchmark: the offline contract run against the plain ``schemathesis run`` CLI, and scaling out.

Ours: ``madaster-contracts test`` without a base URL (the embedded mock, in-process WSGI),
all phases, --max-examples 10, per version. Peer: ``schemathesis run`` on the same spec
file, same --max-examples, ``-w 1``, against the same mock served over HTTP (waitress).
Both sides print wall time, test cases (as each tool counts them) and requests the mock
received, then the ratios. Run it once or twice; it takes a few minutes on 2 cores.

Scaling out (``--part parallel``): the pytest plugin's per-operation tests with ``-n 0`` and
with ``-n 2`` (pytest-xdist), and ``test --shard 1/2`` + ``2/2`` run side by side against the
whole run; wall time, cases and cases/s of each, and the ratios.

    python bench/bench_runner.py                      # every version in specs/, both parts
    python bench/bench_runner.py --part cli --spec ../shared/madaster-specs/v3.0/build-30855.json
    python bench/bench_runner.py --part parallel --max-examples 5
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
    """WSGI middleware counting requests."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Any) -> Any:
        with self.lock:
            self.count += 1
        return self.app(environ, start_response)


def ours(spec_file: Path, max_examples: int, seed: int) -> Figures:
    import mockserver

    counters: list[Counting] = []
    original = mockserver.create_app

    def counted(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)
        counter = Counting(app.wsgi_app)
        app.wsgi_app = counter
        counters.append(counter)
        return app

    mockserver.create_app = counted
    try:
        started = time.perf_counter()
        run = run_contracts(
            RunOptions(spec_files=[spec_file], max_examples=max_examples, seed=seed), stream=io.StringIO()
        )
        wall = time.perf_counter() - started
    finally:
        mockserver.create_app = original
    failures = sum(len(v.failures) for v in run.versions)
    return Figures(wall, sum(v.cases for v in run.versions), sum(c.count for c in counters), failures)


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


def plain_cli(spec: SpecUnderTest, max_examples: int, seed: int) -> Figures:
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
            "1",
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
    parser.add_argument("--part", choices=("all", "cli", "parallel"), default="all")
    args = parser.parse_args()

    specs = collect_specs([], args.spec, ROOT / "specs" if not args.spec else None)
    if args.part in ("all", "cli"):
        compare_with_cli(specs, args)
    if args.part in ("all", "parallel"):
        from runner_scaling import compare_parallel  # bench/runner_scaling.py

        compare_parallel([Path(spec.source).resolve() for spec in specs], args.max_examples, args.seed)
    return 0


def compare_with_cli(specs: list[SpecUnderTest], args: argparse.Namespace) -> None:
    rows = []
    total_ours = Figures(0.0, 0, 0, 0)
    for spec in specs:
        spec_file = Path(spec.source)
        mine = ours(spec_file, args.max_examples, args.seed)
        peer = None if args.skip_cli else plain_cli(spec, args.max_examples, args.seed)
        rows.append((spec.label, mine, peer))
        total_ours = Figures(total_ours.wall + mine.wall, total_ours.cases + mine.cases, 0, 0)
        print(
            f"{spec.label}: ours {mine.wall:.1f}s" + (f", plain CLI {peer.wall:.1f}s" if peer else ""),
            flush=True,
        )

    print()
    print(f"max-examples {args.max_examples}, all phases, seed {args.seed}")
    header = ("spec", "tool", "wall s", "cases", "cases/s", "mock requests", "req/s", "failures")
    print("  ".join(f"{h:>13}" for h in header))
    for label, mine, peer in rows:
        for tool, fig in (("ours (WSGI)", mine), ("schemathesis", peer)):
            if fig is None:
                continue
            print(
                "  ".join(
                    f"{v:>13}"
                    for v in (
                        label,
                        tool,
                        f"{fig.wall:.1f}",
                        fig.cases,
                        f"{fig.cases_per_second:.0f}",
                        fig.requests,
                        f"{fig.requests / fig.wall:.0f}" if fig.wall else "-",
                        fig.failures,
                    )
                )
            )
        if peer is not None and peer.cases_per_second:
            print(
                f"{label:>13}  ratio: {mine.cases_per_second / peer.cases_per_second:.1f}x cases/s, "
                f"{(mine.requests / mine.wall) / (peer.requests / peer.wall):.1f}x requests/s, "
                f"wall {peer.wall / mine.wall:.1f}x faster"
            )
    goal = "met" if total_ours.wall < 60 else "NOT met"
    print(f"\nours, all specs: {total_ours.wall:.1f}s wall, {total_ours.cases} cases (goal < 60 s: {goal})")


if __name__ == "__main__":
    sys.exit(main())
