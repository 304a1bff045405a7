"""pytest plugin: Madaster contract tests inside a team's own test suite.

Registered through the ``pytest11`` entry point, so installing madaster-contracts is enough.
Options (each falls back to an environment variable)::

    --madaster-base-url URL    ($MADASTER_BASE_URL; none: the embedded mock, in-process)
    --madaster-api-key KEY     ($MADASTER_API_KEY; prefer the variable, it stays out of shell history)
    --madaster-read-only-key KEY ($MADASTER_READ_ONLY_KEY; with a base URL: writes with it must be 403)
    --madaster-scoped-key KEY  ($MADASTER_SCOPED_KEY; with a base URL: its lists hold only its scope)
    --madaster-version V       (repeatable; default every version in the snapshot store)
    --madaster-spec FILE       (repeatable; test a spec file instead of the store)
    --madaster-operation REGEX (repeatable)
    --madaster-max-examples N  (default 10)
    --madaster-seed N
    --madaster-allow-writes

Fixtures: ``madaster_contract`` (one test per operation and per version's stateful unit, see
below), ``madaster_options`` (RunOptions), ``madaster_contract_run`` (the whole run, once per
session), ``madaster_target`` and ``madaster_schema`` (a schemathesis schema bound to the target
for a team's own ``schemathesis.pytest.from_fixture`` tests), ``madaster_client`` (a test client
that sends the key).

One test per operation, so ``pytest -n auto`` (pytest-xdist) spreads the work over cores and
JUnit shows a case per operation (plus one per version for the stateful phase and workflows)::

    def test_madaster(madaster_contract):
        assert madaster_contract.passed, madaster_contract.report()

The whole run as one test::

    def test_madaster_contracts(madaster_contract_run):
        assert madaster_contract_run.passed, madaster_contract_run.describe()

Heavy imports (schemathesis) happen only when a fixture is used.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["mockserver.pytest_fixture"]  # the fixture madaster_mock: the mock over HTTP


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("madaster", "Madaster contract tests")
    group.addoption("--madaster-base-url", default=None, help="API host to test (default: the embedded mock)")
    group.addoption("--madaster-api-key", default=None, help="API key (default: $MADASTER_API_KEY)")
    group.addoption(
        "--madaster-read-only-key",
        default=None,
        help="a second, read-only key (default: $MADASTER_READ_ONLY_KEY)",
    )
    group.addoption(
        "--madaster-scoped-key",
        default=None,
        help="a key scoped to one entity (default: $MADASTER_SCOPED_KEY)",
    )
    group.addoption("--madaster-version", action="append", default=[], help="API version or snapshot ref")
    group.addoption("--madaster-spec", action="append", default=[], type=Path, help="spec file to test")
    group.addoption("--madaster-operation", action="append", default=[], help="operation regex")
    group.addoption("--madaster-max-examples", type=int, default=10, help="examples per operation")
    group.addoption("--madaster-seed", type=int, default=None, help="seed to replay a run")
    group.addoption("--madaster-allow-writes", action="store_true", default=False, help="send writes too")


SEED_VARIABLE = "MADASTER_CONTRACTS_PYTEST_SEED"
"""The seed of a plugin run without --madaster-seed, chosen once and inherited by xdist workers."""


def options_from(config: pytest.Config) -> Any:
    """The run options the command line (or the environment) asked for."""
    from contracts.runner.options import RunOptions

    base_url = config.getoption("madaster_base_url") or os.environ.get("MADASTER_BASE_URL") or None
    key = config.getoption("madaster_api_key") or os.environ.get("MADASTER_API_KEY") or None
    seed = config.getoption("madaster_seed")
    if seed is None and os.environ.get(SEED_VARIABLE, "").isdigit():
        seed = int(os.environ[SEED_VARIABLE])
    return RunOptions(
        versions=list(config.getoption("madaster_version")),
        spec_files=list(config.getoption("madaster_spec")),
        base_url=base_url,
        api_key=key if base_url else None,
        # the embedded mock makes its own second keys, as the command's run does
        read_only_key=_option_or_variable(config, "madaster_read_only_key", "MADASTER_READ_ONLY_KEY")
        if base_url
        else None,
        scoped_key=_option_or_variable(config, "madaster_scoped_key", "MADASTER_SCOPED_KEY")
        if base_url
        else None,
        allow_writes=config.getoption("madaster_allow_writes"),
        operations=list(config.getoption("madaster_operation")),
        max_examples=config.getoption("madaster_max_examples"),
        seed=seed,
    )


@pytest.fixture(scope="session")
def madaster_options(pytestconfig: pytest.Config) -> Any:
    """The run options the command line (or the environment) asked for."""
    options = options_from(pytestconfig)
    _as_usage_error(options.validate)
    return options


@dataclass(frozen=True)
class ContractUnit:
    """One test of ``madaster_contract``: an operation of a spec, or the spec's stateful unit."""

    spec_index: int
    spec_label: str
    version: str
    unit: str
    """``METHOD /path`` or ``stateful`` (schemathesis's stateful phase and the CRUD workflows)."""

    @property
    def id(self) -> str:
        return f"{self.spec_label} {self.unit}"


