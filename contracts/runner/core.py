"""One contract run: for each spec, build the target, test it, clean up, then report.

The work of a spec is split in units (``sharding``): its operations, each tested alone in
the examples, coverage and fuzzing phases, and one stateful unit (schemathesis's stateful
phase over every operation, then the CRUD workflows). ``SpecSession`` runs units; the CLI runs
all of a shard's units in one go, the pytest plugin one unit per test.

The reports are written whatever happens: after a clean run, a finding, a lost connection
(exit 2) or Ctrl-C, with what was found until then.
"""

from __future__ import annotations

import random
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from contracts.errors import ContractsError, NothingSelectedError, TargetConfigurationError
from contracts.runner.options import RunOptions
from contracts.runner.redact import RedactingStream, Redactor
from contracts.runner.reporting.console import ConsoleReporter
from contracts.runner.results import STATEFUL, RunResult, VersionResult
from contracts.runner.sharding import STATEFUL_UNIT, in_shard
from contracts.runner.specs import SpecUnderTest, collect_specs

PER_OPERATION_PHASES = ("examples", "coverage", "fuzzing")
Progress = Callable[[str, Any], None]


def run_contracts(options: RunOptions, *, stream: TextIO | None = None) -> RunResult:
    """Run every selected spec; writes progress to ``stream`` and the reports asked for."""
    options.validate()
    redactor = Redactor(options.api_key, options.read_only_key, options.scoped_key)
    out = RedactingStream(stream or sys.stdout, redactor)
    specs = collect_specs(options.versions, options.spec_files, options.specs_dir)
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**31)
    check_selection(specs, options)
    run = RunResult(seed=seed)
    console = ConsoleReporter(out)  # type: ignore[arg-type]  # a TextIO look-alike
    aborted: ContractsError | None = None
    try:
        for spec in specs:
            run_spec(spec, options, seed, console, run)
    except KeyboardInterrupt:
        run.interrupted = True
    except TargetConfigurationError as exc:
        aborted = exc  # nothing of this version ran: no results to show for it
        if run.versions and not run.versions[-1].cases:
            run.versions.pop()
    except ContractsError as exc:
        aborted = exc
        if run.versions:
            run.versions[-1].errors.append(f"run stopped: {exc}")
    finally:
        if run.versions or not isinstance(aborted, TargetConfigurationError):
            console.summary(run)
            for label, path in _write_reports(run, options, redactor):
                console.write(f"{label}: {path}")
    if aborted is not None:
        raise aborted
    if run.interrupted:
        raise KeyboardInterrupt
    return run


def check_selection(specs: list[SpecUnderTest], options: RunOptions) -> None:
    """Stop (exit 2) when ``--operation`` selects nothing in any spec, naming the nearest operations."""
    import difflib

    from contracts.runner.safety import HTTP_METHODS, select_operations

    patterns = options.operation_patterns()
    if not patterns:
        return
    labels: list[str] = []
    for spec in specs:
        for path, item in (spec.doc.get("paths") or {}).items():
            labels += [f"{m.upper()} {path}" for m in (item or {}) if m.lower() in HTTP_METHODS]
        selected = select_operations(spec.doc, writes_allowed=options.writes_allowed, patterns=patterns)
        if selected["paths"]:
            return
    wanted = " ".join(repr(text) for text in options.operations)
    matching = [label for label in labels if any(p.search(label) for p in patterns)]
    if matching:
        raise NothingSelectedError(
            f"--operation {wanted} matches only write operations ({matching[0]}, ...), and this run is "
            "read-only: add --allow-writes to send writes (to entities the run creates)"
        )
    near = difflib.get_close_matches(" ".join(options.operations), sorted(set(labels)), n=3, cutoff=0.3)
    hint = f"; nearest: {', '.join(near)}" if near else ""
    raise NothingSelectedError(f"--operation {wanted} matches no operation of the specs under test{hint}")


