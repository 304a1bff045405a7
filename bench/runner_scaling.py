"""Scaling out, measured: pytest-xdist over the plugin's per-operation tests, and CLI shards.

Both sides run the same work on the same machine in one go, so the ratios compare like with
like: ``-n 0`` against ``-n 2`` (one test per operation, spread over two worker processes),
and the whole ``test`` run (``--jobs 1``) against ``--shard 1/2`` and ``--shard 2/2`` started side by
side (what a two-job CI matrix does) and against one ``test --jobs 2`` run. Each prints wall time, cases and cases/s.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEAM_TEST = """
def test_madaster(madaster_contract):
    assert madaster_contract.passed, madaster_contract.report()
    CASES.append(sum(v.cases for v in madaster_contract.versions))


CASES = []
"""
CONFTEST = """
import os

def pytest_sessionfinish(session):
    from test_contracts import CASES
    path = os.environ.get("CASES_FILE")
    if path:
        with open(path + "." + os.environ.get("PYTEST_XDIST_WORKER", "main"), "w") as handle:
            handle.write(str(sum(CASES)))
"""


@dataclass
class Timed:
    label: str
    wall: float
    cases: int
    ok: bool

    @property
    def rate(self) -> float:
        return self.cases / self.wall if self.wall else 0.0


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("MADASTER_BASE_URL", None)
    return env


def pytest_run(specs: list[Path], max_examples: int, seed: int, workers: int) -> Timed:
    with tempfile.TemporaryDirectory() as work:
        Path(work, "test_contracts.py").write_text(TEAM_TEST)
        Path(work, "conftest.py").write_text(CONFTEST)
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", str(workers)]
        command += [f"--madaster-spec={spec}" for spec in specs]
        command += [f"--madaster-max-examples={max_examples}", f"--madaster-seed={seed}"]
        env = environment() | {"CASES_FILE": str(Path(work, "cases"))}
        started = time.perf_counter()
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        cases = sum(int(p.read_text() or 0) for p in Path(work).glob("cases.*"))
    label = f"pytest -n {workers}" if workers else "pytest -n 0"
    return Timed(label, wall, cases, _green(done.returncode, done.stdout + done.stderr))


def cli_runs(
    specs: list[Path], max_examples: int, seed: int, shards: list[str | None], jobs: str = "1"
) -> Timed:
    """The CLI run(s) started together, each with ``--jobs`` (1: one process); wall time until the last ends."""
    with tempfile.TemporaryDirectory() as work:
        processes = []
        started = time.perf_counter()
        for shard in shards:
            command = [sys.executable, "-m", "contracts", "test", "--max-examples", str(max_examples)]
            command += ["--seed", str(seed)] + [arg for spec in specs for arg in ("--spec", str(spec))]
            command += ["--shard", shard] if shard else []
            command += ["--jobs", jobs]
            processes.append(
                subprocess.Popen(
                    command,
                    cwd=work,
                    env=environment(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )
        outputs = [process.communicate()[0] for process in processes]
        wall = time.perf_counter() - started
    cases = sum(int(n) for out in outputs for n in re.findall(r"operations, (\d+) cases", out))
    ok = all(_green(process.returncode, out) for process, out in zip(processes, outputs, strict=True))
    label = (
        ("test (whole run)" if jobs == "1" else f"test --jobs {jobs} (one run)")
        if shards == [None]
        else f"test --shard 1..{len(shards)}/{len(shards)} side by side"
    )
    return Timed(label, wall, cases, ok)


def _green(code: int, output: str) -> bool:
    """Whether a run passed; a failed one shows its last lines, so a broken set-up is not a figure."""
    if code != 0:
        print("\n".join(output.strip().splitlines()[-15:]), file=sys.stderr)
    return code == 0


def compare_parallel(specs: list[Path], max_examples: int, seed: int, *, with_pytest: bool = True) -> None:
    print(
        f"\nscaling out on {os.cpu_count()} cores: {', '.join(s.name for s in specs)}, max-examples {max_examples}"
    )
    whole = cli_runs(specs, max_examples, seed, [None])
    pairs = [
        (whole, cli_runs(specs, max_examples, seed, ["1/2", "2/2"])),
        (whole, cli_runs(specs, max_examples, seed, [None], jobs="2")),
    ]
    if with_pytest:
        pairs.insert(0, (pytest_run(specs, max_examples, seed, 0), pytest_run(specs, max_examples, seed, 2)))
    print(f"{'':44}{'wall s':>9}{'cases':>9}{'cases/s':>9}  green")
    for serial, parallel in pairs:
        for timed in (serial, parallel):
            print(f"{timed.label:44}{timed.wall:9.1f}{timed.cases:9d}{timed.rate:9.0f}  {timed.ok}")
        print(f"{'  speed-up (wall, serial / parallel)':44}{serial.wall / parallel.wall:9.2f}x")
