"""Time `madaster-contracts diff` on every consecutive pair of the real builds, side by side with oasdiff.

Run from the project root:  python bench/bench_diff.py [--repeat N] [--before REV] [--instructions] [--optic]
oasdiff (Go) is used when `oasdiff` is on PATH (or $OASDIFF names it): `oasdiff breaking OLD NEW`.
Where it cannot be built or installed, the bench says why and compares with oasdiff's figures
measured earlier on these pairs (0.12-0.24 s of CPU per whole CLI call). Optic (npm) is opt-in:
`cd bench/optic && npm install`, then `--optic`.

The whole CLI call is timed as a user runs it: a wheel of this checkout, installed with pip
(bytecode compiled) into a fresh virtualenv that takes its dependencies from this interpreter's
environment, and run through its `madaster-contracts` script. The editable checkout is timed too
(`python -m contracts`): its path finder runs at every Python start, which no user's install does.
CPU seconds (user + system) are the minimum of several runs (other work shares the machine:
the least disturbed run is the closest to the call's own cost); `python -c pass` in each
environment is the baseline. Also printed: in-process medians (parse both files + diff, and
the diff alone), `--version` alone and a 5 MB spec made from a real build.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import resource
import shutil
import site
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
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
PACKAGE_FILES = ("contracts", "mockserver", "pyproject.toml", "README.md")


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
    """(least CPU seconds, median wall seconds) of a command: the child's user + system time."""
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
    return min(cpu), statistics.median(wall)


class Install:
    """One way of running the command: the command line that starts it, and where it runs."""

    def __init__(self, command: list[str], python: str, cwd: Path) -> None:
        self.command = command
        self.python = python
        self.cwd = cwd

    def diff(self, old: Path, new: Path) -> list[str]:
        return [*self.command, "diff", str(old), str(new)]  # as a user types it: text, exit 1 on breaking

    def warm(self, old: Path, new: Path) -> None:
        """One call first, as after an install: bytecode in place, files in the page cache."""
        subprocess.run(self.diff(old, new), cwd=self.cwd, env=ENV, capture_output=True, check=False)


def editable(source: Path) -> Install:
    """The checkout itself (``python -m contracts`` from its folder, this interpreter's site)."""
    return Install([sys.executable, "-m", "contracts"], sys.executable, source)