def run_spec(
    spec: SpecUnderTest, options: RunOptions, seed: int, console: ConsoleReporter, run: RunResult
) -> VersionResult:
    """Test this run's (or shard's) units of one spec; created entities are deleted even on failure or Ctrl-C."""
    started = time.monotonic()
    session = SpecSession.open(spec, options, seed)
    result = session.new_result()
    run.versions.append(result)
    session.preflight()
    operations = [
        label for label in session.operation_labels() if in_shard(spec.version, label, options.shard)
    ]
    console.version_started(spec.label, spec.source, session.target.description, len(operations))
    for defect in session.defects:
        console.spec_defect(defect.describe())
    try:
        wanted = set(operations)
        completed = session.run_operations(result, wanted.__contains__, console.progress)
        if completed and in_shard(spec.version, STATEFUL_UNIT, options.shard):
            completed = session.run_stateful(result, console.progress)
        if not completed and not session.target.connection_lost:
            raise KeyboardInterrupt
    finally:
        session.close(result)
        result.duration = time.monotonic() - started
    session.raise_if_lost()
    for label in operations:
        result.operation(label)
    console.version_finished(result)
    return result


@dataclass
class SpecSession:
    """One spec against one target: its repaired document, target and run prefix, for running units."""

    spec: SpecUnderTest
    options: RunOptions
    seed: int
    doc: dict[str, Any]
    defects: list[Any]
    target: Any
    run_prefix: str
    _schemas: dict[Any, Any] = field(default_factory=dict)
    _placement: Any = None

    @classmethod
    def open(cls, spec: SpecUnderTest, options: RunOptions, seed: int) -> SpecSession:
        from contracts.platform.leniency import find_and_repair
        from contracts.runner.target import build_target

        doc, defects = find_and_repair(spec.doc)
        run_prefix = f"mc-{secrets.token_hex(3)}-"
        target = build_target(
            spec,
            run_prefix=run_prefix,
            base_url=options.base_url,
            api_key=options.api_key,
            allow_writes=options.allow_writes,
            timeout=options.request_timeout,
            seed=seed,
            doc=doc,
            read_only_key=options.read_only_key,
            scoped_key=options.scoped_key,
        )
        return cls(spec, options, seed, doc, defects, target, run_prefix)

    def new_result(self) -> VersionResult:
        result = VersionResult(
            label=self.spec.label, source=self.spec.source, target=self.target.description, seed=self.seed
        )
        result.spec_defects = list(self.defects)
        result.shard = self.options.shard
        return result

    def preflight(self) -> None:
        from contracts.runner.target import preflight

        preflight(self.target, self.spec)

    def operation_labels(self) -> list[str]:
        """``METHOD /path`` of every operation this run may send, in document order."""
        from contracts.runner.safety import HTTP_METHODS, select_operations

        selected = select_operations(
            self.doc, writes_allowed=self.target.writes_allowed, patterns=self.options.operation_patterns()
        )
        return [
            f"{method.upper()} {path}"
            for path, item in selected["paths"].items()
            for method in item
            if method.lower() in HTTP_METHODS
        ]

    def schema(self, phases: tuple[str, ...], keep: Callable[[str], bool] | None = None) -> Any:
        from contracts.runner.engine import load_schema

        return load_schema(
            self.doc,
            self.target,
            seed=self.seed,
            max_examples=self.options.max_examples,
            phases=phases,
            timeout=self.options.request_timeout,
            patterns=self.options.operation_patterns(),
            keep=keep,
            skipped=self.options.skipped_checks,
        )

    @contextmanager
    def activated(self, schema: Any) -> Iterator[None]:
        """The Madaster checks, and the placement of writes on the run's own entities, while a unit runs."""
        from contracts.runner import checks, owned_cases

        checks.activate(
            checks.ActiveRun(
                unknown_key=self.target.unknown_key,
                max_response_time=self.options.max_response_time,
                skipped=frozenset(self.options.skipped_checks),
                gate=self.target.gate,
                log=self.target.log,
            )
        )
        owned_cases.activate(self.placement())
        try:
            yield
        finally:
            checks.activate(None)
            owned_cases.activate(None)

    def placement(self) -> Any:
        """Where this session's writes go (the run's own entities); None for a read-only run.

        Its schema holds every operation, whatever ``--operation`` selects: a selected write
        may need a parent created through an operation that is not selected.
        """
        from contracts.runner.engine import load_schema
        from contracts.runner.placement import Placement

        if self.target.gate is None:
            return None
        if self._placement is None:
            schema = load_schema(
                self.doc,
                self.target,
                seed=self.seed,
                max_examples=1,
                phases=("examples",),
                timeout=self.options.request_timeout,
                patterns=[],
            )
            self._placement = Placement(
                schema,
                self.target.gate,
                self.target.app,
                self.spec.version,
                f"/api/{self.spec.version}",
                rng=random.Random(self.seed),
                run_prefix=self.run_prefix,
            )
        return self._placement

    def run_operations(self, result: VersionResult, keep: Callable[[str], bool], progress: Progress) -> bool:
        """The per-operation phases on the operations ``keep`` selects; False when interrupted."""
        from contracts.runner.engine import run_engine

        phases = tuple(p for p in self.options.phases if p in PER_OPERATION_PHASES)
        if not phases:
            return True
        schema = self.schema(phases, keep)
        with self.activated(schema):
            return run_engine(schema, self.target, result, progress)

    def run_stateful(self, result: VersionResult, progress: Progress) -> bool:
        """The stateful unit: schemathesis's stateful phase, the CRUD workflows (writes allowed), the keys."""
        from contracts.runner.engine import run_engine
        from contracts.runner.key_checks import run_key_checks
        from contracts.runner.workflows import run_workflows

        if "stateful" not in self.options.phases or self.target.connection_lost:
            return True
        schema = self.schema(("stateful",))
        with self.activated(schema):
            completed = run_engine(schema, self.target, result, progress, unit=STATEFUL)
            lost = self.target.connection_lost
            if completed and self.target.writes_allowed and self.options.workflows and not lost:
                run_workflows(
                    schema,
                    self.target,
                    result,
                    version=self.spec.version,
                    seed=self.seed,
                    run_prefix=self.run_prefix,
                    progress=progress,
                    patterns=self.options.operation_patterns(),
                )
            if completed and not self.target.connection_lost:
                run_key_checks(
                    schema,
                    self.target,
                    result,
                    version=self.spec.version,
                    seed=self.seed,
                    run_prefix=self.run_prefix,
                    progress=progress,
                )
        return completed

    def close(self, result: VersionResult) -> None:
        """Delete what the session created; note writes the guard had to block."""
        from contracts.runner.cleanup import clean_up

        result.cleanup = clean_up(self.target)
        if self.target.blocked_writes:
            result.errors.append(
                f"{len(self.target.blocked_writes)} write request(s) were generated and blocked before "
                f"sending (first: {self.target.blocked_writes[0]})"
            )

    def raise_if_lost(self) -> None:
        if self.target.connection_lost:
            raise ContractsError(
                f"lost the connection to {self.target.description}: {self.target.connection_lost}"
            )


def _write_reports(run: RunResult, options: RunOptions, redactor: Redactor) -> list[tuple[str, Any]]:
    """Write the reports asked for; returns (kind, path) of each written."""
    written: list[tuple[str, Any]] = []
    if options.junit:
        from contracts.runner.reporting.junit import write_junit

        write_junit(run, options.junit, redactor)
        written.append(("JUnit report", options.junit))
    for report in options.reports:
        suffix = report.suffix.lower()
        if suffix == ".json":
            from contracts.runner.reporting.json_report import write_json

            write_json(run, report, redactor)
            written.append(("JSON report", report))
        elif suffix in (".html", ".htm"):
            from contracts.runner.reporting.html import write_html

            write_html(run, report, redactor)
            written.append(("HTML report", report))
        else:
            from contracts.runner.reporting.markdown import write_markdown

            write_markdown(run, report, redactor)
            written.append(("Markdown report", report))
    return written
