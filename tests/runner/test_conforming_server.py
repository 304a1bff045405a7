"""No false alarms: the mock served over HTTP conforms, so every run against it must be green.

A run against a base URL goes through ``HttpForwarder`` (real sockets, real URL encoding),
unlike the offline run. Generated ids holding ``%3F``, ``%23``, ``%2F`` or non-ASCII must reach
the server as the case means them, in read-only runs and in runs with writes, on any seed.
The folder chain runs on one seed by default and on two more with ``tox -e slow``; every operation of both versions runs read-only on one
seed by default (with writes: the ownership proof, ``test_ownership.py``, a green run of both
versions in one) and on two more seeds, with writes too, with ``tox -e slow``, which also runs every real build this way. Query parameters travel apart from the path in
schemathesis's WSGI calls: a forwarder that lost them made every out-of-range ``take`` look accepted.
"""

from __future__ import annotations

import pytest

from tests.conftest import PROJECT_ROOT, SKIP_REASON, real_builds
from tests.runner.conforming import explain, mock_over_http, run_against

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
V4 = PROJECT_ROOT / "specs" / "v4.0" / "baseline.yaml"
FOLDER_CHAIN = r"^(GET|POST|PUT|DELETE) /api/v3\.0/(account|folder|building/\{id\}$)"


@pytest.mark.parametrize("writes", [False, True], ids=["read-only", "allow-writes"])
@pytest.mark.parametrize(
    "seed", [1, pytest.param(2, marks=pytest.mark.slow), pytest.param(3, marks=pytest.mark.slow)]
)
def test_a_conforming_server_is_green(seed: int, writes: bool) -> None:
    with mock_over_http(V3, seed) as url:
        run, out = run_against(
            url, V3, allow_writes=writes, seed=seed, max_examples=1, operations=[FOLDER_CHAIN]
        )
    assert run.passed, explain(run, out)
    assert run.versions[0].cases > 20
    if writes:
        assert "workflows" in out


@pytest.mark.parametrize(
    "writes",
    [False, pytest.param(True, marks=pytest.mark.slow)],  # by default: tests/runner/test_ownership.py
    ids=["read-only", "allow-writes"],
)
@pytest.mark.parametrize(
    "seed", [1, pytest.param(2, marks=pytest.mark.slow), pytest.param(3, marks=pytest.mark.slow)]
)
@pytest.mark.parametrize("spec", [V3, V4], ids=["v3.0", "v4.0"])
def test_every_operation_of_a_conforming_server_is_green(spec, seed: int, writes: bool) -> None:
    with mock_over_http(spec, seed) as url:
        run, out = run_against(url, spec, allow_writes=writes, seed=seed, max_examples=3)
    assert run.passed, explain(run, out)


@pytest.mark.slow
@pytest.mark.skipif(not real_builds(), reason=SKIP_REASON)
@pytest.mark.parametrize("writes", [False, True], ids=["read-only", "allow-writes"])
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("spec", real_builds(), ids=lambda p: f"{p.parent.name}@{p.stem}")
def test_every_operation_of_a_real_build_served_over_http_is_green(spec, seed: int, writes: bool) -> None:
    with mock_over_http(spec, seed) as url:
        run, out = run_against(url, spec, allow_writes=writes, seed=seed, max_examples=3)
    assert run.passed, explain(run, out)
