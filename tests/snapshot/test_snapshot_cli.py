"""`madaster-contracts snapshot ...` end to end, against real builds served on a local HTTP server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts.cli import main
from contracts.store import SnapshotStore
from tests.conftest import real_build, requires_shared
from tests.snapshot.test_store import as_json, minimal_spec
from tests.spec_server import spec_server


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def capture(
    capsys: pytest.CaptureFixture[str], base_url: str, specs_dir: Path, *options: str
) -> tuple[int, str, str]:
    """``snapshot capture`` from ``base_url`` into ``specs_dir``, with extra options."""
    return run_cli(
        capsys, "snapshot", "capture", "--base-url", base_url, "--specs-dir", str(specs_dir), *options
    )


def store_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != ".lock")


@requires_shared
def test_capture_then_check_without_drift(tmp_path: Path, capsys) -> None:
    with spec_server() as server:
        server.serve("/api/v3.0/swagger.json", real_build("v3.0", 30855).read_bytes())
        server.serve(
            "/api/v4.0/swagger.json", real_build("v4.0", 28168).read_bytes(), content_type="application/yaml"
        )
        code, out, _ = capture(
            capsys,
            server.base_url,
            tmp_path,
            "--version",
            "v3.0",
            "--version",
            "v4.0",
            "--api-key",
            "secret-key",
        )
        assert code == 0, out
        assert "stored v3.0@30855" in out and "stored v4.0@28168" in out
        assert all(h.get("X-API-Key") == "secret-key" for h in server.seen_headers)
        stored = SnapshotStore(tmp_path).latest("v3.0")
        assert stored.path.read_bytes() == real_build("v3.0", 30855).read_bytes()
        assert stored.meta["source"] == f"{server.base_url}/api/v3.0/swagger.json"

        # capturing again adds nothing; default versions are the stored ones
        code, out, _ = capture(capsys, server.base_url, tmp_path)
        assert code == 0
        assert out.count("unchanged") == 2
        assert len(SnapshotStore(tmp_path).builds("v3.0")) == 1

        code, out, _ = run_cli(
            capsys, "snapshot", "check", "--base-url", server.base_url, "--specs-dir", str(tmp_path)
        )
        assert code == 0, out
        assert "v3.0: no drift" in out and "v4.0: no drift" in out

    code, out, _ = run_cli(capsys, "snapshot", "list", "--specs-dir", str(tmp_path))
    assert code == 0
    assert "v3.0" in out and "30855" in out and "v4.0" in out and "28168" in out and "capture" in out


@requires_shared
def test_check_reports_drift_with_removed_operations(tmp_path: Path, capsys) -> None:
    SnapshotStore(tmp_path).add_file(real_build("v3.0", 7980), kind="import")
    with spec_server() as server:
        server.serve("/api/v3.0/swagger.json", real_build("v3.0", 18991).read_bytes())
        code, out, _ = run_cli(
            capsys, "snapshot", "check", "--base-url", server.base_url, "--specs-dir", str(tmp_path)
        )
    assert code == 1
    assert "v3.0: DRIFT" in out
    for removed in (
        "GET /api/v3.0/material/{databaseId}",
        "POST /api/v3.0/database",
        "GET /api/v3.0/product/{databaseId}/{id}",
    ):
        assert removed in out
    assert len(SnapshotStore(tmp_path).builds("v3.0")) == 1  # check never writes


def test_check_ignores_key_order_and_formatting(tmp_path: Path, capsys) -> None:
    doc = minimal_spec(build="5", paths=("a", "b"))
    SnapshotStore(tmp_path).add(as_json(doc), source="x")
    reordered = dict(reversed(list(doc.items())))
    with spec_server() as server:
        server.serve("/api/v3.0/swagger.json", json.dumps(reordered, separators=(",", ":")).encode())
        code, out, _ = run_cli(
            capsys, "snapshot", "check", "--base-url", server.base_url, "--specs-dir", str(tmp_path)
        )
    assert code == 0, out


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ({"status": 401, "body": b"{}"}, "HTTP 401"),
        ({"status": 403, "body": b"{}"}, "HTTP 403"),
        ({"status": 500, "body": b"oops"}, "HTTP 500"),
        ({"body": b"<html>hello</html>", "content_type": "text/html"}, "not an OpenAPI document"),
        ({"body": b'{"openapi": "3.0.1", "info": {}, "paths": 3}'}, "invalid OpenAPI"),
        ({"body": b"{not json"}, "invalid JSON"),
        ({"body": b"", "delay": 3.0}, "no answer within"),
    ],
)
def test_capture_errors_leave_store_untouched(tmp_path: Path, capsys, route: dict, expected: str) -> None:
    SnapshotStore(tmp_path).add(as_json(minimal_spec(build="1")), source="x")
    before = store_files(tmp_path)
    with spec_server() as server:
        server.serve("/api/v3.0/swagger.json", **route)
        code, out, err = capture(capsys, server.base_url, tmp_path, "--timeout", "1")
    assert code == 2
    assert expected in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert store_files(tmp_path) == before


def test_capture_of_several_versions_is_all_or_nothing(tmp_path: Path, capsys) -> None:
    with spec_server() as server:
        server.serve("/api/v3.0/swagger.json", as_json(minimal_spec(build="9")))
        code, _, err = capture(capsys, server.base_url, tmp_path, "--version", "v3.0", "--version", "v4.0")
    assert code == 2
    assert "HTTP 404" in err and "v4.0" in err
    assert SnapshotStore(tmp_path).versions() == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["snapshot", "capture", "--base-url", "http://127.0.0.1:9", "--version", "v3.0"], "cannot connect"),
        (["snapshot", "capture", "--base-url", "not a url", "--version", "v3.0"], "not a valid base URL"),
        (["snapshot", "capture", "--base-url", "http://127.0.0.1:9"], "no versions given"),
        (
            ["snapshot", "check", "--base-url", "http://127.0.0.1:9", "--version", "v7.0"],
            "no snapshots of v7.0",
        ),
        (
            ["snapshot", "check", "--base-url", "http://127.0.0.1:9", "--version", "latest"],
            "not an API version",
        ),
        (["snapshot", "import", "missing.yaml"], "missing.yaml: cannot read"),
    ],
)
def test_cli_errors_are_one_line_exit_2(tmp_path: Path, capsys, argv: list[str], expected: str) -> None:
    code, _, err = run_cli(capsys, *argv, "--specs-dir", str(tmp_path))
    assert code == 2
    assert expected in err
    assert err.count("\n") == 1


def test_import_broken_yaml_names_file_and_line(tmp_path: Path, capsys) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.1\npaths: [unclosed\n")
    code, _, err = run_cli(capsys, "snapshot", "import", str(broken), "--specs-dir", str(tmp_path / "store"))
    assert code == 2
    assert "broken.yaml: line 3" in err and "invalid YAML" in err
    assert not (tmp_path / "store").exists() or store_files(tmp_path / "store") == []


@requires_shared
def test_import_real_build_and_baseline_flag(tmp_path: Path, capsys) -> None:
    code, out, _ = run_cli(
        capsys, "snapshot", "import", str(real_build("v4.0", 17265)), "--specs-dir", str(tmp_path)
    )
    assert code == 0 and "stored v4.0@17265" in out
    code, out, _ = run_cli(
        capsys, "snapshot", "import", str(real_build("v4.0", 17265)), "--specs-dir", str(tmp_path)
    )
    assert code == 0 and "unchanged" in out
    own = tmp_path / "own.json"
    own.write_bytes(as_json(minimal_spec(version="v4.0", build=None)))
    code, out, _ = run_cli(
        capsys,
        "snapshot",
        "import",
        str(own),
        "--baseline",
        "--note",
        "authored",
        "--specs-dir",
        str(tmp_path),
    )
    assert code == 0
    baseline = SnapshotStore(tmp_path).resolve("v4.0@baseline")
    assert baseline.meta["kind"] == "baseline" and baseline.meta["note"] == "authored"
    assert SnapshotStore(tmp_path).latest("v4.0").build == "17265"


def test_list_on_empty_store(tmp_path: Path, capsys) -> None:
    code, out, _ = run_cli(capsys, "snapshot", "list", "--specs-dir", str(tmp_path))
    assert code == 0 and "no snapshots" in out


def test_specs_dir_defaults_to_environment(tmp_path: Path, capsys, monkeypatch) -> None:
    SnapshotStore(tmp_path).add(as_json(minimal_spec(build="77")), source="x")
    monkeypatch.setenv("MADASTER_SPECS_DIR", str(tmp_path))
    code, out, _ = run_cli(capsys, "snapshot", "list")
    assert code == 0 and "77" in out
