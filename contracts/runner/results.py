"""What a run found, independent of schemathesis's event types (reporting reads only this)."""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.platform.leniency import SpecDefect


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


@dataclass
class OperationResult:
    label: str
    cases: int = 0
    checks: dict[str, str] = field(default_factory=dict)
    """check name -> ``passed`` | ``failed``"""
    skipped: str | None = None
    errors: list[str] = field(default_factory=list)

    def record_check(self, name: str, passed: bool) -> None:
        if not passed or self.checks.get(name) != "failed":
            self.checks[name] = "passed" if passed else "failed"

    @property
    def failed(self) -> bool:
        return "failed" in self.checks.values() or bool(self.errors)


@dataclass
class VersionResult:
    label: str
    """``v3.0@30855``"""
    source: str
    target: str
    seed: int
    operations: dict[str, OperationResult] = field(default_factory=dict)
    failures: list[FailureReport] = field(default_factory=list)
    spec_defects: list[SpecDefect] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Run-level problems (not tied to one operation)."""
    cleanup: list[str] = field(default_factory=list)
    duration: float = 0.0

    def operation(self, label: str) -> OperationResult:
        result = self.operations.get(label)
        if result is None:
            result = self.operations[label] = OperationResult(label)
        return result

    @property
    def cases(self) -> int:
        return sum(op.cases for op in self.operations.values())

    @property
    def failed_operations(self) -> int:
        return sum(1 for op in self.operations.values() if op.failed)

    @property
    def skipped_operations(self) -> int:
        return sum(1 for op in self.operations.values() if op.skipped and not op.cases)

    @property
    def passed(self) -> bool:
        return not self.failures and not self.errors and not any(op.errors for op in self.operations.values())


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
            lines += [f"{v.label}: {op.label}: error: {e}" for op in v.operations.values() for e in op.errors]
        lines.append(f"replay with --seed {self.seed}")
        return "\n".join(lines)

    @property
    def passed(self) -> bool:
        return all(version.passed for version in self.versions)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1
