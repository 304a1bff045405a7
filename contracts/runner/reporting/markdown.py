"""A Markdown report for a pull-request comment."""

from __future__ import annotations

from pathlib import Path

from contracts.runner.redact import Redactor
from contracts.runner.reporting.junit import _write
from contracts.runner.results import RunResult


def markdown_report(run: RunResult) -> str:
    verdict = "All contracts hold" if run.passed else "Contract failures found"
    lines = [f"## Madaster contract run: {verdict}", "", f"Replay with `--seed {run.seed}`.", ""]
    lines += ["| version | target | operations | cases | failures | skipped | spec problems | result |"]
    lines += ["|---|---|---:|---:|---:|---:|---:|---|"]
    for v in run.versions:
        result = "passed" if v.passed else "**failed**"
        lines.append(
            f"| {v.label} | {v.target} | {len(v.operations)} | {v.cases} | {len(v.failures)} | "
            f"{v.skipped_operations} | {len(v.spec_defects)} | {result} |"
        )
    for v in run.versions:
        if v.failures:
            lines += ["", f"### Failures in {v.label}"]
        for failure in v.failures:
            lines += [
                "",
                f"**{failure.operation}**: `{failure.check}` ({failure.title})",
                "",
                f"{failure.message.strip()}",
                "",
                f"Response: `{failure.status}`",
                "",
                "```",
                failure.response_excerpt or "(empty body)",
                "```",
                "",
                "Reproduce:",
                "",
                "```sh",
                failure.curl,
                "```",
            ]
        errors = list(v.errors) + [f"{op.label}: {e}" for op in v.operations.values() for e in op.errors]
        if errors:
            lines += ["", f"### Errors in {v.label}", ""] + [f"- {e}" for e in errors]
        if v.spec_defects:
            lines += ["", f"### Spec problems in {v.label} (reported, not counted as API failures)", ""]
            lines += [f"- `{d.location}`: {d.problem}; {d.repair}" for d in v.spec_defects]
        if v.cleanup:
            lines += ["", f"### Cleanup problems in {v.label}", ""] + [f"- {c}" for c in v.cleanup]
        lines += ["", "<details><summary>Operations in " + v.label + "</summary>", ""]
        lines += ["| operation | cases | failed checks | skipped |", "|---|---:|---|---|"]
        for op in v.operations.values():
            failed = ", ".join(sorted(name for name, status in op.checks.items() if status == "failed"))
            lines.append(f"| `{op.label}` | {op.cases} | {failed} | {op.skipped or ''} |")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def write_markdown(run: RunResult, path: Path, redactor: Redactor) -> None:
    _write(path, redactor(markdown_report(run)))
