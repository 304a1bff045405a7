"""The ``madaster_mock`` fixture, run in a separate pytest session the way a team would use it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytest_plugins = ["pytester"]
# the team's sessions run in subprocesses: an in-process session re-imports modules (yaml among
# them) and leaves this process with two copies of their classes

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"

TEAM_TESTS = """
import pytest, requests

SEEN = {}

def test_first(madaster_mock):
    SEEN["url"] = madaster_mock.url
    assert madaster_mock.versions == ("v3.0",)
    requests.get(madaster_mock.api() + "/account", headers={"X-API-Key": madaster_mock.key("read")})
    assert len(madaster_mock.requests()) == 1

def test_reset_between_tests_on_one_server(madaster_mock):
    assert madaster_mock.url == SEEN["url"] and madaster_mock.requests() == []

@pytest.mark.madaster_mock(processing_delay=0, tokens=[{"key": "mine", "name": "me", "permission": "write"}])
def test_marker_options_get_their_own_server(madaster_mock):
    assert madaster_mock.url != SEEN["url"] and madaster_mock.key("write") == "mine"

@pytest.mark.madaster_mock(isolated=True)
def test_isolated(madaster_mock):
    SEEN["isolated"] = madaster_mock.url
    assert madaster_mock.url != SEEN["url"]

def test_isolated_server_is_gone(madaster_mock):
    with pytest.raises(requests.ConnectionError):
        requests.get(SEEN["isolated"] + "/__mock/health", timeout=2)

@pytest.mark.parametrize("madaster_mock", [{"strict": True}, {"seed": 3}], indirect=True)
def test_parameters(madaster_mock):
    assert madaster_mock.url != SEEN["url"]
"""


def test_the_fixture_serves_resets_and_takes_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_team=TEAM_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--madaster-mock-spec={V3}")
    result.assert_outcomes(passed=7)


def test_a_bad_option_fails_the_test_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_team="""
import pytest

@pytest.mark.madaster_mock(procesing_delay=0)
def test_typo(madaster_mock):
    pass

def test_no_specs_here(madaster_mock):
    pass
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*madaster_mock: unknown mock option procesing_delay; known: specs,*",
            "*madaster_mock: no spec snapshots in *specs: capture one with*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def run_example(*options: str) -> subprocess.CompletedProcess[str]:
    """``examples/test_my_client.py`` as a team runs it, from the project folder."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            *options,
            "examples/test_my_client.py",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_example_team_tests_pass() -> None:
    run = run_example("-n", "0")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "9 passed" in run.stdout


@pytest.mark.slow
def test_the_example_team_tests_pass_on_xdist_workers() -> None:
    """Two workers, tests spread one by one: each worker serves its own mock."""
    run = run_example("-n", "2", "--dist", "load")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "9 passed" in run.stdout