def installed(source: Path, scratch: Path) -> Install:
    """A wheel of ``source`` installed with pip into a fresh virtualenv, run by its script.

    The dependencies are not downloaded again: a ``.pth`` line puts this environment's
    site-packages after the virtualenv's own (a plain path line: the ``.pth`` files there, such as
    an editable install's finder, are not run)."""
    build = scratch / "source"
    build.mkdir()
    for name in PACKAGE_FILES:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, build / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif path.exists():
            shutil.copy2(path, build / name)
    wheels = scratch / "wheels"
    run = {"check": True, "capture_output": True, "env": ENV}
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(build)], **run
    )
    venv = scratch / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], **run)
    python = venv / "bin" / "python"
    wheel = next(wheels.glob("*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        **run,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True, **run
    ).stdout.strip()
    Path(purelib, "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return Install([str(venv / "bin" / "madaster-contracts")], str(python), scratch)


def interleaved(commands: dict[str, list[str]], runs: dict[str, Install], repeat: int) -> dict[str, float]:
    """Least CPU seconds of each command, run in turns (one of each, ``repeat`` times): a burst of
    other work on the machine then weighs on all of them alike."""
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(repeat):
        for name, command in commands.items():
            best[name] = min(best[name], process_times(command, 1, cwd=runs[name].cwd)[0])
    return best


_COLLECTED_RE = re.compile(r"Collected : (\d+)")


def instructions(command: list[str], cwd: Path) -> float | None:
    """Millions of instructions one run executes (valgrind's callgrind): unlike CPU seconds, the
    same however busy the machine is, so two versions compare exactly."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        cwd=cwd,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    match = _COLLECTED_RE.search(result.stderr)
    return int(match.group(1)) / 1e6 if match else None


def extract(revision: str, folder: Path) -> Path:
    """The project as of ``revision`` (git archive: no worktree, no change to the repository)."""
    folder.mkdir()
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


def ratio(peer: tuple[float, float] | float, ours: float) -> str:
    if isinstance(peer, tuple):
        return f"{peer[0] / ours:.1f}-{peer[1] / ours:.1f}x"
    return f"{peer / ours:.1f}x"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per in-process figure (median)")
    parser.add_argument("--cli-repeat", type=int, default=9, help="runs per CLI figure (least CPU)")
    parser.add_argument("--optic", action="store_true", help="also run Optic once per pair (slow)")
    parser.add_argument("--before", metavar="REV", help="also time git revision REV, installed and editable")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions of each call (valgrind; slow, but independent of the load)",
    )
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"real builds not found at {SHARED}; nothing to measure")
        return 0
    oasdiff, why_not = oasdiff_binary()
    low, high = OASDIFF_EARLIER
    peer_figures: tuple[float, float] | None = None if oasdiff else OASDIFF_EARLIER
    if oasdiff is None:
        print(f"oasdiff: not run here: {why_not}.")
        print(
            f"         Compared with oasdiff's figures measured on these pairs: {low:.2f}-{high:.2f} s CPU per call."
        )
    scratch = Path(tempfile.mkdtemp(prefix="bench-diff-"))
    try:
        (scratch / "now").mkdir()
        runs = {"installed": installed(ROOT, scratch / "now"), "editable": editable(ROOT)}
        if args.before:
            (scratch / "before").mkdir()
            before = extract(args.before, scratch / "before-source")
            runs["before installed"] = installed(before, scratch / "before")
            runs["before editable"] = editable(before)
            print(f"before = {args.before}, installed and run the same ways")
        return _measure(args, runs, oasdiff, peer_figures, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _measure(
    args: argparse.Namespace,
    runs: dict[str, Install],
    oasdiff: str | None,
    peer_figures: tuple[float, float] | None,
    scratch: Path,
) -> int:
    for run in runs.values():
        run.warm(*pairs()[0])
    baseline = interleaved(
        {name: [run.python, "-c", "pass"] for name, run in runs.items()}, runs, args.cli_repeat
    )
    print("python -c pass: " + ", ".join(f"{cpu:.3f} s CPU ({name})" for name, cpu in baseline.items()))
    print(
        "CPU seconds of one whole CLI call (least of several runs); oasdiff / ours: higher is better for us"
    )
    columns = [f"{name:>18}" for name in runs]
    header = f"{'pair':24} {'load+diff':>10} {'diff only':>10} {''.join(columns)} {'oasdiff':>11} {'oasdiff/ours':>13}  breaking"
    print(header)
    print("-" * len(header))
    worst = float("inf")
    for old, new in pairs():
        total, diff_only, breaking = in_process(old, new, args.repeat)
        cpu = interleaved({name: run.diff(old, new) for name, run in runs.items()}, runs, args.cli_repeat)
        ours = cpu["installed"]
        if oasdiff:
            peer: tuple[float, float] | float = process_times(
                [oasdiff, "breaking", str(old), str(new)], args.cli_repeat
            )[0]
            peer_text = f"{peer:.3f} s"
        else:
            assert peer_figures is not None
            peer, peer_text = peer_figures, f"{peer_figures[0]:.2f}-{peer_figures[1]:.2f} s"
        worst = min(worst, (peer[0] if isinstance(peer, tuple) else peer) / ours)
        line = (
            f"{label(old) + ' -> ' + label(new):24} {total * 1000:8.1f}ms {diff_only * 1000:8.1f}ms "
            + "".join(f"{cpu[name]:16.3f} s" for name in runs)
            + f" {peer_text:>11} {ratio(peer, ours):>13}  {breaking}"
        )
        if args.optic:
            seconds, note = optic(old, new)
            line += f"  Optic: {seconds:.2f} s wall, {note}" if seconds else f"  {note}"
        print(line)
    print()
    version = interleaved(
        {name: [*run.command, "--version"] for name, run in runs.items()}, runs, args.cli_repeat
    )
    print("--version alone: " + ", ".join(f"{cpu:.3f} s CPU ({name})" for name, cpu in version.items()))
    if args.instructions:
        _count_instructions(runs)
    old, new = big_pair(scratch)
    mb = old.stat().st_size / 1_000_000
    big = {
        name: process_times(run.diff(old, new), max(1, args.cli_repeat // 3), cwd=run.cwd)[0]
        for name, run in runs.items()
        if "editable" not in name
    }
    text = f"{mb:.1f} MB spec, one change in every copy: " + ", ".join(
        f"{cpu:.2f} s CPU ({name})" for name, cpu in big.items()
    )
    if oasdiff:
        peer_cpu, _ = process_times([oasdiff, "breaking", str(old), str(new)], 1)
        text += f"; oasdiff {peer_cpu:.2f} s CPU ({peer_cpu / big['installed']:.1f}x)"
    print(text)
    print()
    how = "measured here" if oasdiff else "its figures measured earlier, lower end"
    verdict = "faster on every pair" if worst > 1 else "not faster on every pair"
    print(
        f"goal: every whole CLI call (installed) cheaper than oasdiff ({how}): lowest ratio {worst:.2f}x, {verdict}"
    )
    return 0


def _count_instructions(runs: dict[str, Install]) -> None:
    if shutil.which("valgrind") is None:
        print("instructions: valgrind is not installed (Debian: apt-get install valgrind)")
        return
    print("Millions of instructions per call (valgrind --tool=callgrind):")
    print(f"{'':24}" + "".join(f"{name:>18}" for name in runs))
    rows = [("python -c pass", {name: [run.python, "-c", "pass"] for name, run in runs.items()})]
    rows += [
        (f"{label(old)} -> {label(new)}", {name: run.diff(old, new) for name, run in runs.items()})
        for old, new in pairs()
    ]
    for title, commands in rows:
        counts = {name: instructions(command, runs[name].cwd) for name, command in commands.items()}
        print(
            f"{title:24}" + "".join(f"{c:18.1f}" if c is not None else f"{'-':>18}" for c in counts.values())
        )


if __name__ == "__main__":
    sys.exit(main())
