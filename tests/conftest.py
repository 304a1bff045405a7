"""Shared fixtures: the real published spec builds in ../shared/madaster-specs (skip when absent)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_SPECS = Path(
    os.environ.get("MADASTER_SHARED_SPECS", PROJECT_ROOT.parent / "shared" / "madaster-specs")
)
SKIP_REASON = f"real Madaster spec builds not found at {SHARED_SPECS} (set MADASTER_SHARED_SPECS)"


def real_builds() -> list[Path]:
    """All real spec builds, oldest first within each version; empty when the folder is absent."""
    if not SHARED_SPECS.is_dir():
        return []
    files = [p for p in SHARED_SPECS.glob("v*/build-*") if p.suffix in {".json", ".yaml", ".yml"}]
    return sorted(files, key=lambda p: (p.parent.name, int(p.stem.split("-")[1])))


def newest_builds() -> set[Path]:
    """The newest real build of each version (the long runs go there; older builds get less)."""
    newest: dict[str, Path] = {}
    for path in real_builds():
        newest[path.parent.name] = path  # oldest first within a version
    return set(newest.values())


def real_build(version: str, build: int) -> Path:
    """One real build, or skip the test with a clear reason."""
    for path in real_builds():
        if path.parent.name == version and path.stem == f"build-{build}":
            return path
    pytest.skip(SKIP_REASON)


requires_shared = pytest.mark.skipif(not SHARED_SPECS.is_dir(), reason=SKIP_REASON)


def contracts_command(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m contracts ARGS`` from the project folder, as a user runs it; output captured."""
    return subprocess.run(
        [sys.executable, "-m", "contracts", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
