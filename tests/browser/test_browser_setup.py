"""Where no browser can be had, the reason is clear (and nothing is downloaded to get one)."""

from __future__ import annotations

import pytest

from mockserver.console.browser import BrowserUnavailable, start_chromium


def test_a_missing_chromium_is_named_with_how_to_install_it(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(BrowserUnavailable, match="no chromium.*apt-get install chromium"):
        start_chromium()


def test_a_missing_chromedriver_is_named_with_how_to_install_it(monkeypatch, tmp_path) -> None:
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(fake))
    monkeypatch.setenv("CHROMEDRIVER", str(tmp_path / "no-such-driver"))
    with pytest.raises(BrowserUnavailable, match="no chromedriver.*chromium-driver"):
        start_chromium()


def test_the_screenshot_command_says_why_it_cannot_run(monkeypatch, tmp_path, capsys) -> None:
    from mockserver.console.screenshot import main
    from tests.conftest import PROJECT_ROOT

    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-chromium"))
    spec = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
    assert main([str(tmp_path / "shots"), "--spec", str(spec)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no chromium") and "Traceback" not in err
