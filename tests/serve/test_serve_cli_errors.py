"""``madaster-contracts mock``: every bad input is one line on stderr and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.cli import main
from tests.conftest import real_build


def run_mock(capsys, *argv: str) -> tuple[int, str]:
    code = main(["mock", *argv])
    err = capsys.readouterr().err
    return code, err


def assert_one_clear_line(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("madaster-contracts mock: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def spec_v3() -> Path:
    return real_build("v3.0", 30855)


def test_missing_spec_file(capsys, tmp_path: Path) -> None:
    assert_one_clear_line(
        *run_mock(capsys, "--spec", str(tmp_path / "none.json")), "none.json", "no such file"
    )


def test_broken_json_spec(capsys, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"openapi": "3.0.1", "paths": {')
    assert_one_clear_line(*run_mock(capsys, "--spec", str(broken)), "broken.json", "invalid JSON")


def test_invalid_openapi_spec(capsys, tmp_path: Path) -> None:
    invalid = tmp_path / "invalid.yaml"
    invalid.write_text("openapi: 3.0.1\ninfo: {title: x}\npaths: {}\n")
    assert_one_clear_line(*run_mock(capsys, "--spec", str(invalid)), "invalid.yaml", "invalid OpenAPI")


def test_spec_without_a_version(capsys, tmp_path: Path) -> None:
    spec = tmp_path / "noversion.json"
    spec.write_text(json.dumps({"openapi": "3.0.1", "info": {"title": "x", "version": "beta"}, "paths": {}}))
    assert_one_clear_line(*run_mock(capsys, "--spec", str(spec)), "cannot tell the API version")


def test_two_files_of_one_version(capsys) -> None:
    older, newer = real_build("v3.0", 28168), real_build("v3.0", 30855)
    code, err = run_mock(capsys, "--spec", str(older), "--spec", str(newer))
    assert_one_clear_line(code, err, "two specs for v3.0", "build-28168.json", "build-30855.json")


def test_spec_files_and_a_specs_dir_exclude_each_other(capsys, tmp_path: Path, spec_v3: Path) -> None:
    code, err = run_mock(capsys, "--spec", str(spec_v3), "--specs-dir", str(tmp_path))
    assert_one_clear_line(code, err, "either --spec files or --specs-dir")


def test_empty_specs_dir(capsys, tmp_path: Path) -> None:
    assert_one_clear_line(*run_mock(capsys, "--specs-dir", str(tmp_path)), "no spec snapshots", str(tmp_path))


def test_missing_specs_dir(capsys, tmp_path: Path) -> None:
    assert_one_clear_line(*run_mock(capsys, "--specs-dir", str(tmp_path / "gone")), "no such folder")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("tokens: [\n  {key: a", "invalid YAML"),
        ("tokens: []\n", "empty"),
        ("tokens:\n  - {key: a, permission: root}\n", "permission 'root'"),
        ("tokens:\n  - {key: a, scope: 'planet:1'}\n", "scope"),
        ("tokens:\n  - {key: a, expires: someday}\n", "expires"),
        ("- just a list\n", "'tokens' list"),
    ],
)
def test_bad_tokens_file(capsys, tmp_path: Path, spec_v3: Path, content: str, fragment: str) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(content)
    code, err = run_mock(capsys, "--spec", str(spec_v3), "--tokens", str(tokens))
    assert_one_clear_line(code, err, "tokens.yaml", fragment)


def test_missing_tokens_file(capsys, tmp_path: Path, spec_v3: Path) -> None:
    code, err = run_mock(capsys, "--spec", str(spec_v3), "--tokens", str(tmp_path / "none.yaml"))
    assert_one_clear_line(code, err, "none.yaml", "no such tokens file")


@pytest.mark.parametrize("value", ["redis", "sqlite", "sqlite:", "sqlite:  ", "memory:x", "SQLITE:x.db"])
def test_bad_store_value(capsys, spec_v3: Path, value: str) -> None:
    code, err = run_mock(capsys, "--spec", str(spec_v3), "--store", value)
    assert_one_clear_line(code, err, "--store", "sqlite:PATH")


def test_sqlite_store_in_a_missing_folder(capsys, tmp_path: Path, spec_v3: Path) -> None:
    code, err = run_mock(capsys, "--spec", str(spec_v3), "--store", f"sqlite:{tmp_path}/none/state.db")
    assert_one_clear_line(code, err, "does not exist")


@pytest.mark.parametrize("value", ["10", "ten/1", "10/0", "0/1", "10/1/2", "10 per second"])
def test_bad_rate_limit(capsys, spec_v3: Path, value: str) -> None:
    code, err = run_mock(capsys, "--spec", str(spec_v3), "--rate-limit", value)
    assert_one_clear_line(code, err, "--rate-limit", "N/SECONDS")


@pytest.mark.parametrize(("flag", "value"), [("--error-rate", "2"), ("--latency", "-5"), ("--threads", "0")])
def test_out_of_range_numbers(capsys, spec_v3: Path, flag: str, value: str) -> None:
    assert_one_clear_line(*run_mock(capsys, "--spec", str(spec_v3), flag, value), flag)


def test_a_snapshot_edited_into_invalid_openapi_after_it_was_stored(
    capsys, tmp_path: Path, monkeypatch
) -> None:
    """Stored snapshots skip validation only while their bytes match the digest the store recorded."""
    from contracts.store import SnapshotStore
    from mockserver.http import serve

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the mock was about to serve an invalid document")

    monkeypatch.setattr(serve, "MockServer", never)

    spec = {"openapi": "3.0.1", "info": {"title": "x", "version": "v3.0"}, "paths": {}}
    spec["paths"]["/api/v3.0/account"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    snapshot = SnapshotStore(tmp_path).add(json.dumps(spec).encode(), source="test").snapshot
    del spec["info"]["version"]  # still names its version by path, no longer valid OpenAPI
    snapshot.path.write_text(json.dumps(spec))
    code, err = run_mock(capsys, "--specs-dir", str(tmp_path))
    assert_one_clear_line(code, err, snapshot.path.name, "invalid OpenAPI")
