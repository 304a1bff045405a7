"""`madaster-contracts diff` end to end: files, store references, formats, exit codes, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from contracts.cli import main
from contracts.diff.catalogue import all_rules
from contracts.store import SnapshotStore
from tests.conftest import PROJECT_ROOT, real_build, requires_shared


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("madaster-contracts diff: error: ")
    return lines[0]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding every real build (built once: importing validates each document)."""
    root = tmp_path_factory.mktemp("store") / "specs"
    snapshots = SnapshotStore(root)
    for version, builds in (("v3.0", (7980, 18991, 28168, 30855)), ("v4.0", (17265, 28168))):
        for build in builds:
            snapshots.add_file(real_build(version, build), kind="import")
    return root


def v3(build: int) -> str:
    return str(real_build("v3.0", build))


@requires_shared
def test_breaking_pair_exits_1_and_groups_text_by_operation(capsys) -> None:
    code, out, err = run_cli(capsys, v3(7980), v3(18991), "--color", "never")
    assert code == 1 and err == ""
    assert "76 breaking" in out
    assert "\nGET /api/v3.0/database\n  breaking operation removed  (operation-removed)\n" in out
    assert "\033[" not in out


@requires_shared
def test_fail_on_levels(capsys) -> None:
    assert run_cli(capsys, v3(28168), v3(30855))[0] == 1  # new response enum values
    assert run_cli(capsys, v3(28168), v3(30855), "--fail-on", "warning")[0] == 1
    assert run_cli(capsys, v3(7980), v3(18991), "--fail-on", "never")[0] == 0


@requires_shared
def test_json_format(capsys) -> None:
    code, out, _ = run_cli(capsys, v3(18991), v3(28168), "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["summary"]["breaking"] == 29
    first = data["changes"][0]
    assert set(first) >= {"id", "level", "operation", "location", "message"}
    removed = [c for c in data["changes"] if c["id"] == "request-property-became-required"]
    assert removed[0]["media_types"] == ["application/json", "text/json", "application/*+json"]


@requires_shared
def test_markdown_and_junit_formats(capsys, tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, v3(7980), v3(18991), "--format", "markdown")
    assert out.startswith("### API changes:")
    assert "#### Breaking changes (76)" in out and "<details>" in out
    report = tmp_path / "diff.xml"
    code, out, _ = run_cli(capsys, v3(7980), v3(18991), "--format", "junit", "-o", str(report))
    assert code == 1 and out == ""
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    failed = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert "GET /api/v3.0/database" in failed
    assert int(suite.get("failures", "0")) == len(failed)


@requires_shared
def test_ignore_file_accepts_findings(capsys, tmp_path: Path) -> None:
    old, new = str(real_build("v4.0", 17265)), str(real_build("v4.0", 28168))
    ignore = tmp_path / "accepted.yaml"
    ignore.write_text(
        "- id: operation-removed\n"
        "  operation: GET /api/v4.0/commodity/{id}/lca/*\n"
        "  reason: replaced by the compliance-specific operation\n"
    )
    levels = tmp_path / "levels.yaml"
    levels.write_text(
        "response-property-enum-value-added: warning\nresponse-property-became-nullable: warning\n"
    )
    code, out, _ = run_cli(
        capsys, old, new, "--ignore", str(ignore), "--levels", str(levels), "--format", "json"
    )
    data = json.loads(out)
    assert code == 0
    ignored = [c for c in data["changes"] if c.get("ignored")]
    assert [c["id"] for c in ignored] == ["operation-removed"]
    assert ignored[0]["reason"].startswith("replaced")
    assert data["summary"]["breaking"] == 0 and data["summary"]["ignored"] == 1


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("- id: no-such-rule\n  reason: x\n", "unknown rule id 'no-such-rule'"),
        ("- id: operation-removed\n", "'reason' is required"),
        ("id: operation-removed\n", "expected a list"),
        ("- [unclosed\n", "invalid YAML"),
    ],
)
@requires_shared
def test_bad_ignore_file_is_one_line(capsys, tmp_path: Path, content: str, needle: str) -> None:
    ignore = tmp_path / "bad.yaml"
    ignore.write_text(content)
    code, _, err = run_cli(capsys, v3(28168), v3(30855), "--ignore", str(ignore))
    assert code == 2
    assert needle in one_error_line(err)


