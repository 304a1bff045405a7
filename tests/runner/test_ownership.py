"""A write run touches nothing it did not create: the proof, against a customer-like account.

The mock is served over HTTP with the account's data in both versions (folders, buildings,
files, elements, databases, commodities: the catalogue fixtures), and ``test --allow-writes``
runs against it as against the real API, with every phase. Afterwards:

- the GET body of every entity that existed before is byte for byte what it was;
- no write request the mock received named one of them in its path (the mock's own log);
- nothing the run created is left: the account holds exactly what it held before.

The same holds when the run is stopped with SIGINT midway. One seed here; more seeds and the
real builds in ``tox -e slow``.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from contracts.runner.core import run_contracts
from contracts.runner.options import RunOptions
from mockserver.testing import running
from tests.conftest import newest_builds
from tests.runner.account import Account

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = [ROOT / "specs" / "v3.0" / "baseline.yaml", ROOT / "specs" / "v4.0" / "baseline.yaml"]


def _write_run(url: str, key: str, seed: int, specs: list[Path], max_examples: int = 1) -> io.StringIO:
    out = io.StringIO()
    options = RunOptions(
        spec_files=list(specs),
        base_url=url,
        api_key=key,
        allow_writes=True,
        seed=seed,
        max_examples=max_examples,
        request_timeout=30,
        max_response_time=30,
    )
    try:
        run_contracts(options, stream=out)
    except Exception as exc:  # the proof is about the account, whatever the run found
        out.write(f"\nrun ended: {type(exc).__name__}: {exc}\n")
    return out


def _assert_untouched(account: Account, before: dict, ids_before: set[str], output: str) -> None:
    after = account.snapshot()
    changed = [path for path, answer in before.items() if after.get(path) != answer]
    assert not changed, f"pre-existing entities changed or gone: {changed[:10]}\n{output[-3000:]}"
    named = account.writes_naming(ids_before)
    assert not named, f"writes named pre-existing entities: {named[:10]}"
    left = set(account.entities()) - ids_before
    assert not left, (
        f"the run left {len(left)} entities behind: {sorted(account.entities()[i] for i in left)[:10]}"
    )


def _prove(specs: list[Path], seed: int) -> str:
    with running(specs=[str(s) for s in specs], processing_delay=0) as mock:
        account = Account(mock)
        ids_before = set(account.entities())
        assert len(ids_before) > 30, "the account must hold data in both versions"
        before = account.snapshot()
        with account.watching():
            out = _write_run(mock.url, mock.key("write"), seed, specs)
        output = out.getvalue()
        writes = [e for e in account.log if e["method"] not in ("GET", "HEAD", "OPTIONS")]
        assert len(writes) > 50, f"the run must still write (through its own entities)\n{output[-2000:]}"
        _assert_untouched(account, before, ids_before, output)
        assert "cleanup [" not in output, output[-2000:]  # nothing left to mention: all of it deleted
        return output


def test_a_write_run_on_both_versions_leaves_the_account_as_it_was() -> None:
    """Also the default suite's write run against a conforming server: it must be green."""
    output = _prove(SNAPSHOTS, seed=1)
    assert "writes:" in output and "exercised on entities this run created" in output
    assert "all contracts hold" in output, output[-4000:]


def test_an_interrupted_write_run_cleans_up_what_it_made_and_nothing_else() -> None:
    with running(specs=[str(s) for s in SNAPSHOTS], processing_delay=0) as mock:
        account = Account(mock)
        ids_before = set(account.entities())
        before = account.snapshot()
        env = {**os.environ, "MADASTER_API_KEY": mock.key("write")}
        command = [sys.executable, "-m", "contracts", "test", "--base-url", mock.url, "--allow-writes"]
        command += ["--seed", "3", "--max-examples", "3"]
        with account.watching():
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            created = _wait_for_creates(account, process, at_least=5)
            process.send_signal(signal.SIGINT)
            output, _ = process.communicate(timeout=120)
        assert created, f"the run created nothing before the interrupt\n{output[-2000:]}"
        assert process.returncode != 0
        assert "Traceback" not in output, output[-3000:]
        _assert_untouched(account, before, ids_before, output)


def _wait_for_creates(account: Account, process: subprocess.Popen[str], at_least: int) -> bool:
    """Until the run has created ``at_least`` entities (seen in the mock's log), or 90 s."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        posts = [e for e in list(account.log) if e["method"] == "POST" and 200 <= e["status"] < 300]
        if len(posts) >= at_least:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("seed", [2, 3, 4])
def test_more_seeds_leave_the_account_as_it_was(seed: int) -> None:
    _prove(SNAPSHOTS, seed)


@pytest.mark.slow
@pytest.mark.skipif(not newest_builds(), reason="the real builds (../shared/madaster-specs) are absent")
def test_the_real_builds_leave_the_account_as_it_was() -> None:
    _prove(sorted(newest_builds()), seed=5)
