"""One spec's session: its repaired document, target and run prefix, for running units.

A unit is one operation (the examples, coverage and fuzzing phases) or the stateful unit
(``sharding``). The CLI runs all of a spec's units in one session (``core``), each worker of
``--jobs`` its share in a session of its own (``worker``), the pytest plugin one unit per test.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from contracts.errors import ContractsError
from contracts.runner.options import RunOptions
from contracts.runner.results import STATEFUL, VersionResult
from contracts.runner.specs import SpecUnderTest

PER_OPERATION_PHASES = ("examples", "coverage", "fuzzing")
Progress = Callable[[str, Any], None]


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
    bodies: dict[str, Any] = field(default_factory=dict)
    """The placement's generated create bodies (``Placement.bodies``), shareable between sessions."""
    _schemas: dict[Any, Any] = field(default_factory=dict)
    _placement: Any = None

    @classmethod
    def open(
        cls,
        spec: SpecUnderTest,
        options: RunOptions,
        seed: int,
        *,
        repaired: tuple[dict[str, Any], list[Any]] | None = None,
        bodies: dict[str, Any] | None = None,
    ) -> SpecSession:
        """``repaired``: the spec's document with its defects repaired, when already known (a
        ``--jobs`` worker opens many sessions of one spec: the same document serves them all, and
        so do the create ``bodies`` its placements generated)."""
        from contracts.platform.leniency import find_and_repair
        from contracts.runner.target import build_target

        doc, defects = repaired if repaired is not None else find_and_repair(spec.doc)
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
        return cls(spec, options, seed, doc, defects, target, run_prefix, {} if bodies is None else bodies)

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
        return operation_labels(self.doc, self.target.writes_allowed, self.options)

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
                seed=self.seed,
                run_prefix=self.run_prefix,
                bodies=self.bodies,
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
            run = {"version": self.spec.version, "seed": self.seed, "run_prefix": self.run_prefix}
            if completed and self.target.writes_allowed and self.options.workflows and not lost:
                patterns = self.options.operation_patterns()
                run_workflows(schema, self.target, result, progress=progress, patterns=patterns, **run)
            if completed and not self.target.connection_lost:
                run_key_checks(schema, self.target, result, progress=progress, **run)
        return completed

    def close(self, result: VersionResult) -> None:
        """Delete what the session created; note writes the guard had to block."""
        from contracts.runner.cleanup import clean_up

        result.cleanup = clean_up(self.target)
        if self.target.blocked_writes:
            result.errors.append(blocked_writes_error(self.target.blocked_writes))

    def raise_if_lost(self) -> None:
        if self.target.connection_lost:
            raise ContractsError(
                f"lost the connection to {self.target.description}: {self.target.connection_lost}"
            )


def operation_labels(doc: dict[str, Any], writes_allowed: bool, options: RunOptions) -> list[str]:
    """``METHOD /path`` of every operation a run may send, in document order."""
    from contracts.runner.safety import HTTP_METHODS, select_operations

    selected = select_operations(doc, writes_allowed=writes_allowed, patterns=options.operation_patterns())
    return [
        f"{method.upper()} {path}"
        for path, item in selected["paths"].items()
        for method in item
        if method.lower() in HTTP_METHODS
    ]


def blocked_writes_error(blocked: list[str]) -> str:
    """The run-level error of writes a read-only run generated and the guard kept back."""
    return f"{len(blocked)} write request(s) were generated and blocked before sending (first: {blocked[0]})"
