"""pytest fixture ``madaster_mock``: the mock over HTTP for a team's own tests (registered by the plugin).

One server per set of options and per process (so per pytest-xdist worker), started on first use
and stopped at the end of the session; before each test its state is reset (entities, request
journal, stubs), so tests do not leak into each other. Options, the later winning::

    --madaster-mock-spec FILE               (repeatable; default: the newest snapshot of each version)
    --madaster-mock-tokens FILE             (YAML tokens file; default: the dev tokens)
    --madaster-mock-processing-delay SECONDS (default 1.0, as ``madaster-contracts mock``)
    @pytest.mark.madaster_mock(processing_delay=0, tokens=[...], strict=True, isolated=True)
    @pytest.mark.parametrize("madaster_mock", [{"strict": True}], indirect=True)

``isolated=True`` gives the test a server of its own, stopped after it. The fixture's value is a
``mockserver.testing.RunningMock``: ``.url``, ``.api()``, ``.key()``, ``.requests()``,
``.count()``, ``.stub()``, ``.finish_jobs()``, ``.fail_job()``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MARKER = "madaster_mock"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("madaster-mock", "Madaster mock for a team's own tests (fixture madaster_mock)")
    group.addoption(
        "--madaster-mock-spec", action="append", default=[], type=Path, help="spec file the mock serves"
    )
    group.addoption("--madaster-mock-tokens", default=None, type=Path, help="YAML tokens file")
    group.addoption(
        "--madaster-mock-processing-delay",
        default=None,
        type=float,
        help="seconds per step of long-running work (default 1.0)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options of the madaster_mock fixture (specs, tokens, processing_delay,"
        " strict, seed, fixtures, stubs, isolated)",
    )


def _options(request: pytest.FixtureRequest) -> tuple[dict[str, Any], bool]:
    """The options of this test: command line, then markers (closest last), then fixture parameters."""
    config = request.config
    values: dict[str, Any] = {}
    if config.getoption("madaster_mock_spec"):
        values["specs"] = config.getoption("madaster_mock_spec")
    if config.getoption("madaster_mock_tokens") is not None:
        values["tokens"] = config.getoption("madaster_mock_tokens")
    if config.getoption("madaster_mock_processing_delay") is not None:
        values["processing_delay"] = config.getoption("madaster_mock_processing_delay")
    for marker in reversed(list(request.node.iter_markers(MARKER))):  # farthest first
        values.update(marker.kwargs)
    values.update(getattr(request, "param", None) or {})
    isolated = bool(values.pop("isolated", False))
    return values, isolated


class _Servers:
    """The servers of this process, one per distinct set of options."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._by_options: dict[Any, Any] = {}

    def get(self, options: Any) -> Any:
        from mockserver.testing import running

        if options not in self._by_options:
            self._by_options[options] = self._stack.enter_context(running(options))
        return self._by_options[options]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def _madaster_mock_servers() -> Iterator[_Servers]:
    servers = _Servers()
    yield servers
    servers.close()


@pytest.fixture
def madaster_mock(request: pytest.FixtureRequest, _madaster_mock_servers: _Servers) -> Iterator[Any]:
    """The mock served over HTTP, its state reset for this test (see the module docstring)."""
    from contracts.errors import ContractsError
    from mockserver.testing import MockOptions, running

    values, isolated = _options(request)
    problem = None
    try:
        options = MockOptions.of(**values)
        if not isolated:
            mock = _madaster_mock_servers.get(options)
            mock.reset()
    except ContractsError as exc:
        problem = f"madaster_mock: {exc}"
    if problem is not None:  # outside the except block: one line, no chained traceback
        pytest.fail(problem, pytrace=False)
    if not isolated:
        yield mock
        return
    try:
        isolated_server = running(options)
        mock = isolated_server.__enter__()
    except ContractsError as exc:
        problem = f"madaster_mock: {exc}"
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    try:
        yield mock
    finally:
        isolated_server.__exit__(None, None, None)
