"""Time `madaster-contracts diff` on every consecutive pair of the real builds, side by side with oasdiff.

Run from the project root:  python bench/bench_diff.py [--repeat N] [--optic]
oasdiff (Go) is used when `oasdiff` is on PATH (or $OASDIFF names it): `oasdiff breaking OLD NEW`.
Where it cannot be built or installed, the bench says why and compares with oasdiff's figures
measured earlier on these pairs (0.12-0.24 s of CPU per whole CLI call). Optic (npm) is opt-in:
`cd bench/optic && npm install`, then `--optic`.

Figures per pair: in-process (parse both files + diff) and the diff alone (medians), the whole
CLI call in a fresh process as CPU seconds (user + system, the fair measure on a shared
machine) and wall seconds, `--version` alone, and a 5 MB spec made from a real build.
CLI calls run with bytecode caching on (as for any user: the first call writes the .pyc files).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import resource
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
OPTIC = ROOT / "bench" / "optic" / "node_modules" / ".bin" / "optic"
OASDIFF_EARLIER = (0.12, 0.24)  # CPU seconds per real pair, oasdiff's whole CLI call (measured before)
OURS_EARLIER = (0.27, 0.45)  # and ours at the same time, before this project's start-up work
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


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
        report = diff_specs(load_spec_file(old, validate=False), load_spec_file(new, validate=False))
        return report.summary()["breaking"]

    a, b = load_spec_file(old, validate=False), load_spec_file(new, validate=False)
    breaking = full()
    return median_time(full, repeat), median_time(lambda: diff_specs(a, b), repeat), breaking


def process_times(cmd: list[str], repeat: int, cwd: Path = ROOT) -> tuple[float, float]:
    """Median (CPU seconds, wall seconds) of a command, children's user + system time."""
    cpu, wall = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return statistics.median(cpu), statistics.median(wall)


