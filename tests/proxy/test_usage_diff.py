"""``diff --usage``: the breaking changes that touch what a recorded client used, on real build pairs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.cli import main
from contracts.diff.engine import diff_specs
from contracts.diff.model import DiffReport
from contracts.diff.usage import Observation, load_usage
from contracts.diff.usage_filter import filter_report
from tests.conftest import real_build
from tests.proxy.conftest import spec_doc
from tests.proxy.proxy_helpers import record_session

CALLED = {
    "GET /api/v3.0/account",
    "GET /api/v3.0/system/classificationmethods",
    "GET /api/v3.0/system/buildingusages",
    "GET /api/v3.0/system/materialfamilies",
    "GET /api/v3.0/folder",
    "POST /api/v3.0/building",
    "GET /api/v3.0/building/{id}",
    "PUT /api/v3.0/building/{id}",
    "POST /api/v3.0/building/{buildingId}/files",
    "GET /api/v3.0/building/{buildingId}/files",
    "GET /api/v3.0/building",
}


@pytest.fixture(scope="module")
def traffic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One real workflow through the proxy in front of the mock (build 28168): HAR, JSONL log, mock log."""
    folder = tmp_path_factory.mktemp("usage")
    har, log = folder / "session.har", folder / "session.jsonl"
    session = record_session(spec_doc("v3.0", 28168), har, log)
    assert len(session) == len(CALLED)
    mock_log = folder / "mock-requests.json"
    mock_log.write_text(
        json.dumps(
            [{"method": s.method, "path": s.path, "query": "", "status": r.status_code} for s, r in session]
        )
    )
    return {"har": har, "jsonl": log, "mock": mock_log}


