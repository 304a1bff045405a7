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


def run_team_tests(pytester: pytest.Pytester, monkeypatch, tests: str, spec, *, subprocess: bool) -> tuple:
    """The team's tests against the broken API (the account operation is broken), read-only."""
    from tests.conftest import PROJECT_ROOT

    pytester.makepyfile(test_team=tests)
    monkeypatch.setenv("MADASTER_API_KEY", KEY)
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))  # a subprocess imports this checkout too
    api = BrokenApi()
    run = pytester.runpytest_subprocess if subprocess else pytester.runpytest_inprocess
    with serving(api) as url:
        result = run(
            *plugin_args(),
            f"--madaster-base-url={url}",
            f"--madaster-spec={spec}",
            "--madaster-operation=^GET /api/v3.0/(account|system/materialfamilies)$",
            "--madaster-max-examples=2",
            "--madaster-seed=1",
        )
    return api, result


@requires_shared
def test_plugin_runs_contracts_against_a_base_url(
    pytester: pytest.Pytester, build_28168, monkeypatch
) -> None:
    api, result = run_team_tests(pytester, monkeypatch, TEAM_TESTS, build_28168, subprocess=False)
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


PER_OPERATION_TESTS = """
def test_madaster(madaster_contract):
    assert madaster_contract.passed, madaster_contract.report()
"""
FOLDER_OPERATIONS = r"^(GET|POST|PUT|DELETE) /api/v3\.0/(account|folder)"


# Serial runs of the plugin are proven by test_a_failing_operation_is_its_own_failed_test; the
# same team run serially once more is for ``tox -e slow``, the xdist run stays by default.
@pytest.mark.parametrize("workers", [pytest.param(None, marks=pytest.mark.slow), "2"], ids=["-n 0", "-n 2"])
def test_one_test_per_operation_and_per_stateful_unit(
    pytester: pytest.Pytester, monkeypatch, workers: str | None
) -> None:
    from xml.etree import ElementTree as ET

    from tests.conftest import PROJECT_ROOT

    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))  # xdist workers import this checkout too
    pytester.makepyfile(test_team=PER_OPERATION_TESTS)
    spec = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
    result = pytester.runpytest_subprocess(
        *plugin_args(),
        f"--madaster-spec={spec}",
        f"--madaster-operation={FOLDER_OPERATIONS}",
        "--madaster-max-examples=1",
        "--madaster-seed=3",
        "--junitxml=junit.xml",
        *(["-n", workers] if workers else []),
    )
    names = sorted(
        case.get("name", "") for case in ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")
    )
    labels = [name[len("test_madaster[") : -1] for name in names]
    expected = [
        "v3.0 DELETE /api/v3.0/folder/{id}",
        "v3.0 GET /api/v3.0/account",
        "v3.0 GET /api/v3.0/account/foldertypes",
        "v3.0 GET /api/v3.0/folder",
        "v3.0 GET /api/v3.0/folder/external/{externalId}",
        "v3.0 GET /api/v3.0/folder/{id}",
        "v3.0 POST /api/v3.0/folder",
        "v3.0 PUT /api/v3.0/folder/{id}",
        "v3.0 stateful",
    ]
    assert all(label.startswith("v3.0") for label in labels)
    assert sorted("v3.0 " + label.split(" ", 1)[1] for label in labels) == sorted(expected)
    result.assert_outcomes(passed=len(expected))


@requires_shared
def test_a_failing_operation_is_its_own_failed_test(
    pytester: pytest.Pytester, build_28168, monkeypatch
) -> None:
    _, result = run_team_tests(pytester, monkeypatch, PER_OPERATION_TESTS, build_28168, subprocess=True)
    result.assert_outcomes(passed=2, failed=1)  # materialfamilies and the stateful unit pass
    result.stdout.fnmatch_lines(
        ["*test_madaster*GET /api/v3.0/account]*", "*check:    response_schema_conformance*"]
    )
    assert KEY not in result.stdout.str()


SECOND_KEYS_TEST = """
def test_keys(madaster_options):
    print(madaster_options.read_only_key, madaster_options.scoped_key)
    raise AssertionError(f"keys {madaster_options.read_only_key} {madaster_options.scoped_key}")
"""


@pytest.mark.parametrize("given", ["options", "variables"])
def test_the_second_keys_reach_the_run_and_never_a_report(
    pytester: pytest.Pytester, monkeypatch, given: str
) -> None:
    """--madaster-read-only-key / --madaster-scoped-key (or their variables) as the command's own."""
    pytester.makepyfile(test_team=SECOND_KEYS_TEST)
    keys = ["--madaster-base-url=http://127.0.0.1:9", "--madaster-api-key=main-key-0001"]
    if given == "options":
        keys += ["--madaster-read-only-key=reader-key-0002", "--madaster-scoped-key=scoped-key-0003"]
    else:
        monkeypatch.setenv("MADASTER_READ_ONLY_KEY", "reader-key-0002")
        monkeypatch.setenv("MADASTER_SCOPED_KEY", "scoped-key-0003")
    result = pytester.runpytest_inprocess(*plugin_args(), *keys)
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "reader-key-0002" not in out and "scoped-key-0003" not in out, out
    from contracts.runner.redact import KEY_PLACEHOLDER

    assert f"keys {KEY_PLACEHOLDER} {KEY_PLACEHOLDER}" in out, out