def ours(old: Path, new: Path) -> list[str]:
    return [
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


def extract(revision: str, folder: Path) -> Path:
    """The project as of ``revision`` (git archive: no worktree, no change to the repository)."""
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def oasdiff_binary() -> tuple[str | None, str]:
    """The oasdiff executable, or None and why it is not there."""
    found = os.environ.get("OASDIFF") or shutil.which("oasdiff")
    if found:
        return found, ""
    why = ["oasdiff is not installed"]
    if shutil.which("go") is None:
        why.append("no Go toolchain (Debian: apt-get install golang-go)")
    else:
        why.append(
            "`go install github.com/oasdiff/oasdiff@latest` needs the Go module proxy, which this "
            "machine cannot reach, and a newer Go than Debian's golang-go 1.19"
        )
    why.append("no npm or PyPI package ships it")
    return None, "; ".join(why)


_CHECKS_RE = re.compile(r"Checks:\s*(\d+)/(\d+) passed")


def optic(old: Path, new: Path) -> tuple[float | None, str]:
    """Wall seconds of one `optic diff --check`, and its failed-check count (or why it could not run)."""
    if shutil.which("node") is None or not OPTIC.exists():
        return None, "Optic not installed: cd bench/optic && npm install"
    env = {**os.environ, "CI": "true", "OPTIC_TELEMETRY": "off"}
    scratch = tempfile.mkdtemp(prefix="optic-")  # Optic leaves ci-run-details.json in its working folder
    start = time.perf_counter()
    result = subprocess.run(
        [str(OPTIC), "diff", str(old), str(new), "--check"],
        cwd=scratch,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    seconds = time.perf_counter() - start
    match = _CHECKS_RE.search(result.stdout + result.stderr)
    if not match:
        return None, "optic failed"
    return seconds, f"{int(match.group(2)) - int(match.group(1))} failed checks"


def big_pair(folder: Path, target_mb: float = 5.0) -> tuple[Path, Path]:
    """A ~5 MB spec made from the newest v3.0 build (its paths repeated under other prefixes) and
    the same spec with one component property removed (found once per copy)."""
    base = load_spec_file(sorted(SHARED.glob("v3.0/build-*.json"), key=lambda p: int(p.stem[6:]))[-1])
    size = len(json.dumps(base["paths"], indent=1))  # only the paths are repeated
    copies = max(1, int(target_mb * 1_000_000 / size))
    doc = copy.deepcopy(base)
    doc["paths"] = {
        path.replace("/api/v3.0/", f"/api/v3.0/copy{n}/"): item
        for n in range(copies)
        for path, item in base["paths"].items()
    }
    old, new = folder / "big-old.json", folder / "big-new.json"
    old.write_text(json.dumps(doc, indent=1))
    schema = doc["components"]["schemas"]["BuildingResponse"]["properties"]
    schema.pop(next(iter(schema)))
    new.write_text(json.dumps(doc, indent=1))
    return old, new


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per in-process figure (median)")
    parser.add_argument("--cli-repeat", type=int, default=5, help="runs per CLI figure (median)")
    parser.add_argument("--optic", action="store_true", help="also run Optic once per pair (slow)")
    parser.add_argument(
        "--before",
        metavar="REV",
        help="also time the diff as of git revision REV; without oasdiff, estimate oasdiff's CPU from "
        "the ratio measured earlier between it and that revision",
    )
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"real builds not found at {SHARED}; nothing to measure")
        return 0
    oasdiff, why_not = oasdiff_binary()
    low, high = OASDIFF_EARLIER
    if oasdiff is None:
        print(f"oasdiff: not run here: {why_not}.")
        print(
            f"         Compared with oasdiff's figures measured on these pairs: {low:.2f}-{high:.2f} s CPU per call."
        )
    subprocess.run(ours(*pairs()[0]), cwd=ROOT, env=ENV, capture_output=True, check=False)  # writes .pyc
    before_root = extract(args.before, Path(tempfile.mkdtemp(prefix="diff-before-"))) if args.before else None
    if before_root is not None:
        subprocess.run(ours(*pairs()[0]), cwd=before_root, env=ENV, capture_output=True, check=False)
        print(
            f"before = the diff as of {args.before}; oasdiff estimated as before x "
            f"{OASDIFF_EARLIER[0] / OURS_EARLIER[0]:.2f}-{OASDIFF_EARLIER[1] / OURS_EARLIER[1]:.2f} "
            "(the ratio of the earlier side-by-side figures)"
        )
    header = (
        f"{'pair':24} {'load+diff':>10} {'diff only':>10} {'CLI CPU':>8} {'CLI wall':>9} "
        f"{'oasdiff CPU':>12} {'ratio':>7}  breaking"
    )
    print(header)
    print("-" * len(header))
    worst = float("inf")  # the lowest peer/ours ratio over the pairs (lower end of a range)
    for old, new in pairs():
        total, diff_only, breaking = in_process(old, new, args.repeat)
        cpu, wall = process_times(ours(old, new), args.cli_repeat)
        if oasdiff:
            peer, _ = process_times([oasdiff, "breaking", str(old), str(new)], args.cli_repeat)
            peer_text, ratio = f"{peer:10.3f}s", f"{peer / cpu:6.1f}x"
            worst = min(worst, peer / cpu)
        elif before_root is not None:
            before, _ = process_times(ours(old, new), args.cli_repeat, cwd=before_root)
            low_est = before * OASDIFF_EARLIER[0] / OURS_EARLIER[0]
            high_est = before * OASDIFF_EARLIER[1] / OURS_EARLIER[1]
            peer_text = f"~{low_est:.2f}-{high_est:.2f}s"
            ratio = f"{low_est / cpu:.1f}-{high_est / cpu:.1f}x"
            worst = min(worst, low_est / cpu, high_est / cpu)
        else:
            peer_text, ratio = f"{low:.2f}-{high:.2f} s", f"{low / cpu:.1f}-{high / cpu:.1f}x"
            worst = min(worst, low / cpu)
        line = (
            f"{label(old) + ' -> ' + label(new):24} {total * 1000:8.1f}ms {diff_only * 1000:8.1f}ms "
            f"{cpu:7.3f}s {wall:8.3f}s {peer_text:>12} {ratio:>7}  {breaking}"
        )
        if args.optic:
            seconds, note = optic(old, new)
            line += f"  Optic: {seconds:.2f} s wall, {note}" if seconds else f"  {note}"
        print(line)
    version_cpu, version_wall = process_times(
        [sys.executable, "-m", "contracts", "--version"], args.cli_repeat
    )
    python_cpu, _ = process_times([sys.executable, "-c", "pass"], args.cli_repeat)
    print()
    print(
        f"--version alone: {version_cpu:.3f} s CPU, {version_wall:.3f} s wall (python -c pass: {python_cpu:.3f} s CPU)"
    )
    with tempfile.TemporaryDirectory() as scratch:
        old, new = big_pair(Path(scratch))
        mb = old.stat().st_size / 1_000_000
        cpu, wall = process_times(ours(old, new), max(1, args.cli_repeat // 2))
        text = f"{mb:.1f} MB spec, one change in every copy: ours {cpu:.2f} s CPU, {wall:.2f} s wall"
        if oasdiff:
            peer, _ = process_times([oasdiff, "breaking", str(old), str(new)], 1)
            text += f"; oasdiff {peer:.2f} s CPU ({peer / cpu:.1f}x)"
        print(text)
    print()
    if before_root is not None:
        shutil.rmtree(before_root, ignore_errors=True)
    how = "measured" if oasdiff else ("estimated" if before_root is not None else "its earlier figures")
    verdict = "faster on every pair" if worst > 1 else "not faster on every pair"
    print(f"goal: every whole CLI call faster than oasdiff ({how}): lowest ratio {worst:.2f}x, {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
