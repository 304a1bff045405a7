"""``test --jobs N``: a run's units spread over N worker processes, merged into one run.

The specs are tested one after the other, as in one process. A spec's units (``sharding``; only
the shard's with ``--shard``) wait in one queue in batches (``batches``), the longest first;
the parent hands the next batch to whichever worker is free, so none idles while another has a
long list left (no static split). Each worker runs a batch in a session of its own
(``worker``): its own target, embedded mock and ownership ledger, deleting what it created.
When the queue is empty the parent merges the batches' results into the spec's one
``VersionResult``, and the run goes on as a single-process run: one summary, one set of
reports, one exit code.

Progress: each worker writes a batch's progress lines into a buffer; the parent prints them
whole when the batch is done, under a line naming it, so workers never interleave.

Ctrl-C: the parent stops handing out units and passes SIGINT on to the workers (a terminal sends
it to them too: a worker acts on the first only); each ends its unit as interrupted, deletes
what it created and says goodbye. The parent then merges what was found and raises
KeyboardInterrupt, so the reports are written as after a single-process Ctrl-C.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

from contracts.errors import ContractsError, TargetConfigurationError
from contracts.runner.batches import SpecPlan, plan_spec
from contracts.runner.cleanup import collapse
from contracts.runner.options import RunOptions
from contracts.runner.reporting.console import ConsoleReporter
from contracts.runner.results import RunResult, VersionResult
from contracts.runner.session import blocked_writes_error
from contracts.runner.sharding import STATEFUL_UNIT
from contracts.runner.specs import SpecUnderTest
from contracts.runner.target import describe_target
from contracts.runner.worker import worker_main

POLL_SECONDS = 0.2
"""How often the parent looks up from waiting (to notice a Ctrl-C or a worker that died)."""
SHUTDOWN_SECONDS = 300
"""How long the parent waits for the workers to delete what they created before stopping them."""


def run_parallel(
    specs: list[SpecUnderTest], options: RunOptions, seed: int, console: ConsoleReporter, run: RunResult
) -> None:
    """Test every spec with ``options.jobs`` workers; results go into ``run`` as one process's would."""
    plans = [plan_spec(index, spec, options) for index, spec in enumerate(specs)]
    size = min(options.jobs, max((len(plan.batches) for plan in plans), default=1))
    with Pool(size, specs, options, seed, console) as pool:
        for plan in plans:
            pool.run_spec(plan, run)


def first_call(spec: SpecUnderTest, options: RunOptions, seed: int) -> None:
    """Check the remote target and the key once, before any worker starts on the spec."""
    from contracts.runner.session import SpecSession

    SpecSession.open(spec, options, seed).preflight()


@dataclass
class Worker:
    number: int
    process: Any
    connection: Any
    unit: tuple[int, int] | None = None
    """(spec, batch) it is running; None when it is free."""
    opened: set[int] = field(default_factory=set)
    """Specs it has a session of (to be closed)."""
    gone: bool = False


