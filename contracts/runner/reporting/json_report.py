"""The JSON report (``test --report FILE.json``): everything a run found, for other programs.

Its shape is docs/schemas/test-report.schema.json; ``SCHEMA_VERSION`` changes only when a field
is removed or changes meaning (new fields may appear at any time). The API key is replaced in
every string before anything is written.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from contracts import __version__
from contracts.runner.redact import Redactor
from contracts.runner.reporting.junit import _write
from contracts.runner.results import FailureReport, OperationResult, RunResult, VersionResult

SCHEMA_VERSION = 1
FORMAT = "madaster-contracts/test-report"


def report_data(run: RunResult) -> dict[str, Any]:
    """The report as JSON-ready data (not yet redacted)."""
    versions = [_version(v) for v in run.versions]
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "madaster-contracts", "version": __version__},
        "seed": run.seed,
        "replay": f"--seed {run.seed}",
        "passed": run.passed and not run.interrupted,
        "interrupted": run.interrupted,
        "exit_code": run.exit_code,
        "totals": {
            "versions": len(versions),
            "operations": sum(len(v["operations"]) for v in versions),
            "cases": sum(v["cases"] for v in versions),
            "failures": sum(len(v["failures"]) for v in versions),
            "errors": sum(len(v["errors"]) for v in versions),
            "spec_problems": sum(len(v["spec_problems"]) for v in versions),
            "not_exercised": sum(len(v["not_exercised"]) for v in versions),
            "duration_seconds": round(sum(v.duration for v in run.versions), 3),
        },
        "versions": versions,
    }


def _version(version: VersionResult) -> dict[str, Any]:
    operations = [_operation(version, unit, op) for unit, op in version.all_results()]
    errors = [{"operation": None, "message": text} for text in version.errors]
    errors += [{"operation": label, "message": text} for label, text in version.operation_errors]
    return {
        "label": version.label,
        "source": version.source,
        "target": version.target,
        "seed": version.seed,
        "shard": {"index": version.shard[0], "count": version.shard[1]} if version.shard else None,
        "passed": version.passed,
        "duration_seconds": round(version.duration, 3),
        "cases": version.cases,
        "failed_operations": version.failed_operations,
        "skipped_operations": version.skipped_operations,
        "operations": operations,
        "failures": [_failure(f) for f in version.failures],
        "spec_problems": [
            {"location": d.location, "problem": d.problem, "repair": d.repair} for d in version.spec_defects
        ],
        "errors": errors,
        "cleanup": list(version.cleanup),
        "not_exercised": [{"operation": label, "reason": reason} for label, reason in version.not_exercised],
        "writes_exercised": dict(zip(("exercised", "tried"), version.writes_exercised, strict=True)),
        "skipped_scenarios": version.skipped_scenarios,
    }


def _operation(version: VersionResult, unit: str, operation: OperationResult) -> dict[str, Any]:
    return {
        "operation": operation.label,
        "unit": unit,
        "cases": operation.cases,
        "passed": not operation.failed,
        "checks": [{"name": name, "status": status} for name, status in sorted(operation.checks.items())],
        "skipped": operation.skipped,
        "errors": list(operation.errors),
        "not_exercised": operation.not_exercised,
        "not_sent": operation.not_sent,
        "not_sent_reason": operation.not_sent_reason,
    }


def _plain(item: Any) -> Any:
    """A recorded item as JSON: a string as it is, a dataclass or mapping as an object."""
    if isinstance(item, str):
        return item
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return {k: _plain_value(v) for k, v in dataclasses.asdict(item).items()}
    if isinstance(item, dict):
        return {str(k): _plain_value(v) for k, v in item.items()}
    return str(item)


def _plain_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain_value(v) for k, v in value.items()}
    return str(value)


def _failure(failure: FailureReport) -> dict[str, Any]:
    return {
        "operation": failure.operation,
        "check": failure.check,
        "title": failure.title,
        "message": failure.message,
        "status": failure.status,
        "response_excerpt": failure.response_excerpt,
        "phase": failure.phase,
        "phases": list(failure.phases),
        "curl": failure.curl,
        "chain": [
            {"method": s.method, "url": s.url, "status": s.status, "curl": s.curl} for s in failure.chain
        ],
    }


def _redacted(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor(value)
    if isinstance(value, list):
        return [_redacted(v, redactor) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v, redactor) for k, v in value.items()}
    return value


def json_report(run: RunResult, redactor: Redactor | None = None) -> str:
    data = report_data(run)
    if redactor is not None:
        data = _redacted(data, redactor)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_json(run: RunResult, path: Path, redactor: Redactor) -> None:
    _write(path, json_report(run, redactor))
