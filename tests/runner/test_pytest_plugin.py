"""The pytest plugin, run in a separate pytest session (pytester) the way a team would use it."""

from __future__ import annotations

import pytest

from tests.conftest import requires_shared
from tests.runner.broken_api import KEY, BrokenApi, serving

pytest_plugins = ["pytester"]


def plugin_args() -> list[str]:
    """Load the plugin by name unless the installed package already registers it (pytest11)."""
    from importlib.metadata import entry_points

    installed = any(ep.value == "contracts.pytest_plugin" for ep in entry_points(group="pytest11"))
    return ["-p", "no:cacheprovider"] + ([] if installed else ["-p", "contracts.pytest_plugin"])


TEAM_TESTS = """
import schemathesis

def test_madaster_contracts(madaster_contract_run):
    assert madaster_contract_run.passed, madaster_contract_run.describe()

def test_account_is_readable(madaster_client):
    assert madaster_client.get("/api/v3.0/account").status_code == 200

schema = schemathesis.pytest.from_fixture("madaster_schema")

@schema.parametrize()
def test_own_property_tests(case):
    case.call_and_validate()
"""


@requires_shared
def test_plugin_runs_contracts_against_a_base_url(
    pytester: pytest.Pytester, build_28168, monkeypatch
) -> None:
    pytester.makepyfile(test_team=TEAM_TESTS)
    monkeypatch.setenv("MADASTER_API_KEY", KEY)
    api = BrokenApi()
    with serving(api) as url:
        result = pytester.runpytest_inprocess(
            *plugin_args(),
            f"--madaster-base-url={url}",
            f"--madaster-spec={build_28168}",
            "--madaster-operation=^GET /api/v3.0/(account|system/materialfamilies)$",
            "--madaster-max-examples=2",
            "--madaster-seed=1",
        )
    outcomes = result.parseoutcomes()
    # the broken account endpoint fails the contract run and the team's own schemathesis test
    assert outcomes.get("failed", 0) >= 2 and outcomes.get("passed", 0) >= 1
    result.stdout.fnmatch_lines(["*GET /api/v3.0/account: response_schema_conformance*"])
    assert KEY not in result.stdout.str()
    assert {method for method, _ in api.requests} <= {"GET", "HEAD"}


def test_plugin_reports_bad_configuration_in_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_team="def test_it(madaster_contract_run):\n    pass\n")
    result = pytester.runpytest_inprocess(*plugin_args(), "--madaster-base-url=http://127.0.0.1:9")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*madaster-contracts: an API key is required*"])
