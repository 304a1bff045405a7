"""The pre-commit hook ``madaster-snapshot-breaking``: refuse a commit that changes a snapshot in a breaking way.

pre-commit passes the staged files under ``specs/``; for each snapshot the hook compares what the
commit would record with what came before it and runs ``diff`` on the pair:

- a changed snapshot: its version in ``HEAD`` against the file as it is now;
- a new snapshot: the newest other snapshot of the same version (``specs/<version>/``) against it.

Exit 1 (the commit stops) when a change at or above ``--fail-on`` remains after ``--ignore``
and ``--levels``, with the breaking changes printed; 0 otherwise; 2 on bad input. Provenance
files (``*.meta.json``) are not specs and are passed over.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

SPEC_SUFFIXES = frozenset({".json", ".yaml", ".yml"})


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="madaster-snapshot-breaking", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", metavar="FILE", help="staged files (pre-commit passes them)")
    parser.add_argument("--fail-on", choices=("breaking", "warning"), default="breaking")
    parser.add_argument("--ignore", metavar="FILE", help="accepted changes, as for diff --ignore")
    parser.add_argument("--levels", metavar="FILE", help="rule levels, as for diff --levels")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    worst = 0
    for name in args.files:
        path = Path(name)
        if path.suffix.lower() not in SPEC_SUFFIXES or path.name.endswith(".meta.json") or not path.is_file():
            continue
        with tempfile.TemporaryDirectory(prefix="madaster-snapshot-") as scratch:
            before = _before(path, Path(scratch))
            if before is None:
                print(f"{name}: the first snapshot of its version, nothing to compare with")
                continue
            worst = max(worst, _diff(before, path, name, args))
    return worst


def _before(path: Path, scratch: Path) -> Path | None:
    """What the commit replaces: the file in HEAD, else the newest other snapshot of the version."""
    committed = _git("show", f"HEAD:./{path.as_posix()}", cwd=Path.cwd())
    if committed is not None:
        target = scratch / f"HEAD{path.suffix}"
        target.write_bytes(committed)
        return target
    others = [p for p in path.parent.iterdir() if p != path and p.suffix.lower() in SPEC_SUFFIXES]
    others = [p for p in others if not p.name.endswith(".meta.json")]
    if not others:
        return None
    from contracts.store import SnapshotStore

    ordered = [Path(s.path).resolve() for s in SnapshotStore(path.parent.parent).builds(path.parent.name)]
    if path.resolve() in ordered:  # a stored snapshot: the one just before it
        index = ordered.index(path.resolve())
        return ordered[index - 1] if index else None
    return sorted(others)[-1]  # not (yet) in the store's provenance: the last file by name


def _diff(before: Path, path: Path, name: str, args: argparse.Namespace) -> int:
    from contracts.cli import main as cli

    print(f"{name}: compared with {'HEAD' if before.name.startswith('HEAD') else before}", flush=True)
    command = ["diff", str(before), str(path), "--fail-on", args.fail_on, "--min-level", args.fail_on]
    command += ["--color", "never"]
    if args.ignore:
        command += ["--ignore", args.ignore]
    if args.levels:
        command += ["--levels", args.levels]
    return cli(command)


def _git(*command: str, cwd: Path) -> bytes | None:
    """A git command's output, or None when it fails (no repository, no HEAD, a new file)."""
    try:
        done = subprocess.run(["git", *command], cwd=cwd, capture_output=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


if __name__ == "__main__":
    sys.exit(main())
