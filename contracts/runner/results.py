"""What a run found, independent of schemathesis's event types (reporting reads only this)."""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.platform.leniency import SpecDefect

OPERATION = "operation"
STATEFUL = "stateful"
STATEFUL_PHASES = ("stateful", "workflows", "keys")


@dataclass
class ChainStep:
    """One request of a failing scenario, in the order it was sent."""

    method: str
    url: str
    status: int | None
    curl: str


@dataclass
class FailureReport:
    operation: str
    """``GET /api/v3.0/building/{id}``"""
    check: str
    title: str
    message: str
    status: int | None
    response_excerpt: str
    curl: str
    phase: str
    chain: list[ChainStep] = field(default_factory=list)
    """Every request of the scenario up to the failing one (empty when it was a single request)."""
    phases: list[str] = field(default_factory=list)
    """Every phase that found it (the first is ``phase``)."""

    def __post_init__(self) -> None:
        if not self.phases:
            self.phases = [self.phase]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.operation, self.check, self.title)

    @property
    def unit(self) -> str:
        """``operation`` (examples, coverage, fuzzing) or ``stateful`` (stateful phase, workflows, keys)."""
        return STATEFUL if self.phase in STATEFUL_PHASES else OPERATION

    def lines(self) -> list[str]:
        """The failure in full: check, phases, every line of the message, response, chain, reproduction."""
        lines = [f"   check:    {self.check} ({self.title})"]
        lines.append(f"   found in: {', '.join(self.phases)}")
        message = (self.message or "").strip().splitlines() or [self.title]
        lines.append(f"   problem:  {message[0]}")
        lines += [f"             {line}" for line in message[1:]]
        status = self.status if self.status is not None else "no response"
        lines.append(f"   response: {status} {self.response_excerpt}".rstrip())
        if self.chain:
            lines.append("   chain:")
            for number, step in enumerate(self.chain, 1):
                answer = step.status if step.status is not None else "no response"
                lines.append(f"     {number}. {step.method} {step.url} -> {answer}")
            lines.append("   reproduce (in this order):")
            for step in self.chain:
                lines.append(f"     {step.curl}")
        else:
            lines.append("   reproduce:")
            lines += [f"     {line}" for line in self.curl.splitlines()]
        return lines


@dataclass
class OperationResult:
    label: str
    cases: int = 0
    checks: dict[str, str] = field(default_factory=dict)
    """check name -> ``passed`` | ``failed``"""
    skipped: str | None = None
    errors: list[str] = field(default_factory=list)
    not_sent: int = 0
    """Write cases the ownership gate did not send: they named an entity the run did not create."""
    not_sent_reason: str | None = None
    """The first such case's reason (``its path names id=..., which this run did not create``)."""

    @property
    def not_exercised(self) -> bool:
        """Every case of this operation named an entity the run did not create: none was sent."""
        return self.not_sent > 0 and self.cases == 0

    def record_check(self, name: str, passed: bool) -> None:
        if not passed or self.checks.get(name) != "failed":
            self.checks[name] = "passed" if passed else "failed"

    @property
    def failed(self) -> bool:
        return "failed" in self.checks.values() or bool(self.errors)

    def merge(self, other: OperationResult) -> None:
        """Add another part of the same operation's results (``--jobs``: a worker's)."""
        self.cases += other.cases
        for name, outcome in other.checks.items():
            self.record_check(name, outcome == "passed")
        self.skipped = self.skipped or other.skipped
        self.errors += [error for error in other.errors if error not in self.errors]
        self.not_sent += other.not_sent
        self.not_sent_reason = self.not_sent_reason or other.not_sent_reason


