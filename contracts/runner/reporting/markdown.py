"""A Markdown report for a pull-request comment."""

from __future__ import annotations

from pathlib import Path

from contracts.runner.redact import Redactor
from contracts.runner.reporting.junit import _write
from contracts.runner.results import RunResult


def markdown_report(run: RunResult) -> str:
    verdict = "All contracts hold" if run.passed else "Contract failures found"
    lines = [f"## Madaster contract run: {verdict}", "", f"Replay with `--seed {run.seed}`.", ""]
    lines += [
        "| version | target | operations | cases | failures | skipped | not exercised | spec problems | result |"
    ]
    lines += ["|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for v in run.versions:
        result = "passed" if v.passed else "**failed**"
        lines.append(
            f"| {v.label} | {v.target} | {len(v.operation_labels)} | {v.cases} | {len(v.failures)} | "
            f"{v.skipped_scenarios} | {len(v.not_exercised)} | {len(v.spec_defects)} | {result} |"
        )
    for v in run.versions:
        if v.failures:
            lines += ["", f"### Failures in {v.label}"]
        for failure in v.failures:
            lines += [
                "",
                f"**{failure.operation}**: `{failure.check}` ({failure.title}), found in {', '.join(failure.phases)}",
                "",
                "```",
                failure.message.strip(),
                "```",
                "",
                f"Response: `{failure.status if failure.status is not None else 'no response'}`",
                "",
                "```",
                failure.response_excerpt or "(empty body)",
                "```",
                "",
            ]
            if failure.chain:
                lines += ["Requests of the scenario, in order:", ""]
                lines += [
                    f"{n}. `{step.method} {step.url}` -> {step.status if step.status is not None else 'no response'}"
                    for n, step in enumerate(failure.chain, 1)
                ]
                lines += [
                    "",
                    "Reproduce (in this order):",
                    "",
                    "```sh",
                    *[s.curl for s in failure.chain],
                    "```",
                ]
            else:
                lines += ["Reproduce:", "", "```sh", failure.curl, "```"]
        errors = list(v.errors) + [f"{label}: {e}" for label, e in v.operation_errors]
        if errors:
            lines += ["", f"### Errors in {v.label}", ""] + [f"- {e}" for e in errors]
        if v.spec_defects:
            lines += ["", f"### Spec problems in {v.label} (reported, not counted as API failures)", ""]
            lines += [f"- `{d.location}`: {d.problem}; {d.repair}" for d in v.spec_defects]
        exercised, tried = v.writes_exercised
        if tried:
            lines += [
                "",
                f"Writes: {exercised} of {tried} write operations exercised on entities this run created.",
            ]
        if v.not_exercised:
            lines += [
                "",
                f"### Not exercised in {v.label} (would touch an entity this run did not create)",
                "",
            ]
            lines += [f"- `{label}`: {reason}" for label, reason in v.not_exercised]
        if v.cleanup:
            lines += ["", f"### Cleanup problems in {v.label}", ""] + [f"- {c}" for c in v.cleanup]
        lines += ["", "<details><summary>Operations in " + v.label + "</summary>", ""]
        lines += ["| operation | cases | not sent | failed checks | skipped |", "|---|---:|---:|---|---|"]
        for unit, op in v.all_results():
            failed = ", ".join(sorted(name for name, status in op.checks.items() if status == "failed"))
            label = f"{op.label} (stateful)" if unit == "stateful" else op.label
            lines.append(f"| `{label}` | {op.cases} | {op.not_sent} | {failed} | {op.skipped or ''} |")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def write_markdown(run: RunResult, path: Path, redactor: Redactor) -> None:
    _write(path, redactor(markdown_report(run)))
