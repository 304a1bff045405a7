"""Levels: the reasoning behind each built-in level, and a team's own levels from ``--levels FILE``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.cli import main
from contracts.diff import diff_specs
from contracts.diff.catalogue import all_rules, markdown_table, rules_by_id
from contracts.diff.levels import apply_levels, load_levels
from contracts.diff.model import Level
from contracts.diff.rationale import WHY
from contracts.errors import ContractsError
from tests.diff.builders import base_spec, mutated, schemas


def _nullable_count(spec: dict) -> None:
    schemas(spec)["Item"]["properties"]["count"]["nullable"] = True


def _nullable_size(spec: dict) -> None:
    schemas(spec)["ItemRequest"]["properties"]["size"]["nullable"] = True


def test_every_rule_says_why_it_has_its_level() -> None:
    ids = set(rules_by_id())
    assert set(WHY) == ids, (ids - set(WHY), set(WHY) - ids)
    table = markdown_table()
    for r in all_rules():
        assert WHY[r.id].replace("|", "\\|") in table


def test_response_property_becoming_nullable_breaks_request_side_does_not() -> None:
    report = diff_specs(base_spec(), mutated(_nullable_count))
    assert {(c.id, c.level) for c in report.changes} == {
        ("response-property-became-nullable", Level.BREAKING)
    }
    report = diff_specs(base_spec(), mutated(_nullable_size))
    assert {(c.id, c.level) for c in report.changes} == {("request-property-became-nullable", Level.INFO)}


def test_optional_response_property_removed_stays_breaking() -> None:
    rule = rules_by_id()["response-property-removed"]
    assert rule.level == Level.BREAKING and "required" in WHY[rule.id]


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_levels_file_yaml_and_json(tmp_path: Path) -> None:
    known = set(rules_by_id())
    yaml_file = _write(
        tmp_path, "l.yaml", "response-property-became-nullable: warning\noperation-added: ignore\n"
    )
    assert load_levels(yaml_file, known) == {
        "response-property-became-nullable": Level.WARNING,
        "operation-added": None,
    }
    json_file = _write(tmp_path, "l.json", json.dumps({"operation-removed": "INFO"}))
    assert load_levels(json_file, known) == {"operation-removed": Level.INFO}
    assert load_levels(_write(tmp_path, "empty.yaml", ""), known) == {}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("no-such-rule: warning\n", "unknown rule id 'no-such-rule'"),
        ("operation-removed: fatal\n", "unknown level 'fatal'"),
        ("operation-removed: 3\n", "unknown level 3"),
        ("- operation-removed\n", "expected a mapping"),
        ("operation-removed: [unclosed\n", "invalid YAML"),
    ],
)
def test_bad_levels_file_is_refused(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ContractsError, match=None) as info:
        load_levels(_write(tmp_path, "bad.yaml", text), set(rules_by_id()))
    assert needle in str(info.value)


def test_apply_levels_changes_and_drops_findings() -> None:
    def edit(spec: dict) -> None:
        _nullable_count(spec)
        schemas(spec)["Item"]["properties"]["color"] = {"type": "string"}

    report = diff_specs(base_spec(), mutated(edit))
    assert {c.id for c in report.changes} == {"response-property-became-nullable", "response-property-added"}
    apply_levels(
        report, {"response-property-became-nullable": Level.WARNING, "response-property-added": None}
    )
    assert {(c.id, c.level) for c in report.changes} == {("response-property-became-nullable", Level.WARNING)}
    assert not report.has_at_least(Level.BREAKING)


def _files(tmp_path: Path, old: dict, new: dict) -> tuple[str, str]:
    a, b = tmp_path / "old.json", tmp_path / "new.json"
    a.write_text(json.dumps(old))
    b.write_text(json.dumps(new))
    return str(a), str(b)


def test_cli_levels_decide_the_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _files(tmp_path, base_spec(), mutated(_nullable_count))
    assert main(["diff", old, new]) == 1
    levels = _write(tmp_path, "levels.yaml", "response-property-became-nullable: warning\n")
    capsys.readouterr()
    assert main(["diff", old, new, "--levels", levels, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {c["level"] for c in data["changes"]} == {"warning"}
    assert main(["diff", old, new, "--levels", levels, "--fail-on", "warning"]) == 1
    drop = _write(tmp_path, "drop.yaml", "response-property-became-nullable: ignore\n")
    capsys.readouterr()
    assert main(["diff", old, new, "--levels", drop, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["changes"] == []


def test_cli_bad_levels_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = _files(tmp_path, base_spec(), base_spec())
    bad = _write(tmp_path, "bad.yaml", "operation-removed: severe\n")
    assert main(["diff", old, new, "--levels", bad]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown level 'severe'" in err[0]
    assert main(["diff", old, new, "--levels", str(tmp_path / "absent.yaml")]) == 2


def test_rules_listing_shows_overridden_levels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    levels = _write(tmp_path, "levels.yaml", "operation-removed: warning\noperation-added: ignore\n")
    assert main(["diff", "--rules", "--levels", levels, "--format", "json"]) == 0
    rules = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rules["operation-removed"]["level"] == "warning"
    assert rules["operation-added"]["level"] == "ignore"
    assert rules["response-property-became-nullable"]["why"] == WHY["response-property-became-nullable"]


def _many_changes(spec: dict) -> None:
    _nullable_count(spec)
    _nullable_size(spec)
    props = schemas(spec)["Item"]["properties"]
    props["color"] = {"type": "string"}
    props["status"]["enum"] = ["new", "done", "failed"]
    del props["note"]


_REPORT_IDS = sorted({c.id for c in diff_specs(base_spec(), mutated(_many_changes)).changes})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(st.sampled_from(_REPORT_IDS), st.sampled_from(["breaking", "warning", "info", "ignore"]))
)
def test_levels_file_decides_every_finding(
    tmp_path_factory: pytest.TempPathFactory, mapping: dict[str, str]
) -> None:
    path = tmp_path_factory.mktemp("levels") / "levels.json"
    path.write_text(json.dumps(mapping))
    report = diff_specs(base_spec(), mutated(_many_changes))
    before = [(c.id, c.level) for c in report.changes]
    apply_levels(report, load_levels(str(path), set(rules_by_id())))
    expected = [
        (i, Level.parse(mapping[i]) if i in mapping else level)
        for i, level in before
        if mapping.get(i) != "ignore"
    ]
    assert [(c.id, c.level) for c in report.changes] == expected
