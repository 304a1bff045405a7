"""Offline: every version in specs/ and every real build is green on the embedded mock.

The coverage phase (thousands of cases a build) runs on the newest build of each version; older
builds and specs/ run the other phases (specs/ gets the runner's coverage phase in the write run of
tests/runner/test_ownership.py, which sends every read case too). Plain schemathesis runs the coverage phase on every
build (tests/mock/test_mock_schemathesis.py), and ``tox -e slow`` runs every phase everywhere.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from contracts.runner import RunOptions, run_contracts
from contracts.store import SnapshotStore
from tests.conftest import PROJECT_ROOT, SKIP_REASON, newest_builds, real_builds

STORE = SnapshotStore(PROJECT_ROOT / "specs")
EXAMPLES = 2


def explain(run, out: str) -> str:
    lines = [
        f"{v.label}: {f.operation} {f.check}: {f.message.strip()[:200]}"
        for v in run.versions
        for f in v.failures
    ]
    lines += [f"{v.label}: error {e}" for v in run.versions for e in v.errors]
    lines += [
        f"{v.label}: {op.label}: {e}" for v in run.versions for op in v.operations.values() for e in op.errors
    ]
    return "\n".join(lines) or out[-2000:]


WITHOUT_COVERAGE = ("examples", "fuzzing", "stateful")


@pytest.mark.parametrize(
    "phases",
    [WITHOUT_COVERAGE, pytest.param(RunOptions.phases, marks=pytest.mark.slow)],
    ids=["no-coverage", "every-phase"],
)
@pytest.mark.parametrize("version", STORE.versions())
def test_every_version_in_the_store_is_green(version: str, phases: tuple[str, ...]) -> None:
    """The README's main job (read-only, offline) on every version of specs/."""
    out = io.StringIO()
    options = RunOptions(
        versions=[version], specs_dir=STORE.root, max_examples=EXAMPLES, seed=1, phases=phases
    )
    run = run_contracts(options, stream=out)
    assert run.passed, explain(run, out.getvalue())
    assert run.versions[0].cases > 0


@pytest.mark.parametrize(
    "path",
    real_builds() or [pytest.param(None, marks=pytest.mark.skip(reason=SKIP_REASON))],
    ids=lambda p: f"{p.parent.name}-{p.stem}" if p else "absent",
)
def test_every_real_build_is_green(path: Path) -> None:
    out = io.StringIO()
    phases = RunOptions.phases if path in newest_builds() else WITHOUT_COVERAGE
    options = RunOptions(spec_files=[path], max_examples=EXAMPLES, seed=1, phases=phases)
    run = run_contracts(options, stream=out)
    assert run.passed, explain(run, out.getvalue())


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    sorted(set(real_builds()) - newest_builds())
    or [pytest.param(None, marks=pytest.mark.skip(reason=SKIP_REASON))],
    ids=lambda p: f"{p.parent.name}-{p.stem}" if p else "absent",
)
def test_every_older_build_is_green_in_the_coverage_phase_too(path: Path) -> None:
    out = io.StringIO()
    run = run_contracts(RunOptions(spec_files=[path], max_examples=EXAMPLES, seed=1), stream=out)
    assert run.passed, explain(run, out.getvalue())
