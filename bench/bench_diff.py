"""Time `madaster-contracts diff` on every consecutive pair of the real builds, side by side with Optic.

Run from the project root:  python bench/bench_diff.py [--repeat N] [--no-optic]
Optic (npm @useoptic/optic) is installed with `cd bench && npm install` (see bench/package.json).
Figures: in-process (parse both files + diff), the diff alone, the whole CLI call in a fresh
process, and Optic's `optic diff OLD NEW --check` on the same files; plus how many findings each
tool calls breaking.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contracts.diff import diff_specs  # noqa: E402
from contracts.spec_loader import load_spec_file  # noqa: E402

SHARED = Path(os.environ.get("MADASTER_SHARED_SPECS", ROOT.parent / "shared" / "madaster-specs"))
OPTIC = ROOT / "bench" / "node_modules" / ".bin" / "optic"


def pairs() -> list[tuple[Path, Path]]:
    out = []
    for folder in sorted(SHARED.glob("v*")):
        builds = sorted(
            (p for p in folder.glob("build-*") if p.suffix in (".json", ".yaml", ".yml")),
            key=lambda p: int(p.stem.split("-")[1]),
        )
        out.extend(zip(builds, builds[1:], strict=False))
    return out


def label(path: Path) -> str:
    return f"{path.parent.name}@{path.stem.split('-')[1]}"


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(old: Path, new: Path, repeat: int) -> tuple[float, float, int]:
    def full() -> int:
        return diff_specs(load_spec_file(old, validate=False), load_spec_file(new, validate=False)).summary()[
            "breaking"
        ]

    a, b = load_spec_file(old, validate=False), load_spec_file(new, validate=False)
    breaking = full()
    return median_time(full, repeat), median_time(lambda: diff_specs(a, b), repeat), breaking


def cli(old: Path, new: Path, repeat: int) -> float:
    cmd = [
        sys.executable,
        "-m",
        "contracts",
        "diff",
        str(old),
        str(new),
        "--format",
        "json",
        "--fail-on",
        "never",
    ]

    def call() -> None:
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)

    return median_time(call, repeat)


def optic_unavailable() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not OPTIC.exists():
        return f"{OPTIC} not found: run `cd bench && npm install` (needs npm registry access)"
    return None


_CHECKS_RE = re.compile(r"Checks:\s*(\d+)/(\d+) passed")


def optic(old: Path, new: Path, repeat: int) -> tuple[float | None, str]:
    """Seconds per `optic diff --check`, and its failed-check count (or why it could not run)."""
    env = {**os.environ, "CI": "true", "OPTIC_TELEMETRY": "off"}
    cmd = [str(OPTIC), "diff", str(old), str(new), "--check"]
    output = ""
    times = []
    scratch = tempfile.mkdtemp(prefix="optic-")  # Optic leaves ci-run-details.json in its working folder
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run(cmd, cwd=scratch, env=env, capture_output=True, text=True, timeout=300)
        times.append(time.perf_counter() - start)
        output = result.stdout + result.stderr
    match = _CHECKS_RE.search(output)
    if not match:
        first = next((line for line in output.splitlines() if line.strip()), "no output")
        return None, f"optic failed: {first[:100]}"
    passed, total = int(match.group(1)), int(match.group(2))
    return statistics.median(times), f"{total - passed} failed checks"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per in-process figure (median)")
    parser.add_argument("--cli-repeat", type=int, default=3)
    parser.add_argument("--optic-repeat", type=int, default=1)
    parser.add_argument("--no-optic", action="store_true")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"real builds not found at {SHARED}; nothing to measure")
        return 0
    why_not = "skipped (--no-optic)" if args.no_optic else optic_unavailable()
    if why_not:
        print(f"Optic: not run: {why_not}")
    header = (
        f"{'pair':24} {'load+diff':>10} {'diff only':>10} {'CLI call':>9} {'Optic':>8} {'Optic/CLI':>9}"
        f"  {'ours: breaking':>14}  Optic"
    )
    print(header)
    print("-" * len(header))
    worst_ratio = None
    for old, new in pairs():
        total, diff_only, breaking = in_process(old, new, args.repeat)
        cli_time = cli(old, new, args.cli_repeat)
        optic_time, optic_note = (None, why_not or "") if why_not else optic(old, new, args.optic_repeat)
        ratio = f"{optic_time / cli_time:8.1f}x" if optic_time else "      n/a"
        if optic_time:
            worst_ratio = min(worst_ratio or 1e9, optic_time / cli_time)
        optic_text = f"{optic_time:7.2f}s" if optic_time else "    n/a"
        print(
            f"{label(old) + ' -> ' + label(new):24} {total * 1000:8.1f}ms {diff_only * 1000:8.1f}ms "
            f"{cli_time:8.2f}s {optic_text} {ratio}  {breaking:>14}  {optic_note}"
        )
    print()
    print("goals: load+diff < 0.3 s per pair, CLI call < 1 s, at least 10x faster than Optic")
    if worst_ratio is not None:
        print(f"slowest ratio Optic/CLI on these pairs: {worst_ratio:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