@requires_shared
def test_store_references_previous_latest_and_build(capsys, store: Path) -> None:
    code, out, _ = run_cli(
        capsys, "v3.0@previous", "v3.0@latest", "--specs-dir", str(store), "--format", "json"
    )
    data = json.loads(out)
    assert code == 1 and data["summary"]["breaking"] == 8
    assert (data["old"], data["new"]) == ("v3.0@28168", "v3.0@30855")
    code, out, _ = run_cli(capsys, "v3.0@7980", v3(18991), "--specs-dir", str(store), "--format", "json")
    assert code == 1 and json.loads(out)["summary"]["breaking"] == 76


@requires_shared
def test_history_walks_every_stored_build(capsys, store: Path) -> None:
    code, out, _ = run_cli(capsys, "--history", "v3.0", "--specs-dir", str(store), "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert [(h["old"], h["new"]) for h in data["history"]] == [
        ("v3.0@7980", "v3.0@18991"),
        ("v3.0@18991", "v3.0@28168"),
        ("v3.0@28168", "v3.0@30855"),
    ]
    assert data["summary"]["breaking"] == 76 + 29 + 8
    code, out, _ = run_cli(capsys, "--history", "v3.0", "--specs-dir", str(store), "--min-level", "breaking")
    assert out.count(" -> ") >= 3 and "info " not in out


