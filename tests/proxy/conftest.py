"""Fixtures for the proxy tests: real spec builds, and the mock serving one over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockserver import create_app
from mockserver.http.serve import serve_in_thread
from tests.conftest import real_build
from tests.mock.conftest import TOKENS

BUILDS: dict[tuple[str, int], dict[str, Any]] = {}


def spec_doc(version: str, build: int) -> dict[str, Any]:
    from contracts.spec_loader import load_spec_file

    key = (version, build)
    if key not in BUILDS:
        BUILDS[key] = load_spec_file(real_build(version, build))
    return BUILDS[key]


@pytest.fixture(scope="module")
def v3_doc() -> dict[str, Any]:
    return spec_doc("v3.0", 28168)


@pytest.fixture
def mock_app(v3_doc: dict[str, Any]) -> Any:
    return create_app([v3_doc], tokens=list(TOKENS))


@pytest.fixture
def mock_url(mock_app: Any) -> Iterator[str]:
    with serve_in_thread(mock_app, threads=4) as running:
        yield running.base_url