@dataclass
class VersionResult:
    label: str
    """``v3.0@30855``"""
    source: str
    target: str
    seed: int
    operations: dict[str, OperationResult] = field(default_factory=dict)
    """Results of the per-operation phases (examples, coverage, fuzzing)."""
    stateful: dict[str, OperationResult] = field(default_factory=dict)
    """Results of the stateful phase and the workflows, by the operation they concern."""
    failures: list[FailureReport] = field(default_factory=list)
    spec_defects: list[SpecDefect] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Run-level problems (not tied to one operation)."""
    cleanup: list[str] = field(default_factory=list)
    skipped_scenarios: int = 0
    """Scenarios schemathesis skipped (each an ``s`` of the progress line); reasons per operation."""
    duration: float = 0.0
    shard: tuple[int, int] | None = None
    """``(K, N)`` when this was one shard of a split run."""

    def add_failure(self, failure: FailureReport) -> bool:
        """Keep a failure once per operation, check and kind; a repeat only adds its phase."""
        for known in self.failures:
            if known.key == failure.key:
                if failure.phase not in known.phases:
                    known.phases.append(failure.phase)
                return False
        self.failures.append(failure)
        self.operation(failure.operation, failure.unit).record_check(failure.check, False)
        return True

    def merge(self, part: VersionResult) -> None:
        """Fold in the results of some units of this version (``--jobs``: one worker's unit).

        Merged in the order the units would run in one process, the totals, the failures (each
        once, with every phase that found it) and their order are those of a single-process run.
        """
        for unit, table in ((OPERATION, part.operations), (STATEFUL, part.stateful)):
            for label, operation in table.items():
                self.operation(label, unit).merge(operation)
        for failure in part.failures:
            known = next((k for k in self.failures if k.key == failure.key), None)
            if known is None:
                self.failures.append(failure)
            else:
                known.phases += [phase for phase in failure.phases if phase not in known.phases]
        self.errors += [error for error in part.errors if error not in self.errors]
        self.cleanup += part.cleanup
        self.skipped_scenarios += part.skipped_scenarios

    def operation(self, label: str, unit: str = OPERATION) -> OperationResult:
        table = self.stateful if unit == STATEFUL else self.operations
        result = table.get(label)
        if result is None:
            result = table[label] = OperationResult(label)
        return result

    def all_results(self) -> list[tuple[str, OperationResult]]:
        """(unit, result) of every operation, per-operation phases first."""
        return [(OPERATION, op) for op in self.operations.values()] + [
            (STATEFUL, op) for op in self.stateful.values()
        ]

    @property
    def operation_labels(self) -> list[str]:
        return list(dict.fromkeys([*self.operations, *self.stateful]))

    @property
    def cases(self) -> int:
        return sum(op.cases for _, op in self.all_results())

    @property
    def failed_operations(self) -> int:
        failed = {op.label for _, op in self.all_results() if op.failed}
        return len(failed)

    @property
    def skipped_operations(self) -> int:
        return sum(1 for op in self.operations.values() if op.skipped and not op.cases)

    def _by_label(self) -> dict[str, tuple[int, int, str | None]]:
        """label -> (cases sent, cases not sent, first reason), over both units."""
        totals: dict[str, tuple[int, int, str | None]] = {}
        for _, op in self.all_results():
            sent, refused, reason = totals.get(op.label, (0, 0, None))
            totals[op.label] = (sent + op.cases, refused + op.not_sent, reason or op.not_sent_reason)
        return totals

    @property
    def not_exercised(self) -> list[tuple[str, str]]:
        """(operation, reason) of each operation none of whose cases could be sent."""
        return [
            (label, reason or "")
            for label, (sent, refused, reason) in self._by_label().items()
            if refused and not sent
        ]

    @property
    def writes_exercised(self) -> tuple[int, int]:
        """(write operations with a case sent, write operations tried) of this run."""
        writes = {
            label: sent
            for label, (sent, refused, _) in self._by_label().items()
            if label.split(" ", 1)[0] not in ("GET", "HEAD") and (sent or refused)
        }
        return sum(1 for sent in writes.values() if sent), len(writes)

    @property
    def not_sent(self) -> int:
        return sum(op.not_sent for _, op in self.all_results())

    @property
    def operation_errors(self) -> list[tuple[str, str]]:
        """(operation, error) of every operation, once each."""
        return list(dict.fromkeys((op.label, e) for _, op in self.all_results() for e in op.errors))

    @property
    def passed(self) -> bool:
        return not self.failures and not self.errors and not self.operation_errors


@dataclass
class RunResult:
    versions: list[VersionResult] = field(default_factory=list)
    seed: int = 0
    interrupted: bool = False
    output: str = ""
    """The console output, when it was captured (pytest plugin)."""

    def describe(self) -> str:
        """One line per failure and error, for an assertion message."""
        lines = []
        for v in self.versions:
            lines += [f"{v.label}: {f.operation}: {f.check}: {f.title}" for f in v.failures]
            lines += [f"{v.label}: error: {e}" for e in v.errors]
            lines += [f"{v.label}: {label}: error: {e}" for label, e in v.operation_errors]
        lines.append(f"replay with --seed {self.seed}")
        return "\n".join(lines)

    def report(self) -> str:
        """Every failure in full (check, phases, message, response, chain, curl) and every error."""
        lines = []
        for v in self.versions:
            for f in v.failures:
                lines += [f"-- [{v.label}] {f.operation}", *f.lines()]
            lines += [f"error [{v.label}]: {e}" for e in v.errors]
            lines += [f"error [{v.label}] {label}: {e}" for label, e in v.operation_errors]
        lines.append(f"replay with --seed {self.seed}")
        return "\n".join(lines)

    @property
    def passed(self) -> bool:
        return all(version.passed for version in self.versions)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1
