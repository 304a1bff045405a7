"""One contract run: for each spec, build the target, test it, clean up, then report.

The reports are written whatever happens: after a clean run, a finding, a lost connection
(exit 2) or Ctrl-C, with what was found until then.
"""

from __future__ import annotations

import random
import secrets
import sys
import time
from typing import Any, TextIO

from contracts.errors import ContractsError
from contracts.runner.options import RunOptions
from contracts.runner.redact import RedactingStream, Redactor
from contracts.runner.reporting.console import ConsoleReporter
from contracts.runner.results import STATEFUL, RunResult, VersionResult
from contracts.runner.sharding import STATEFUL_UNIT, in_shard
from contracts.runner.specs import SpecUnderTest, collect_specs

PER_OPERATION_PHASES = ("examples", "coverage", "fuzzing")


def run_contracts(options: RunOptions, *, stream: TextIO | None = None) -> RunResult:
    """Run every selected spec; writes progress to ``stream`` and the reports asked for."""
    options.validate()
    redactor = Redactor(options.api_key)
    out = RedactingStream(stream or sys.stdout, redactor)
    specs = collect_specs(options.versions, options.spec_files, options.specs_dir)
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**31)
    run = RunResult(seed=seed)
    console = ConsoleReporter(out)  # type: ignore[arg-type]  # a TextIO look-alike
    aborted: ContractsError | None = None
    try:
        for spec in specs:
            run_spec(spec, options, seed, console, run)
    except KeyboardInterrupt:
        run.interrupted = True
    except ContractsError as exc:
        aborted = exc
        if run.versions:
            run.versions[-1].errors.append(f"run stopped: {exc}")
    finally:
        console.summary(run)
        written = _write_reports(run, options, redactor)
        for label, path in written:
            console.write(f"{label}: {path}")
    if aborted is not None:
        raise aborted
    if run.interrupted:
        raise KeyboardInterrupt
    return run


def run_spec(
    spec: SpecUnderTest, options: RunOptions, seed: int, console: ConsoleReporter, run: RunResult
) -> VersionResult:
    """Test one spec; cleanup of created entities runs even on failure or Ctrl-C."""
    from contracts.platform.leniency import find_and_repair
    from contracts.runner import checks
    from contracts.runner.cleanup import clean_up
    from contracts.runner.engine import load_schema, run_engine
    from contracts.runner.target import build_target, preflight

    started = time.monotonic()
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
    )
    result = VersionResult(label=spec.label, source=spec.source, target=target.description, seed=seed)
    result.spec_defects = defects
    result.shard = options.shard
    run.versions.append(result)
    preflight(target, spec)
    patterns = options.operation_patterns()

    def schema_for(phases: tuple[str, ...], keep: Any = None) -> Any:
        return load_schema(
            doc,
            target,
            seed=seed,
            max_examples=options.max_examples,
            phases=phases,
            timeout=options.request_timeout,
            patterns=patterns,
            keep=keep,
        )

    per_operation = tuple(p for p in options.phases if p in PER_OPERATION_PHASES)
    schema = schema_for(per_operation, lambda label: in_shard(spec.version, label, options.shard))
    operations = _operations(schema)
    stateful_here = in_shard(spec.version, STATEFUL_UNIT, options.shard)
    console.version_started(spec.label, spec.source, target.description, len(operations))
    for defect in defects:
        console.spec_defect(defect.describe())
    checks.activate(
        checks.ActiveRun(unknown_key=target.unknown_key, max_response_time=options.max_response_time)
    )
    try:
        completed = not per_operation or run_engine(schema, target, result, console.progress)
        if completed and stateful_here and not target.connection_lost:
            completed = _run_stateful(spec, options, target, result, console, schema_for, run_prefix, seed)
        if not completed and not target.connection_lost:
            raise KeyboardInterrupt
    finally:
        checks.activate(None)
        result.cleanup = clean_up(target, spec.doc)
        result.duration = time.monotonic() - started
    if target.connection_lost:
        raise ContractsError(f"lost the connection to {target.description}: {target.connection_lost}")
    if target.blocked_writes:
        result.errors.append(
            f"{len(target.blocked_writes)} write request(s) were generated and blocked before sending "
            f"(first: {target.blocked_writes[0]})"
        )
    for label in operations:
        result.operation(label)
    console.version_finished(result)
    return result


def _run_stateful(
    spec: SpecUnderTest,
    options: RunOptions,
    target: Any,
    result: VersionResult,
    console: ConsoleReporter,
    schema_for: Any,
    run_prefix: str,
    seed: int,
) -> bool:
    """The version's stateful unit: schemathesis's stateful phase, then the CRUD workflows."""
    from contracts.runner.engine import run_engine
    from contracts.runner.workflows import run_workflows

    stateful = "stateful" in options.phases
    workflows = target.writes_allowed and options.workflows and stateful
    if not stateful:
        return True
    schema = schema_for(("stateful",))
    completed = run_engine(schema, target, result, console.progress, unit=STATEFUL)
    if completed and workflows and not target.connection_lost:
        run_workflows(
            schema,
            target,
            result,
            version=spec.version,
            seed=seed,
            run_prefix=run_prefix,
            progress=console.progress,
            patterns=options.operation_patterns(),
        )
    return completed


def _operations(schema: Any) -> list[str]:
    labels = []
    for item in schema.get_all_operations():
        operation = item.ok() if hasattr(item, "ok") else item
        if operation is not None:
            labels.append(operation.label)
    return labels


def _write_reports(run: RunResult, options: RunOptions, redactor: Redactor) -> list[tuple[str, Any]]:
    """Write the reports asked for; returns (kind, path) of each written."""
    written: list[tuple[str, Any]] = []
    if options.junit:
        from contracts.runner.reporting.junit import write_junit

        write_junit(run, options.junit, redactor)
        written.append(("JUnit report", options.junit))
    if options.report:
        if options.report.suffix.lower() in (".html", ".htm"):
            from contracts.runner.reporting.html import write_html

            write_html(run, options.report, redactor)
            written.append(("HTML report", options.report))
        else:
            from contracts.runner.reporting.markdown import write_markdown

            write_markdown(run, options.report, redactor)
            written.append(("Markdown report", options.report))
    return written
