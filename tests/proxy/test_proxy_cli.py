"""The ``proxy`` command end to end, the mock's recording options, and every bad input: exit 2, one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests

from contracts.cli import build_parser, main
from mockserver.command import build_app
from tests.conftest import PROJECT_ROOT, contracts_command, real_build
from tests.mock.conftest import WRITE
from tests.proxy.har_schema import HAR_SCHEMA
from tests.proxy.proxy_helpers import V3, answer, record_session


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return contracts_command(*args, timeout=timeout)


@pytest.mark.parametrize(
    "target",
    ["ftp://example.com", "not a url", "http://", "http://127.0.0.1:99999", "http://h/?q=1", "http://u:p@h"],
)
def test_a_malformed_target_is_one_line_and_exit_2(target: str) -> None:
    result = run_cli("proxy", "--target", target, "--spec", str(real_build("v3.0", 28168)))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--target" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--version", "v9.9"], "no snapshots of v9.9"),
        (["--version", "v3.0@12345"], "no build '12345'"),
        (["--spec", "nowhere.json"], "nowhere.json"),
        (["--spec", "README.md"], "README.md"),
        (["--version", "v3.0", "--version", "v3.0"], "v3.0 is given twice"),
        (["--timeout", "0"], "--timeout"),
        (["--log", "/nonexistent-dir/log.jsonl"], "--log"),
        (["--record", "/nonexistent-dir/s.har"], "--record"),
    ],
)
def test_bad_proxy_inputs_are_one_line_and_exit_2(args: list[str], words: str) -> None:
    result = run_cli("proxy", "--target", "http://127.0.0.1:9", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and words in result.stderr, result.stderr


@pytest.mark.parametrize("option", ["--replay", "--fixtures-from"])
@pytest.mark.parametrize(
    "content", [None, "{broken", '{"log": {}}', '{"log": {"entries": [{"request": {"url": 1}}]}}']
)
def test_a_broken_recording_for_the_mock_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, content: str | None
) -> None:
    har = tmp_path / "broken.har"
    if content is not None:
        har.write_text(content)
    code = main(["mock", "--spec", str(real_build("v3.0", 28168)), option, str(har), "--port", "0"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "broken.har" in err, err


def test_fixtures_and_fixtures_from_together_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    har = tmp_path / "s.har"
    har.write_text('{"log": {"version": "1.2", "entries": []}}')
    spec = str(real_build("v3.0", 28168))
    assert (
        main(["mock", "--spec", spec, "--fixtures", str(har), "--fixtures-from", str(har), "--port", "0"])
        == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not both" in err


def test_mock_replay_and_fixtures_from_on_the_command_line(tmp_path: Path) -> None:
    spec = real_build("v3.0", 28168)
    har = tmp_path / "session.har"
    session = record_session(_doc(spec), har)
    args = build_parser().parse_args(["mock", "--spec", str(spec), "--replay", str(har), "--seed", "3"])
    client = build_app(args).app.test_client()
    folders = client.get(V3 + "/folder", headers=WRITE)
    assert (
        folders.headers["X-Mock-Replay"] == "recorded"
        and folders.get_data() == answer(session, "GET", V3 + "/folder").content
    )
    args = build_parser().parse_args(
        ["mock", "--spec", str(spec), "--fixtures-from", str(har), "--seed", "3"]
    )
    client = build_app(args).app.test_client()
    assert (
        client.get(V3 + "/folder", headers=WRITE).get_json() == answer(session, "GET", V3 + "/folder").json()
    )


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_proxy_command_serves_then_prints_a_summary_on_a_signal(
    tmp_path: Path, mock_url: str, stop: signal.Signals
) -> None:
    log, har = tmp_path / "p.jsonl", tmp_path / "p.har"
    command = [
        sys.executable,
        "-m",
        "contracts",
        "proxy",
        "--target",
        mock_url,
        "--port",
        "0",
        "--spec",
        str(real_build("v3.0", 28168)),
        "--log",
        str(log),
        "--record",
        str(har),
    ]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        banner = process.stdout.readline() if process.stdout else ""
        assert banner.startswith("Validating proxy on http://127.0.0.1:"), banner + (
            process.stderr.read() if process.stderr else ""
        )
        url = banner.split()[3].rstrip("/")
        assert requests.get(url + V3 + "/building", headers=WRITE, timeout=10).status_code == 200
        assert requests.get(url + V3 + "/nothing-here", headers=WRITE, timeout=10).status_code == 404
        process.send_signal(stop)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "dev-write" not in out + err
    assert "✗ GET /api/v3.0/nothing-here -> 404 [no operation]: 1 violation" in out
    assert "2 exchanges, 1 with violations, 1 violation in all" in out
    assert "      1  GET /api/v3.0/nothing-here" in out
    assert len(log.read_text().splitlines()) == 2
    import jsonschema

    jsonschema.validate(json.loads(har.read_text()), HAR_SCHEMA)


def _doc(path: Path) -> dict[str, Any]:
    from contracts.spec_loader import load_spec_file

    return load_spec_file(path)
