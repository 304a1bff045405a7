"""The ``mock`` command really serves: a process on a free port, queried, stopped by a signal."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import requests

from tests.conftest import real_build
from tests.serve.mock_client import READ, WRITE, mock_process


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serves_a_real_build_and_stops_cleanly_on_a_signal(sig: int) -> None:
    spec = real_build("v3.0", 30855)
    with mock_process("--spec", str(spec)) as mock:
        account = requests.get(f"{mock.base_url}/api/v3.0/account", headers=READ, timeout=10)
        assert account.status_code == 200
        assert requests.get(f"{mock.base_url}/api/v3.0/account", timeout=10).status_code == 401
        served = requests.get(f"{mock.base_url}/api/v3.0/swagger.json", timeout=10).json()
        assert served["info"]["title"].endswith("30855")
        code, out, err = mock.stop(sig)
    assert code == 0, err
    assert "Traceback" not in err and "stopped" in err
    assert f"v3.0  build 30855, {len(served['paths'])} paths  {mock.base_url}/api/v3.0/" in out
    assert "dev-read" in out and "dev-write" in out  # built-in tokens are shown in clear
    assert "waitress" in out


def test_serves_several_versions_json_and_yaml(tmp_path: Path) -> None:
    v3, v4 = real_build("v3.0", 30855), real_build("v4.0", 28168)
    with mock_process("--spec", str(v4), "--spec", str(v3), "--no-admin") as mock:
        for version in ("v3.0", "v4.0"):
            spec = requests.get(f"{mock.base_url}/api/{version}/swagger.json", timeout=10)
            assert spec.status_code == 200 and spec.json()["info"]["version"] == version
        assert requests.get(f"{mock.base_url}/__mock/requests", timeout=10).status_code == 404
        code, out, _ = mock.stop()
    assert code == 0
    assert out.index("v3.0  build 30855") < out.index("v4.0  build 28168")
    assert "Admin: off" in out


def test_tokens_file_keys_work_and_are_masked_in_the_output(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(
        "tokens:\n"
        "  - {key: ci-reader-0123456789, name: ci reader, permission: read, scope: account}\n"
        "  - {key: ci-writer-9876543210, name: ci writer, permission: write, scope: account}\n"
    )
    with mock_process("--spec", str(real_build("v3.0", 30855)), "--tokens", str(tokens)) as mock:
        url = f"{mock.base_url}/api/v3.0/account"
        assert requests.get(url, headers={"X-API-Key": "ci-reader-0123456789"}, timeout=10).status_code == 200
        assert requests.get(url, headers=READ, timeout=10).status_code == 401  # dev tokens are off
        code, out, err = mock.stop()
    assert code == 0
    assert "ci-reader-0123456789" not in out + err and "ci-writer-9876543210" not in out + err
    assert "ci reader" in out and "ci writer" in out


def test_faults_from_the_command_line() -> None:
    with mock_process(
        "--spec", str(real_build("v3.0", 30855)), "--rate-limit", "2/60", "--seed", "5"
    ) as mock:
        url = f"{mock.base_url}/api/v3.0/account"
        codes = [requests.get(url, headers=WRITE, timeout=10).status_code for _ in range(3)]
        limited = requests.get(url, headers=WRITE, timeout=10)
        spec = requests.get(f"{mock.base_url}/api/v3.0/swagger.json", timeout=10)
        code, out, _ = mock.stop()
    assert codes == [200, 200, 429]
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert spec.status_code == 200
    assert "rate limit 2/60s per API key" in out


def test_port_in_use_is_one_clear_error(capsys) -> None:
    from contracts.cli import main

    spec = real_build("v3.0", 30855)
    with mock_process("--spec", str(spec)) as mock:
        port = mock.base_url.rsplit(":", 1)[1]
        code = main(["mock", "--spec", str(spec), "--port", port])
        err = capsys.readouterr().err
        mock.stop()
    assert code == 2
    assert (
        err.strip()
        == f"madaster-contracts mock: error: cannot listen on 127.0.0.1:{port}: the port is already in use"
    )