def diff_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["diff", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_only_the_breaking_changes_this_client_meets_are_reported(
    traffic: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = real_build("v3.0", 7980), real_build("v3.0", 18991)
    code, everything = diff_json(capsys, str(old), str(new))
    used_code, used = diff_json(capsys, str(old), str(new), "--usage", str(traffic["har"]))
    breaking = [c for c in everything["changes"] if c["level"] == "breaking"]
    kept = [c for c in used["changes"] if c["level"] == "breaking"]
    assert code == used_code == 1
    # the client sends name, buildingUsage and materialClassificationTypeId: their tightening hits it
    tightened = {
        (op, f"request.{prop}")
        for op in ("POST /api/v3.0/building", "PUT /api/v3.0/building/{id}")
        for prop in ("name", "buildingUsage", "materialClassificationTypeId")
    }
    assert tightened <= {(c["operation"], c["location"]) for c in kept}
    # anything else kept is a response property this client really received
    seen = _response_properties(traffic["har"])
    for change in kept:
        if (change["operation"], change["location"]) not in tightened:
            assert change["location"].startswith("response."), change
            rest = change["location"][len("response.") :]
            status = rest.split(".")[0].split("[")[0]
            assert (change["operation"], status, rest[len(status) :]) in seen, change
    # the removed database/material/product operations are breaking, but this client never called them
    not_used = used["usage"]["not_used_changes"]
    assert used["usage"]["not_used"]["breaking"] == len(breaking) - len(kept) > 30
    assert all(c["operation"] not in CALLED for c in not_used if c["id"] == "operation-removed")
    assert {c["operation"] for c in used["changes"]} <= CALLED


def test_exit_codes_follow_fail_on_on_the_used_part(
    traffic: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old, new = str(real_build("v3.0", 7980)), str(real_build("v3.0", 18991))
    only_account = tmp_path / "account-only.json"  # a mock request log: one call
    only_account.write_text(
        json.dumps([{"method": "GET", "path": "/api/v3.0/account", "query": "", "status": 200}])
    )
    assert main(["diff", old, new]) == 1
    capsys.readouterr()
    code, used = diff_json(capsys, old, new, "--usage", str(only_account))
    assert not [c for c in used["changes"] if c["level"] == "breaking"] and code == 0
    assert used["usage"]["not_used"]["breaking"] > 30 and used["usage"]["operations_called"] == 1
    for fail_on in ("breaking", "warning"):
        code, used = diff_json(
            capsys,
            str(real_build("v3.0", 28168)),
            str(real_build("v3.0", 30855)),
            "--usage",
            str(traffic["har"]),
            "--fail-on",
            fail_on,
        )
        levels = {"breaking"} if fail_on == "breaking" else {"breaking", "warning"}
        assert code == int(any(c["level"] in levels for c in used["changes"]))
        assert {c["operation"] for c in used["changes"]} <= CALLED
        assert used["usage"]["operations_called"] == len(CALLED) and used["usage"]["unmatched_requests"] == 0


def test_across_versions_names_what_the_migration_must_change(
    traffic: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    v3, v4 = real_build("v3.0", 30855), real_build("v4.0", 28168)
    code, used = diff_json(capsys, "--across", str(v3), str(v4), "--usage", str(traffic["har"]))
    assert code == 1
    assert {c["operation"] for c in used["changes"] if c["id"] == "operation-removed"} == CALLED
    assert used["usage"]["not_used"]["breaking"] > 0


@pytest.mark.parametrize("kind", ["jsonl", "mock"])
def test_the_proxy_log_and_the_mock_log_name_the_same_operations(
    traffic: dict[str, Path], capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    old, new = str(real_build("v3.0", 7980)), str(real_build("v3.0", 18991))
    _, from_har = diff_json(capsys, old, new, "--usage", str(traffic["har"]))
    _, other = diff_json(capsys, old, new, "--usage", str(traffic[kind]))
    har_found = {(c["operation"], c["location"], c["id"]) for c in from_har["changes"]}
    found = {(c["operation"], c["location"], c["id"]) for c in other["changes"]}
    if kind == "jsonl":  # the log keeps property names: the same findings
        assert found == har_found
    else:  # no bodies in the mock's log: every body finding of a called operation counts
        assert har_found < found
        assert {c[0] for c in found} <= CALLED


def test_text_output_summarises_what_is_not_used(
    traffic: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "diff",
            str(real_build("v3.0", 7980)),
            str(real_build("v3.0", 18991)),
            "--usage",
            str(traffic["har"]),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "breaking, but not used by this client" in out
    assert "GET /api/v3.0/database" not in out  # removed, but never called


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_less_traffic_never_touches_more(traffic: dict[str, Path], data: st.DataObject) -> None:
    """Filtering is monotonic in the traffic and never loses a finding: used + not used = all."""
    old, new = spec_doc("v3.0", 7980), spec_doc("v3.0", 18991)
    observations = load_usage(traffic["har"])
    subset = data.draw(st.lists(st.sampled_from(observations), unique_by=id))
    full, part = _filtered(old, new, observations), _filtered(old, new, subset)
    everything = diff_specs(old, new).changes
    assert sorted(c.key() for c in part[0] + part[1]) == sorted(c.key() for c in everything)
    assert {c.key() for c in part[0]} <= {c.key() for c in full[0]}
    called = {f"{o.method} {t}" for o in subset for t in [_template(old, o)] if t}
    assert all(c.operation in called for c in part[0] if c.operation)


def _response_properties(har: Path) -> set[tuple[str, str, str]]:
    """(operation, status, property path) for every response property in the recording."""
    from contracts.diff.usage_filter import TemplateMatcher
    from contracts.har import load_har

    matcher = TemplateMatcher(spec_doc("v3.0", 7980))
    found = set()
    for entry in load_har(har):
        template = matcher.match(entry.method, entry.path)
        body = json.loads(entry.response_body or b"null")
        for path in _paths(body, ""):
            found.add((f"{entry.method} {template}", str(entry.status), path))
    return found


def _paths(value: Any, prefix: str) -> set[str]:
    out = set()
    if isinstance(value, dict):
        for key, item in value.items():
            out |= {f"{prefix}.{key}"} | _paths(item, f"{prefix}.{key}")
    elif isinstance(value, list):
        for item in value:
            out |= {f"{prefix}[]"} | _paths(item, f"{prefix}[]")
    return out


def _filtered(old: dict[str, Any], new: dict[str, Any], observations: list[Observation]) -> tuple[list, list]:
    report: DiffReport = diff_specs(old, new)
    split = filter_report(report, observations, old, across=False)
    return report.changes, split.unused


def _template(doc: dict[str, Any], observation: Observation) -> str | None:
    from contracts.diff.usage_filter import TemplateMatcher

    return TemplateMatcher(doc).match(observation.method, observation.path)


def test_unreadable_usage_files_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = str(real_build("v3.0", 7980)), str(real_build("v3.0", 18991))
    cases = {
        "missing.har": None,
        "broken.har": "{not json",
        "other.json": '{"hello": 1}',
        "entries.har": '{"log": {"entries": [{"request": {}}]}}',
        "lines.jsonl": '{"method": "GET", "path": "/x"}\nnot json\n',
    }
    for name, content in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_text(content)
        assert main(["diff", old, new, "--usage", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and name in err, err