class Pool:
    """The worker processes and the parent's side of their messages."""

    def __init__(
        self,
        size: int,
        specs: list[SpecUnderTest],
        options: RunOptions,
        seed: int,
        console: ConsoleReporter,
    ) -> None:
        self.options = options
        self.console = console
        self.interrupted = False
        self.problem: ContractsError | None = None
        self.versions: dict[int, VersionResult] = {}
        self.parts: dict[tuple[int, int], VersionResult] = {}
        self.blocked: dict[int, list[str]] = {}
        self.workers: list[Worker] = []
        self.plan: SpecPlan | None = None
        forking = "fork" in multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if forking else "spawn")
        if forking:  # imported once here, shared by the workers, instead of once in each
            import contracts.runner.engine  # noqa: F401
            import contracts.runner.workflows  # noqa: F401
            import mockserver  # noqa: F401
        for number in range(1, size + 1):
            parent_end, child_end = context.Pipe()
            process = context.Process(
                target=worker_main,
                args=(child_end, specs, options, seed),
                name=f"madaster-contracts-worker-{number}",
                daemon=True,
            )
            process.start()
            child_end.close()
            self.workers.append(Worker(number, process, parent_end))

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    @property
    def live(self) -> list[Worker]:
        return [worker for worker in self.workers if not worker.gone]

    def run_spec(self, plan: SpecPlan, run: RunResult) -> None:
        """Hand out the spec's units, close the workers' sessions, merge; stop on Ctrl-C or a problem."""
        spec, options = plan.spec, self.options
        if not options.offline:  # an unreachable host or a rejected key: one line, as in one process
            first_call(spec, options, run.seed)
        result = VersionResult(
            label=spec.label, source=spec.source, target=describe_target(options.base_url), seed=run.seed
        )
        result.spec_defects = list(plan.defects)
        result.shard = options.shard
        self.versions[plan.index] = result
        run.versions.append(result)
        self.console.version_started(spec.label, spec.source, result.target, len(plan.operations))
        for defect in plan.defects:
            self.console.spec_defect(defect.describe())
        started = time.monotonic()
        pending = deque(range(len(plan.batches)))
        self.plan = plan
        with self.catching_ctrl_c():
            while not self.stopping:
                for worker in self.live:
                    if pending and worker.unit is None and not self.stopping:
                        number = pending.popleft()
                        worker.unit = (plan.index, number)
                        worker.opened.add(plan.index)
                        self._send(worker, ("batch", plan.index, number, plan.batches[number]))
                if not any(worker.unit for worker in self.live):
                    break
                self._receive()
            while any(worker.unit for worker in self.live):  # what runs when stopping ends first
                self._receive()
            for worker in self.live:
                if plan.index in worker.opened:
                    self._send(worker, ("close", plan.index))
            while any(plan.index in worker.opened for worker in self.live):
                self._receive()
        self._merge(plan, result)
        result.duration = time.monotonic() - started
        if self.problem is not None:
            raise self.problem
        if self.interrupted:
            raise KeyboardInterrupt
        self.console.version_finished(result)

    @property
    def stopping(self) -> bool:
        return self.interrupted or self.problem is not None or not self.live

    def _merge(self, plan: SpecPlan, result: VersionResult) -> None:
        """The batches' results, operations first (in document order), then the stateful unit's."""
        for label in plan.operations:
            result.operation(label)
        order = sorted(range(len(plan.batches)), key=lambda n: plan.batches[n] == [STATEFUL_UNIT])
        for number in order:
            part = self.parts.pop((plan.index, number), None)
            if part is not None:
                result.merge(part)
        result.cleanup = collapse(result.cleanup)
        blocked = self.blocked.pop(plan.index, [])
        if blocked:
            result.errors.append(blocked_writes_error(blocked))

    def _receive(self) -> None:
        """Wait for the next messages of the workers (or their end) and take them in."""
        live = self.live
        ready = wait([w.connection for w in live] + [w.process.sentinel for w in live], POLL_SECONDS)
        for worker in live:
            while worker.connection in ready or worker.process.sentinel in ready:
                try:
                    if not worker.connection.poll():
                        if worker.process.sentinel in ready:
                            self._lost(worker)
                        break
                    message = worker.connection.recv()
                except (EOFError, OSError):
                    self._lost(worker)
                    break
                self._take(worker, message)
                if worker.gone:
                    break

    def _take(self, worker: Worker, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "done":
            _, index, number, part, output, completed, lost, cleanup, blocked = message
            worker.unit = None
            self.parts[(index, number)] = part
            self.versions[index].cleanup += cleanup
            self.blocked.setdefault(index, []).extend(blocked)
            name, total = self.plan.name(number), len(self.plan.batches)
            self.console.write(
                f"   [{number + 1}/{total}] {name} (worker {worker.number}, {part.duration:.1f}s)"
            )
            self.console.stream.write(output if output.endswith("\n") or not output else output + "\n")
            self.console.stream.flush()
            if not completed and not lost:
                self.interrupted = True
            if lost and self.problem is None:
                self.problem = ContractsError(f"lost the connection to {self.versions[index].target}: {lost}")
        elif kind == "error":
            _, index, unit, error, text = message
            worker.unit = None
            if self.problem is None:
                failure = TargetConfigurationError if error == "TargetConfigurationError" else ContractsError
                self.problem = failure(text)
        elif kind == "closed":
            _, index, cleanup, blocked = message
            worker.opened.discard(index)
            if index in self.versions:
                self.versions[index].cleanup += cleanup
            self.blocked.setdefault(index, []).extend(blocked)
        elif kind == "bye":
            worker.gone = True
            worker.unit = None
            worker.opened.clear()
            worker.process.join(timeout=5)

    def _lost(self, worker: Worker) -> None:
        """A worker that ended without saying goodbye: its running unit's results are lost."""
        worker.process.join(timeout=1)
        worker.gone = True
        if self.problem is None and not self.interrupted:
            self.problem = ContractsError(
                f"worker {worker.number} stopped unexpectedly (exit code {worker.process.exitcode}); "
                "what it created may remain"
            )

    def _send(self, worker: Worker, message: tuple[Any, ...]) -> None:
        try:
            worker.connection.send(message)
        except (BrokenPipeError, OSError):
            self._lost(worker)

    @contextmanager
    def catching_ctrl_c(self) -> Iterator[None]:
        """While workers run, Ctrl-C in the parent is a flag (never an exception mid-message), passed on."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_sigint(signum: int, frame: Any) -> None:
            first = not self.interrupted
            self.interrupted = True
            if first:
                for worker in self.live:
                    with suppress(ProcessLookupError, TypeError):
                        os.kill(worker.process.pid, signal.SIGINT)

        previous = signal.signal(signal.SIGINT, on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def shutdown(self) -> None:
        """Stop every worker, after it closed its sessions; whatever it still says is taken in."""
        with self.catching_ctrl_c():
            for worker in self.live:
                self._send(worker, ("stop",))
            deadline = time.monotonic() + SHUTDOWN_SECONDS
            while self.live and time.monotonic() < deadline:
                self._receive()
        for worker in self.workers:
            if worker.process.is_alive():
                worker.process.terminate()
            worker.process.join(timeout=5)
            worker.connection.close()
