"""The test sub-command's contract: flags, exit codes, one-line errors, cleanup on Ctrl-C."""

from __future__ import annotations

import pytest

from contracts.runner import engine
from tests.conftest import requires_shared
from tests.runner.broken_api import KEY, BrokenApi, serving


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--operation", "("], "not a valid regular expression"),
        (["--base-url", "ftp://x", "--api-key", "k"], "must be an http(s) URL"),
        (["--base-url", "http://127.0.0.1:9"], "an API key is required"),
        (["--max-examples", "0"], "--max-examples must be at least 1"),
        (["--spec", "no/such/file.yaml"], "no such file"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(cli, argv, message) -> None:
    result = cli("test", *argv)
    assert result.code == 2
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_unknown_version_and_empty_store_are_usage_errors(cli, monkeypatch, tmp_path) -> None:
    from tests.conftest import PROJECT_ROOT

    monkeypatch.setenv("MADASTER_SPECS_DIR", str(PROJECT_ROOT / "specs"))
    unknown = cli("test", "--version", "v9.9")
    assert unknown.code == 2 and "v9.9" in unknown.err
    monkeypatch.setenv("MADASTER_SPECS_DIR", str(tmp_path / "empty"))
    empty = cli("test")
    assert empty.code == 2 and "nothing to test" in empty.err


def test_specs_dir_option_names_the_store(cli, monkeypatch, tmp_path) -> None:
    from tests.conftest import PROJECT_ROOT

    monkeypatch.setenv("MADASTER_SPECS_DIR", str(tmp_path / "empty"))
    unknown = cli("test", "--version", "v9.9", "--specs-dir", str(PROJECT_ROOT / "specs"))
    assert unknown.code == 2 and "stored versions: v3.0, v4.0" in unknown.err
    empty = cli("test", "--specs-dir", str(tmp_path / "empty"))
    assert empty.code == 2 and "nothing to test" in empty.err


def test_key_from_environment_never_printed(cli, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("MADASTER_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MADASTER_API_KEY", "env-secret-key-777")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.1\ninfo: {title: t, version: v3.0}\npaths:\n  /api/v3.0/account:\n"
        "    get:\n      responses:\n        '200': {description: ok}\n"
    )
    result = cli("test", "--spec", str(spec))
    assert result.code == 2 and "cannot reach http://127.0.0.1:9" in result.err
    assert "env-secret-key-777" not in result.out + result.err


@requires_shared
def test_ctrl_c_still_deletes_what_the_run_created(cli, build_28168, monkeypatch) -> None:
    api = BrokenApi(breakages=frozenset())

    def interrupted_run(schema, target, result, progress):
        from werkzeug.test import Client

        body = {
            "name": "x",
            "parentId": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "foldertypeId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        }
        created = Client(target.app).post(
            "/api/v3.0/folder", json=body, headers={"X-API-Key": "$MADASTER_API_KEY"}
        )
        assert created.status_code == 201
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "run_engine", interrupted_run)
    with serving(api) as url:
        result = cli(
            "test", "--spec", str(build_28168), "--base-url", url, "--api-key", KEY, "--allow-writes"
        )
    assert result.code == 130
    assert len(api.created_names) == 1 and api.folders == {}
    assert ("DELETE", f"/api/v3.0/folder/{api.deleted[0]}") in api.requests


SPECS = ["--specs-dir", "SPECS"]


def _specs(argv: list[str]) -> list[str]:
    from tests.conftest import PROJECT_ROOT

    return [str(PROJECT_ROOT / "specs") if a == "SPECS" else a for a in argv]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--operation", "NOPE /nothing"], "matches no operation of the specs under test; nearest:"),
        (["--operation", "GET /api/v3.0/folderz"], "nearest: GET /api/v3.0/folder"),
        (
            ["--operation", "DELETE", "--base-url", "http://127.0.0.1:9", "--api-key", "k"],
            "matches only write operations",
        ),
    ],
)
def test_an_operation_filter_that_selects_nothing_is_exit_2(cli, argv, message) -> None:
    result = cli("test", *_specs(SPECS), *argv)
    assert result.code == 2, result.out
    assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert "passed" not in result.out and "version  operations" not in result.out


def test_an_unreachable_host_says_so_in_one_line_without_a_results_table(cli) -> None:
    result = cli(
        "test", *_specs(SPECS), "--version", "v3.0", "--base-url", "http://127.0.0.1:9", "--api-key", "k"
    )
    assert result.code == 2
    assert "cannot reach http://127.0.0.1:9" in result.err and len(result.err.strip().splitlines()) == 1
    assert "FAILED" not in result.out and "contract failures found" not in result.out
    assert "version  operations" not in result.out


@requires_shared
def test_a_rejected_key_says_so_in_one_line_without_a_results_table(cli, build_28168) -> None:
    with serving(BrokenApi(breakages=frozenset())) as url:
        result = cli("test", "--spec", str(build_28168), "--base-url", url, "--api-key", "wrong-key")
    assert result.code == 2 and "rejected the API key" in result.err
    assert "FAILED" not in result.out and "version  operations" not in result.out


def test_every_report_asked_for_is_written_and_the_legend_agrees_with_the_summary(cli, tmp_path) -> None:
    argv = ["--version", "v3.0", "--operation", r"^GET /api/v3\.0/account$", "--max-examples", "1"]
    result = cli(
        "test", *_specs(SPECS), *argv, "--report", "a.html", "--report", "b.md", "--report", "c.json"
    )
    assert result.code == 0, result.out
    for name, kind in (("a.html", "HTML"), ("b.md", "Markdown"), ("c.json", "JSON")):
        assert (tmp_path / name).stat().st_size > 0
        assert f"{kind} report: {name}" in result.out
    legend = next(line for line in result.out.splitlines() if line.strip().startswith("progress:"))
    progress = [line for line in result.out.splitlines() if line.startswith("   ") and line[3:13].strip() in (
        "examples", "coverage", "fuzzing", "stateful", "workflows")]  # fmt: skip
    shown = {char for line in progress for char in line[14:].strip()}
    assert shown <= {".", "F", "E", "s", "-", "!"} and all(f" {c} " in legend + " " for c in shown)
    import json

    skipped = sum(line[14:].count("s") for line in progress)
    report = json.loads((tmp_path / "c.json").read_text())
    assert report["versions"][0]["skipped_scenarios"] == skipped


def test_the_same_report_file_twice_is_refused(cli) -> None:
    result = cli("test", *_specs(SPECS), "--report", "a.md", "--report", "./a.md")
    assert result.code == 2 and "given twice as a report file" in result.err
