"""Session fixtures: one generated client and one mock served over HTTP per spec, made on first use."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.clients.generated import GeneratedApi, generate
from tests.conftest import PROJECT_ROOT, real_builds

PROCESSING_DELAY = 0.05
"""Seconds per lifecycle step in the mock: small, yet every status is really polled for."""


def client_specs() -> list[Path]:
    """Every real build (when present) and the project's baselines, oldest build first."""
    return real_builds() + sorted((PROJECT_ROOT / "specs").glob("v*/baseline.yaml"))


def spec_id(path: Path) -> str:
    """``v3.0@30855`` for a real build, ``v3.0@baseline`` for the project's own."""
    return f"{path.parent.name}@{path.stem.removeprefix('build-')}"


@pytest.fixture(scope="session")
def generated_client(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], GeneratedApi]:
    """Generate (once per session) and import the typed client of a spec."""
    workdir = tmp_path_factory.mktemp("generated-clients")
    cache: dict[Path, GeneratedApi] = {}

    def get(spec: Path) -> GeneratedApi:
        if spec not in cache:
            cache[spec] = GeneratedApi.load(generate(spec, workdir), spec.parent.name)
        return cache[spec]

    return get


@pytest.fixture(scope="session")
def mock_url() -> Iterator[Callable[[Path], str]]:
    """Serve the mock of a spec over HTTP in this process (once per session); yields its base URL."""
    from mockserver import create_app
    from mockserver.http.serve import serve_in_thread

    stack = contextlib.ExitStack()
    urls: dict[Path, str] = {}

    def get(spec: Path) -> str:
        if spec not in urls:
            app = create_app([spec], processing_delay=PROCESSING_DELAY)
            urls[spec] = stack.enter_context(serve_in_thread(app, threads=4)).base_url
        return urls[spec]

    with stack:
        yield get


@pytest.fixture(scope="session")
def oag_client(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Any]:
    """The OpenAPI Generator client of a real v3.0 build: every one generated in one batch on first
    use (once per session), then imported per spec. (The v4.0 builds are not generated: see
    docs/mock.md, "A second generator", for why no v4.0 program can run with this client.)"""
    from tests.clients.generated_oag import OagApi, generate_all, java_missing

    why = java_missing()
    if why:
        pytest.skip(why)
    specs = [spec for spec in real_builds() if spec.parent.name == "v3.0"]
    folders: dict[Path, Path] = {}
    cache: dict[Path, Any] = {}

    def get(spec: Path) -> Any:
        if not folders:
            folders.update(generate_all(specs, tmp_path_factory.mktemp("oag-clients")))
        if spec not in cache:
            cache[spec] = OagApi.load(folders[spec], spec.parent.name)
        return cache[spec]

    return get


@pytest.fixture(scope="session")
def heyapi_program(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The @hey-api/openapi-ts program, its packages installed (``npm ci``, at most once per lock)
    and its sources copied for this session; skips when node/npm or the registry are missing."""
    from tests.clients.generated_heyapi import Program, Unavailable, installed, node_missing

    why = node_missing()
    if why:
        pytest.skip(why)
    try:
        node_modules = installed()
    except Unavailable as exc:
        pytest.skip(str(exc))
    return Program(tmp_path_factory.mktemp("heyapi"), node_modules)
