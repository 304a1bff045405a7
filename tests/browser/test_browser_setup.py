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
