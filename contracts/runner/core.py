"""One contract run: for each spec, build the target, test it, clean up, then report."""

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
from contracts.runner.results import RunResult, VersionResult
from contracts.runner.specs import SpecUnderTest, collect_specs


def run_contracts(options: RunOptions, *, stream: TextIO | None = None) -> RunResult:
    """Run every selected spec; writes progress to ``stream`` and the reports asked for."""
    options.validate()
    redactor = Redactor(options.api_key)
    out = RedactingStream(stream or sys.stdout, redactor)
    specs = collect_specs(options.versions, options.spec_files, options.specs_dir)
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(2**31)
    run = RunResult(seed=seed)
    console = ConsoleReporter(out)  # type: ignore[arg-type]  # a TextIO look-alike
    try:
        for spec in specs:
            result = run_spec(spec, options, seed, console)
            run.versions.append(result)
    except KeyboardInterrupt:
        run.interrupted = True
    console.summary(run)
    _write_reports(run, options, redactor)
    for label, path in (("JUnit report", options.junit), ("Markdown report", options.report)):
        if path:
            console.write(f"{label}: {path}")
    if run.interrupted:
        raise KeyboardInterrupt
    return run


def run_spec(spec: SpecUnderTest, options: RunOptions, seed: int, console: ConsoleReporter) -> VersionResult:
    """Test one spec; cleanup of created entities runs even on failure or Ctrl-C."""
    from contracts.platform.leniency import find_and_repair
    from contracts.runner import checks
    from contracts.runner.cleanup import clean_up
    from contracts.runner.engine import load_schema, run_engine
    from contracts.runner.target import build_target, preflight
    from contracts.runner.workflows import run_workflows

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
    preflight(target, spec)
    schema = load_schema(
        doc,
        target,
        seed=seed,
        max_examples=options.max_examples,
        phases=options.phases,
        timeout=options.request_timeout,
        patterns=options.operation_patterns(),
    )
    operations = _operations(schema)
    console.version_started(spec.label, spec.source, target.description, len(operations))
    for defect in defects:
        console.spec_defect(defect.describe())
    checks.activate(checks.ActiveRun(unknown_key=target.unknown_key))
    try:
        completed = run_engine(schema, target, result, console.progress)
        if completed and target.writes_allowed and options.workflows and "stateful" in options.phases:
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


def _operations(schema: Any) -> list[str]:
    labels = []
    for item in schema.get_all_operations():
        operation = item.ok() if hasattr(item, "ok") else item
        if operation is not None:
            labels.append(operation.label)
    return labels


def _write_reports(run: RunResult, options: RunOptions, redactor: Redactor) -> None:
    if options.junit:
        from contracts.runner.reporting.junit import write_junit

        write_junit(run, options.junit, redactor)
    if options.report:
        from contracts.runner.reporting.markdown import write_markdown

        write_markdown(run, options.report, redactor)
