"""Progress while the run goes (one character per scenario, a line per phase) and the final summary."""

from __future__ import annotations

from typing import Any, TextIO

from contracts.runner.results import FailureReport, RunResult, VersionResult

PHASE_TITLES = {
    "probing": None,
    "schema_analysis": None,
    "auth_bootstrap": None,
    "examples": "examples",
    "coverage": "coverage",
    "fuzzing": "fuzzing",
    "stateful": "stateful",
    "workflows": "workflows",
    "keys": "keys",
}


LEGEND = (
    "   progress: . passed  F failed  E error  s skipped  "
    "- not sent (names an entity this run did not create)  ! interrupted"
)
"""Every character a progress line can show, explained once at the start of a run."""


class ConsoleReporter:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._legend_shown = False
        self._phase: str | None = None
        self._column = 0
        self._failing: list[str] = []

    def write(self, text: str = "") -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def version_started(self, label: str, source: str, target: str, operations: int) -> None:
        if not self._legend_shown:
            self.write(LEGEND)
            self._legend_shown = True
        self.write(f"== {label} ({source}) against {target}: {operations} operation(s)")

    def spec_defect(self, text: str) -> None:
        self.write(f"   spec problem: {text}")

    def progress(self, kind: str, payload: Any) -> None:
        """A phase's line starts with its first scenario, so phases that run nothing stay silent."""
        if kind == "phase":
            self._phase = PHASE_TITLES.get(payload, payload)
            self._column = 0
            self._failing = []
        elif kind == "scenario" and self._phase:
            char, label = payload
            if self._column == 0:
                self.stream.write(f"   {self._phase:<10} ")
            elif self._column % 60 == 0:
                self.stream.write("\n" + " " * 14)
            self.stream.write(char)
            self._column += 1
            if char in "FE" and label and label not in self._failing:
                self._failing.append(label)
            self.stream.flush()
        elif kind == "phase_done" and self._phase:
            if self._column:
                self.stream.write("\n")
            for label in self._failing:
                self.stream.write(f"{'':14}failed: {label}\n")
            self.stream.flush()
            self._phase = None

    def version_finished(self, result: VersionResult) -> None:
        verdict = "passed" if result.passed else "FAILED"
        self.write(
            f"   {verdict}: {len(result.operations)} operations, {result.cases} cases, "
            f"{len(result.failures)} failure(s), {result.duration:.1f}s"
        )
        line = writes_line(result)
        if line:
            self.write(f"   {line}")

    def summary(self, run: RunResult) -> None:
        self.write()
        self.write(summary_table(run))
        for version in run.versions:
            for line in version.errors:
                self.write(f"error [{version.label}]: {line}")
            for label, line in version.operation_errors:
                self.write(f"error [{version.label}] {label}: {line}")
            for label, reason in version.not_exercised:
                self.write(f"not exercised [{version.label}] {label}: {reason}")
            for line in version.cleanup:
                self.write(f"cleanup [{version.label}]: {line}")
            for defect in version.spec_defects:
                self.write(f"spec problem [{version.label}]: {defect.describe()}")
        failures = [(v, f) for v in run.versions for f in v.failures]
        for index, (version, failure) in enumerate(failures, 1):
            self.write()
            self.write(f"-- failure {index}/{len(failures)} [{version.label}] {failure.operation}")
            for line in failure_lines(failure):
                self.write(line)
        self.write()
        if run.interrupted:
            verdict = "interrupted: the results above are partial"
        else:
            verdict = "all contracts hold" if run.passed else "contract failures found"
        self.write(f"{verdict}; replay this run with --seed {run.seed}")


def summary_table(run: RunResult) -> str:
    rows = [
        ("version", "operations", "cases", "failures", "skipped", "not exercised", "spec problems", "result")
    ]
    for v in run.versions:
        rows.append(
            (
                v.label,
                str(len(v.operation_labels)),
                str(v.cases),
                str(len(v.failures)),
                str(v.skipped_scenarios),
                str(len(v.not_exercised)),
                str(len(v.spec_defects)),
                "passed" if v.passed else "FAILED",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def writes_line(result: VersionResult) -> str:
    """How many write operations went to the run's own entities, and how many cases were kept back."""
    exercised, tried = result.writes_exercised
    if not tried:
        return ""
    line = f"writes: {exercised} of {tried} write operations exercised on entities this run created"
    if result.not_sent:
        line += f"; {result.not_sent} case(s) not sent (would touch an entity this run did not create)"
    return line


def failure_lines(failure: FailureReport) -> list[str]:
    """A failure in full: check, phases, every line of the message, response, chain, reproduction."""
    return failure.lines()