@requires_shared
def test_across_versions_from_the_store(capsys, store: Path) -> None:
    code, out, _ = run_cli(capsys, "--across", "v3.0", "v4.0", "--specs-dir", str(store), "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert (data["old"], data["new"]) == ("v3.0@30855", "v4.0@28168")
    ids = {c["id"] for c in data["changes"]}
    assert ids <= {"operation-removed", "deprecated-operation-removed", "operation-added"} | {
        i for i in ids if not i.startswith("operation")
    }
    assert any(
        c["operation"] == "GET /api/v3.0/account" and c["id"] == "operation-removed" for c in data["changes"]
    )


@requires_shared
def test_two_files_of_different_versions_are_compared_across(capsys) -> None:
    code, out, _ = run_cli(capsys, v3(30855), str(real_build("v4.0", 28168)), "--format", "json")
    assert "(across versions)" not in out  # JSON carries no banner
    assert code == 1
    code, out, _ = run_cli(capsys, v3(30855), str(real_build("v4.0", 28168)), "--color", "never")
    assert "(across versions)" in out.splitlines()[0]


def test_missing_file_is_one_line(capsys, tmp_path: Path) -> None:
    spec = tmp_path / "a.json"
    spec.write_text('{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {}}')
    code, _, err = run_cli(capsys, str(spec), str(tmp_path / "missing.json"))
    assert code == 2
    assert "missing.json: no such file" in one_error_line(err)


def test_broken_yaml_is_one_line(capsys, tmp_path: Path) -> None:
    good = tmp_path / "a.yaml"
    good.write_text("openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\n")
    broken = tmp_path / "b.yaml"
    broken.write_text("openapi: 3.0.1\npaths:\n  /x: [unclosed\n")
    code, _, err = run_cli(capsys, str(good), str(broken))
    assert code == 2
    line = one_error_line(err)
    assert "b.yaml" in line and "invalid YAML" in line


def test_not_openapi_is_one_line(capsys, tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text('{"swagger": "2.0"}')
    code, _, err = run_cli(capsys, str(a), str(a))
    assert code == 2 and "Swagger 2.0 is not supported" in one_error_line(err)


def test_unresolvable_ref_is_one_line(capsys, tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    a.write_text(
        json.dumps(
            {
                "openapi": "3.0.1",
                "info": {"title": "t", "version": "1"},
                "paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}},
            }
        )
    )
    code, _, err = run_cli(capsys, str(a), str(a))
    assert code == 2 and "unresolvable $ref '#/components/responses/Nope'" in one_error_line(err)


@requires_shared
def test_unknown_store_reference_is_one_line(capsys, store: Path) -> None:
    code, _, err = run_cli(capsys, "v3.0@99999", "v3.0@latest", "--specs-dir", str(store))
    assert code == 2 and "no build '99999' of v3.0" in one_error_line(err)
    code, _, err = run_cli(capsys, "v9.9@latest", "v3.0@latest", "--specs-dir", str(store))
    assert code == 2 and "no snapshots of v9.9" in one_error_line(err)


def test_bad_arguments_are_one_line(capsys, tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "nonsense", "other", "--specs-dir", str(tmp_path))
    assert code == 2 and "neither a spec file nor a store reference" in one_error_line(err)
    code, _, err = run_cli(capsys, "only-one.json")
    assert code == 2 and "give both OLD and NEW" in one_error_line(err)
    code, _, err = run_cli(capsys)
    assert code == 2 and "exactly one" in one_error_line(err)
    code, _, err = run_cli(capsys, "--history", "v3.0", "--specs-dir", str(tmp_path))
    assert code == 2 and "needs at least two stored builds" in one_error_line(err)


@requires_shared
def test_identical_files_say_no_changes_and_colour_is_optional(capsys) -> None:
    code, out, _ = run_cli(capsys, v3(30855), v3(30855))
    assert code == 0 and "0 breaking, 0 warning, 0 info" in out and "no changes" in out
    code, out, _ = run_cli(capsys, v3(7980), v3(18991), "--color", "always", "--min-level", "breaking")
    assert "\033[1;31mbreaking" in out


@requires_shared
def test_github_actions_annotations(capsys) -> None:
    code, out, _ = run_cli(
        capsys, str(real_build("v4.0", 17265)), str(real_build("v4.0", 28168)), "--format", "githubactions"
    )
    lines = out.splitlines()
    assert code == 1
    assert (
        "::error title=operation-removed::GET /api/v4.0/commodity/{id}/lca/{isoCode}: operation removed"
        in out
    )
    assert sum(line.startswith("::error ") for line in lines) == 13
    assert sum(line.startswith("::warning ") for line in lines) == 1


def test_rules_listing(capsys) -> None:
    code, out, _ = run_cli(capsys, "--rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0
    assert {"id": "operation-removed", "level": "breaking"}.items() <= rules[0].items()
    assert [r["id"] for r in rules] == [r.id for r in all_rules()]


def _modules_after(call: str) -> set[str]:
    code = (
        "import sys\n"
        "from contracts.cli import main\n"
        f"try:\n    rc = main({call})\nexcept SystemExit as exc:\n    rc = exc.code\n"
        "print(' '.join(sorted(sys.modules)), f'rc={rc}', file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return set(result.stderr.split())


def test_version_imports_no_sub_command() -> None:
    loaded = _modules_after("['--version']")
    assert not {
        m for m in loaded if m.startswith(("contracts.commands", "contracts.diff", "mockserver", "yaml"))
    }


@requires_shared
def test_diff_of_json_files_imports_only_what_it_needs() -> None:
    call = f"['diff', {v3(28168)!r}, {v3(30855)!r}, '--format', 'json', '--fail-on', 'never']"
    loaded = _modules_after(call)
    assert "contracts.diff.engine" in loaded and "rc=0" in loaded
    unneeded = {
        *("schemathesis", "flask", "hypothesis", "openapi_spec_validator", "yaml", "yaml_rs", "mockserver"),
        *("contracts.commands.snapshot", "contracts.commands.test", "threading", "dataclasses", "inspect"),
    }
    assert not {m for m in loaded if m.split(".")[0] in unneeded or m in unneeded}
