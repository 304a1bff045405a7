"""One contract run: for each spec, build the target, test it, clean up, then report.

The work of a spec is split in units (``sharding``): its operations, each tested alone in
the examples, coverage and fuzzing phases, and one stateful unit (schemathesis's stateful
phase over every operation, then the CRUD workflows). ``SpecSession`` (``session``) runs units;
the CLI runs all of a shard's units in one go, or spreads them over worker processes with
``--jobs`` (``parallel``), the pytest plugin one unit per test.

The reports are written whatever happens: after a clean run, a finding, a lost connection
(exit 2) or Ctrl-C, with what was found until then.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any, TextIO

from contracts.errors import ContractsError, NothingSelectedError, TargetConfigurationError
from contracts.runner.options import RunOptions
from contracts.runner.redact import RedactingStream, Redactor
from contracts.runner.reporting.console import ConsoleReporter
from contracts.runner.results import RunResult, VersionResult
from contracts.runner.session import PER_OPERATION_PHASES, Progress, SpecSession
from contracts.runner.sharding import STATEFUL_UNIT, in_shard
from contracts.runner.specs import SpecUnderTest, collect_specs

__all__ = ["PER_OPERATION_PHASES", "Progress", "SpecSession", "check_selection", "run_contracts", "run_spec"]


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
        if options.jobs > 1:
            from contracts.runner.parallel import run_parallel

            run_parallel(specs, options, seed, console, run)
        else:
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
