"""Fixtures of the runner tests: the broken API served over HTTP, a CLI runner that captures output."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from contracts.cli import main
from tests.conftest import real_build
from tests.runner.broken_api import BrokenApi, serving


@dataclass
class CliRun:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run ``madaster-contracts`` in-process from an empty working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MADASTER_API_KEY", raising=False)
    monkeypatch.delenv("MADASTER_BASE_URL", raising=False)

    def run(*argv: str) -> CliRun:
        code = main(list(argv))
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run


@pytest.fixture
def build_28168() -> Path:
    """v3.0 build 28168: declares only success responses, so it also exercises the 4XX repair."""
    return real_build("v3.0", 28168).resolve()


@pytest.fixture
def broken_api() -> Iterator[tuple[BrokenApi, str]]:
    api = BrokenApi()
    with serving(api) as url:
        yield api, url


@pytest.fixture
def build_30855() -> Path:
    """v3.0 build 30855: every operation declares `default` -> ProblemDetails besides its success code."""
    return real_build("v3.0", 30855).resolve()