def contract_units(config: pytest.Config) -> list[ContractUnit]:
    """Every unit of the selected specs, in a fixed order (each xdist worker computes the same list)."""
    from contracts.errors import ContractsError
    from contracts.platform.leniency import find_and_repair
    from contracts.runner.safety import HTTP_METHODS, select_operations
    from contracts.runner.sharding import STATEFUL_UNIT
    from contracts.runner.specs import collect_specs

    options = options_from(config)
    try:
        options.validate()
        specs = collect_specs(options.versions, options.spec_files, options.specs_dir)
        units = []
        for index, spec in enumerate(specs):
            doc, _ = find_and_repair(spec.doc)
            selected = select_operations(
                doc, writes_allowed=options.writes_allowed, patterns=options.operation_patterns()
            )
            for path, item in selected["paths"].items():
                for method in item:
                    if method.lower() in HTTP_METHODS:
                        units.append(
                            ContractUnit(index, spec.label, spec.version, f"{method.upper()} {path}")
                        )
            units.append(ContractUnit(index, spec.label, spec.version, STATEFUL_UNIT))
    except ContractsError as exc:
        raise pytest.UsageError(f"madaster-contracts: {exc}") from None
    return units


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "madaster_contract" in metafunc.fixturenames:
        units = contract_units(metafunc.config)
        metafunc.parametrize("madaster_contract", units, ids=[u.id for u in units], indirect=True)


@pytest.fixture(scope="session")
def _madaster_sessions(madaster_options: Any) -> Any:
    """Per process (per xdist worker): one SpecSession per spec, opened on first use, cleaned up at the end."""
    from contracts.runner.session import SpecSession
    from contracts.runner.specs import collect_specs

    specs = _as_usage_error(
        lambda: collect_specs(
            madaster_options.versions, madaster_options.spec_files, madaster_options.specs_dir
        )
    )
    seed = madaster_options.seed if madaster_options.seed is not None else 0
    opened: dict[int, Any] = {}

    def session_for(index: int) -> Any:
        if index not in opened:
            session = _as_usage_error(lambda: SpecSession.open(specs[index], madaster_options, seed))
            _as_usage_error(session.preflight)
            opened[index] = session
        return opened[index]

    yield session_for
    for session in opened.values():
        result = session.new_result()
        session.close(result)
        for line in [*result.cleanup, *result.errors]:
            warnings.warn(f"madaster-contracts [{result.label}]: {line}", stacklevel=1)


@pytest.fixture
def madaster_contract(request: pytest.FixtureRequest, _madaster_sessions: Any) -> Any:
    """The result (a RunResult) of one unit: an operation's phases, or a version's stateful unit."""
    from contracts.runner.results import RunResult
    from contracts.runner.sharding import STATEFUL_UNIT

    unit: ContractUnit = request.param
    session = _madaster_sessions(unit.spec_index)
    result = session.new_result()
    quiet = _quiet_progress
    if unit.unit == STATEFUL_UNIT:
        completed = session.run_stateful(result, quiet)
    else:
        completed = session.run_operations(result, unit.unit.__eq__, quiet)
    if not completed:
        raise KeyboardInterrupt
    _as_usage_error(session.raise_if_lost)
    return RunResult(versions=[result], seed=session.seed)


def _quiet_progress(kind: str, payload: Any) -> None:
    """Progress of a unit inside pytest: pytest prints its own."""


@pytest.fixture(scope="session")
def madaster_contract_run(madaster_options: Any) -> Any:
    """The full contract run (all selected versions), executed once per session."""
    from contracts.runner.core import run_contracts

    stream = io.StringIO()
    result = _as_usage_error(lambda: run_contracts(madaster_options, stream=stream))
    result.output = stream.getvalue()
    return result


