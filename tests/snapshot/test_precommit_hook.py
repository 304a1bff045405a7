"""The pre-commit hook ``madaster-snapshot-breaking`` (``.pre-commit-hooks.yaml``, ``contracts.precommit``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import PROJECT_ROOT

BASELINE = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
GIT_IDENTITY = ["-c", "user.email=team@example.com", "-c", "user.name=team"]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *GIT_IDENTITY, *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A team's repository with the v3.0 baseline committed in its snapshot store."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "team"
    (root / "specs" / "v3.0").mkdir(parents=True)
    for source in BASELINE.parent.iterdir():
        shutil.copy(source, root / "specs" / "v3.0" / source.name)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "snapshots")
    return root


def change(path: Path, edit) -> None:
    doc = yaml.safe_load(path.read_text())
    edit(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def hook(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "contracts.precommit", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
    )


def test_a_breaking_change_to_a_snapshot_stops_the_commit(repo: Path) -> None:
    change(repo / "specs/v3.0/baseline.yaml", lambda d: d["paths"].pop("/api/v3.0/account"))
    run = hook(repo, "specs/v3.0/baseline.yaml", "specs/v3.0/baseline.meta.json")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "GET /api/v3.0/account" in run.stdout and "operation-removed" in run.stdout


def test_a_compatible_change_passes(repo: Path) -> None:
    change(repo / "specs/v3.0/baseline.yaml", lambda d: d["info"].update(description="new words"))
    run = hook(repo, "specs/v3.0/baseline.yaml")
    assert run.returncode == 0, run.stdout + run.stderr


def test_an_accepted_change_passes_with_the_ignore_file(repo: Path) -> None:
    change(repo / "specs/v3.0/baseline.yaml", lambda d: d["paths"].pop("/api/v3.0/account"))
    (repo / "accepted.yaml").write_text(
        "- {id: operation-removed, operation: GET /api/v3.0/account, reason: retired with the platform}\n"
    )
    run = hook(repo, "--ignore", "accepted.yaml", "specs/v3.0/baseline.yaml")
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_new_snapshot_is_compared_with_the_one_before(repo: Path) -> None:
    new = repo / "specs/v3.0/build-99999.yaml"
    shutil.copy(repo / "specs/v3.0/baseline.yaml", new)
    change(new, lambda d: d["paths"].pop("/api/v3.0/account"))
    run = hook(repo, "specs/v3.0/build-99999.yaml")
    assert run.returncode == 1 and "baseline.yaml" in run.stdout, run.stdout + run.stderr


def test_the_first_snapshot_of_a_version_and_bad_input(repo: Path) -> None:
    (repo / "specs/v9.0").mkdir()
    shutil.copy(repo / "specs/v3.0/baseline.yaml", repo / "specs/v9.0/first.yaml")
    assert hook(repo, "specs/v9.0/first.yaml").returncode == 0
    (repo / "specs/v3.0/baseline.yaml").write_text("{not: [yaml")
    broken = hook(repo, "specs/v3.0/baseline.yaml")
    assert broken.returncode == 2 and "Traceback" not in broken.stderr
    assert broken.stderr.count("\n") == 1, broken.stderr


@pytest.mark.slow
def test_pre_commit_try_repo_runs_the_hook(repo: Path, tmp_path: Path) -> None:
    """pre-commit as a team runs it: it installs this repository into a hook environment (a few
    minutes on a busy machine: hence slow); skipped when pre-commit or the install cannot run."""
    if shutil.which("pre-commit") is None and not (Path(sys.executable).parent / "pre-commit").exists():
        pytest.skip("pre-commit is not installed (pip install -e '.[dev]')")
    if subprocess.run(
        ["git", "status", "--porcelain", ".pre-commit-hooks.yaml"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    ).stdout:
        pytest.skip(".pre-commit-hooks.yaml has uncommitted changes: try-repo reads committed files")
    change(repo / "specs/v3.0/baseline.yaml", lambda d: d["paths"].pop("/api/v3.0/account"))
    git(repo, "add", ".")
    executable = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    run = subprocess.run(
        [
            executable,
            "try-repo",
            str(PROJECT_ROOT),
            "madaster-snapshot-breaking",
            "--files",
            "specs/v3.0/baseline.yaml",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    if "Installing environment" in run.stdout and "An error has occurred" in run.stdout:
        pytest.skip("pre-commit could not install the hook environment (no package index?)")
    assert run.returncode == 1, run.stdout[-3000:]
    assert "no breaking change in the API snapshots" in run.stdout and "Failed" in run.stdout
    assert "GET /api/v3.0/account" in run.stdout
