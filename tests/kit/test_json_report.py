"""``test --report FILE.json``: a real run's report holds what the run found and fits its schema."""

from __future__ import annotations

import json

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.platform.leniency import SpecDefect
from contracts.runner.redact import Redactor
from contracts.runner.reporting.json_report import json_report, report_data
from contracts.runner.results import ChainStep, FailureReport, OperationResult, RunResult, VersionResult
from tests.conftest import PROJECT_ROOT, requires_shared
from tests.runner.broken_api import KEY
from tests.runner.test_broken_server import READ_RUN, target_args

SCHEMA = json.loads((PROJECT_ROOT / "docs/schemas/test-report.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@requires_shared
def test_a_real_run_against_a_broken_server_is_reported_in_full(cli, build_28168, broken_api, tmp_path):
    _api, url = broken_api
    result = cli("test", *target_args(build_28168, url), *READ_RUN, "--report", "out/run.json")
    assert result.code == 1, result.err
    assert "JSON report: out/run.json" in result.out
    text = (tmp_path / "out/run.json").read_text()
    report = json.loads(text)
    VALIDATOR.validate(report)
    assert KEY not in text
    assert report["seed"] == 7 and report["exit_code"] == 1 and report["passed"] is False
    (version,) = report["versions"]
    operations = {op["operation"]: op for op in version["operations"] if op["unit"] == "operation"}
    assert "GET /api/v3.0/system/materialfamilies" in operations
    assert not any(op["not_exercised"] or op["not_sent"] for op in operations.values())  # a read-only run
    assert sum(op["cases"] for op in version["operations"]) == version["cases"] > 0
    failing = {(f["operation"], f["check"]) for f in version["failures"]}
    assert ("GET /api/v3.0/system/buildingusages", "not_a_server_error") in failing
    server_error = next(f for f in version["failures"] if f["check"] == "not_a_server_error")
    assert server_error["status"] == 500 and server_error["curl"].startswith("curl")
    assert "$MADASTER_API_KEY" in server_error["curl"]
    checks = {c["name"]: c["status"] for c in operations["GET /api/v3.0/system/buildingusages"]["checks"]}
    assert checks["not_a_server_error"] == "failed"
    assert report["totals"]["failures"] == len(version["failures"])
    assert version["duration_seconds"] > 0


def test_an_offline_run_of_the_baseline_passes_and_fits_the_schema(cli, tmp_path) -> None:
    specs = PROJECT_ROOT / "specs"
    result = cli(
        "test", "--specs-dir", str(specs), "--version", "v3.0", "--operation", r"^GET /api/v3\.0/account$",
        "--max-examples", "2", "--seed", "3", "--report", "run.json",
    )  # fmt: skip
    report = json.loads((tmp_path / "run.json").read_text())
    VALIDATOR.validate(report)
    assert report["exit_code"] == result.code
    assert report["versions"][0]["label"].startswith("v3.0")
    assert any(op["operation"] == "GET /api/v3.0/account" for op in report["versions"][0]["operations"])


def test_an_operation_none_of_whose_cases_could_be_sent_is_reported_not_exercised() -> None:
    version = VersionResult(label="v3.0", source="s", target="t", seed=1)
    operation = version.operation("DELETE /api/v3.0/building/{id}")
    data = report_data(RunResult(versions=[version]))
    assert data["versions"][0]["operations"][0]["not_exercised"] is False
    operation.not_sent, operation.not_sent_reason = 3, "its path names id=b1, which this run did not create"
    version.operation("POST /api/v3.0/folder").cases = 2
    data = report_data(RunResult(versions=[version]))
    VALIDATOR.validate(data)
    reported = data["versions"][0]
    assert reported["operations"][0]["not_exercised"] is True and reported["operations"][0]["not_sent"] == 3
    assert reported["not_exercised"] == [
        {"operation": "DELETE /api/v3.0/building/{id}", "reason": operation.not_sent_reason}
    ]
    assert reported["writes_exercised"] == {"exercised": 1, "tried": 2}
    assert data["totals"]["not_exercised"] == 1


texts = st.text(max_size=30)


@st.composite
def runs(draw: st.DrawFn) -> RunResult:
    run = RunResult(seed=draw(st.integers(0, 2**31)), interrupted=draw(st.booleans()))
    for index in range(draw(st.integers(0, 3))):
        version = VersionResult(
            label=f"v{index}.0", source=draw(texts), target=draw(texts), seed=run.seed,
            duration=draw(st.floats(0, 1e4)), shard=draw(st.none() | st.just((1, 2))),
            errors=draw(st.lists(texts, max_size=2)), cleanup=draw(st.lists(texts, max_size=2)),
            spec_defects=[SpecDefect(draw(texts), draw(texts), draw(texts))],
        )  # fmt: skip
        for label in draw(st.lists(texts, max_size=4, unique=True)):
            unit = draw(st.sampled_from(["operation", "stateful"]))
            op: OperationResult = version.operation(label, unit)
            op.cases = draw(st.integers(0, 100))
            op.skipped = draw(st.none() | texts)
            op.errors = draw(st.lists(texts, max_size=2))
            for check in draw(st.lists(texts, max_size=3)):
                op.record_check(check, draw(st.booleans()))
        if version.operations:
            version.add_failure(
                FailureReport(
                    operation=next(iter(version.operations)),
                    check=draw(texts),
                    title=draw(texts),
                    message=draw(texts),
                    status=draw(st.none() | st.integers(100, 599)),
                    response_excerpt=draw(texts),
                    curl="curl x",
                    phase="examples",
                    chain=[ChainStep("GET", "http://h/x", draw(st.none() | st.just(200)), "curl y")],
                )  # fmt: skip
            )
        run.versions.append(version)
    return run


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    return []


@settings(max_examples=60, deadline=None)
@given(runs(), st.text(alphabet="abcdef0123456789", min_size=4, max_size=12))
def test_every_run_fits_the_schema_and_never_holds_the_key(run: RunResult, key: str) -> None:
    run.versions and run.versions[0].errors.append(f"echoed {key}")
    text = json_report(run, Redactor(key))
    data = json.loads(text)
    VALIDATOR.validate(data)
    assert not [value for value in strings(data) if key in value]
    assert data["totals"]["operations"] == sum(len(v.all_results()) for v in run.versions)
    assert data["passed"] == (run.passed and not run.interrupted)