@pytest.fixture(scope="session")
def madaster_spec(madaster_options: Any) -> Any:
    """The first selected spec (SpecUnderTest), defects repaired."""
    from contracts.platform.leniency import find_and_repair
    from contracts.runner.specs import collect_specs

    specs = _as_usage_error(
        lambda: collect_specs(
            madaster_options.versions, madaster_options.spec_files, madaster_options.specs_dir
        )
    )
    spec = specs[0]
    spec.doc, _ = find_and_repair(spec.doc)
    return spec


@pytest.fixture(scope="session")
def madaster_target(madaster_options: Any, madaster_spec: Any) -> Any:
    """Where requests go: the embedded mock for the spec, or the base URL with the key injected."""
    from contracts.runner.target import build_target, preflight

    target = _as_usage_error(
        lambda: build_target(
            madaster_spec,
            base_url=madaster_options.base_url,
            api_key=madaster_options.api_key,
            allow_writes=madaster_options.allow_writes,
            doc=madaster_spec.doc,
        )
    )
    _as_usage_error(lambda: preflight(target, madaster_spec))
    return target


@pytest.fixture(scope="session")
def madaster_schema(madaster_options: Any, madaster_spec: Any, madaster_target: Any) -> Any:
    """A schemathesis schema of the spec, bound in-process to the target, read-only unless writes are allowed."""
    from contracts.runner.engine import load_schema

    return load_schema(
        madaster_spec.doc,
        madaster_target,
        seed=madaster_options.seed or 0,
        max_examples=madaster_options.max_examples,
        phases=madaster_options.phases,
        timeout=madaster_options.request_timeout,
        patterns=madaster_options.operation_patterns(),
    )


@pytest.fixture
def madaster_client(madaster_target: Any) -> Any:
    """A werkzeug test client on the target that sends the key (written as a placeholder, injected late)."""
    from werkzeug.test import Client

    from contracts.runner.transport import KEY_HEADER, KEY_PLACEHOLDER

    class MadasterClient(Client):
        def open(self, *args: Any, **kwargs: Any) -> Any:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault(KEY_HEADER, KEY_PLACEHOLDER)
            return super().open(*args, headers=headers, **kwargs)

    return MadasterClient(madaster_target.app)


def _as_usage_error(call: Any) -> Any:
    """A configuration problem fails the fixture with one line, not a traceback into the runner."""
    from contracts.errors import ContractsError

    try:
        return call()
    except ContractsError as exc:
        pytest.fail(f"madaster-contracts: {exc}", pytrace=False)


def _option_or_variable(config: pytest.Config, option: str, variable: str) -> str | None:
    return config.getoption(option, None) or os.environ.get(variable) or None


def _configured_key(config: pytest.Config) -> str | None:
    return _option_or_variable(config, "madaster_api_key", "MADASTER_API_KEY")


_REPORT_KEYS: list[str] = []
"""Every key the run was given: none of them may reach a report."""


def pytest_configure(config: pytest.Config) -> None:
    keys = (
        _configured_key(config),
        _option_or_variable(config, "madaster_read_only_key", "MADASTER_READ_ONLY_KEY"),
        _option_or_variable(config, "madaster_scoped_key", "MADASTER_SCOPED_KEY"),
    )
    _REPORT_KEYS[:] = [key for key in keys if key]
    if not hasattr(config, "workerinput") and config.getoption("madaster_seed", None) is None:
        # one seed for the whole session, workers included (they inherit the environment)
        import random

        os.environ.setdefault(SEED_VARIABLE, str(random.SystemRandom().randrange(2**31)))


def _redact_report(report: pytest.TestReport) -> None:
    """Keep the key out of failure reports, also those of a team's own schemathesis tests.

    A server that echoes the key (in a body or a header) would otherwise put it in the terminal
    and in JUnit files through the failure text and the captured output.
    """
    if not _REPORT_KEYS:
        return
    from contracts.runner.redact import Redactor

    redact = Redactor(*_REPORT_KEYS)
    if report.longrepr is not None and any(key in str(report.longrepr) for key in _REPORT_KEYS):
        report.longrepr = redact(str(report.longrepr))
    report.sections = [(name, redact(content)) for name, content in report.sections]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _redact_report(report)


@pytest.hookimpl(trylast=True)
def pytest_exception_interact(node: Any, call: Any, report: pytest.TestReport) -> None:
    """schemathesis rewrites the failure text of its own tests here, after the report was logged."""
    _redact_report(report)
