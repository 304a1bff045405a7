"""One worker process of ``test --jobs N``: runs the units the parent hands it, one at a time.

Each session is a target of its own (embedded mock or base URL), with its own ownership ledger
and run prefix. A batch that writes, and the stateful unit, runs in a fresh session that is
closed when it ends; the read-only batches of a spec share one, closed when the parent says the
spec is done.
Closing a session deletes what this worker created, and only that: each worker has its own
ledger, so the cleanup of a parallel run is as complete as a single-process one.

Messages to the parent (tuples, first item the kind):

- ``("done", spec, batch, result, output, completed, lost, cleanup, blocked)`` after each batch of
  units (the stateful unit, or operations run in one engine run): its ``VersionResult``, its
  progress lines (a ``ConsoleReporter`` on a buffer), False when it was interrupted, the lost
  connection (or None), and the cleanup lines and blocked writes of its session if it had its own;
- ``("error", spec, batch, kind, message)`` when a batch could not run (the target refused the key...);
- ``("closed", spec, cleanup, blocked)`` when a session is closed: cleanup lines, blocked writes;
- ``("bye",)`` last.

Ctrl-C: the first SIGINT stops the running unit (schemathesis's engine ends it as interrupted);
later ones are ignored, so the cleanup that follows is never cut short. Messages are sent with
SIGINT blocked, so a Ctrl-C never leaves half a message in the pipe.
"""

from __future__ import annotations

import io
import signal
import time
import traceback
from typing import Any

from contracts.errors import ContractsError
from contracts.runner.options import RunOptions
from contracts.runner.reporting.console import ConsoleReporter
from contracts.runner.results import VersionResult
from contracts.runner.sharding import STATEFUL_UNIT
from contracts.runner.specs import SpecUnderTest

_interrupted = False
_repaired: dict[int, tuple[dict[str, Any], list[Any]]] = {}
"""Each spec's repaired document, found once per worker and shared by its sessions."""
_bodies: dict[int, dict[str, Any]] = {}
"""Each spec's generated create bodies (``Placement.bodies``), shared by the worker's sessions."""
READS = "reads"
"""The key of the session a worker's read-only batches of a spec share."""


def _on_sigint(signum: int, frame: Any) -> None:
    """The first Ctrl-C stops the unit; the rest must not cut the cleanup short."""
    global _interrupted
    if not _interrupted:
        _interrupted = True
        raise KeyboardInterrupt


def worker_main(connection: Any, specs: list[SpecUnderTest], options: RunOptions, seed: int) -> None:
    """The worker's loop: ``("batch", spec, number, units)``, ``("close", spec)`` or ``("stop",)``."""
    signal.signal(signal.SIGINT, _on_sigint)
    sessions: dict[tuple[int, Any], Any] = {}
    try:
        while not _interrupted:
            try:
                message = connection.recv()
            except EOFError:  # the parent is gone
                break
            if message[0] == "batch":
                _, index, number, units = message
                _send(connection, _run_batch(sessions, specs, options, seed, index, number, units))
            elif message[0] == "close":
                _close(connection, sessions, message[1])
            else:
                break
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for index in sorted({index for index, _ in sessions}):
            _close(connection, sessions, index)
        _send(connection, ("bye",))
        connection.close()


def _run_batch(
    sessions: dict[tuple[int, Any], Any],
    specs: list[SpecUnderTest],
    options: RunOptions,
    seed: int,
    index: int,
    number: int,
    units: list[str],
) -> tuple[Any, ...]:
    """Run the stateful unit, or the operations given in one engine run (as one process would).

    A batch that writes (and the stateful unit) gets a fresh session, closed when it ends: its
    writes start from the mock as built and are placed on entities it created itself, not on
    ones an earlier batch left in another state. Read-only batches share one session.
    """
    writes = units == [STATEFUL_UNIT] or any(not unit.startswith(("GET ", "HEAD ")) for unit in units)
    key = (index, number if writes else READS)
    try:
        session = _session(sessions, key, specs, options, seed)
    except ContractsError as exc:
        return ("error", index, number, type(exc).__name__, str(exc))
    result = session.new_result()
    result.spec_defects = []  # the parent reports the spec's problems once
    buffer = io.StringIO()
    console = ConsoleReporter(buffer)  # type: ignore[arg-type]  # a TextIO look-alike
    completed = False
    started = time.monotonic()
    try:
        if units == [STATEFUL_UNIT]:
            completed = session.run_stateful(result, console.progress)
        else:
            completed = session.run_operations(result, set(units).__contains__, console.progress)
    except KeyboardInterrupt:
        completed = False
    finally:
        cleanup, blocked = _close_sessions(sessions, [key]) if writes else ([], [])
    result.duration = time.monotonic() - started
    lost = session.target.connection_lost
    return ("done", index, number, result, buffer.getvalue(), completed, lost, cleanup, blocked)


def _session(
    sessions: dict[tuple[int, Any], Any],
    key: tuple[int, Any],
    specs: list[SpecUnderTest],
    options: RunOptions,
    seed: int,
) -> Any:
    """The session for ``key``, opened (and its target checked) on first use."""
    from contracts.runner.session import SpecSession

    session = sessions.get(key)
    if session is None:
        index = key[0]
        try:
            if index not in _repaired:
                from contracts.platform.leniency import find_and_repair

                _repaired[index] = find_and_repair(specs[index].doc)
            bodies = _bodies.setdefault(index, {})
            session = SpecSession.open(specs[index], options, seed, repaired=_repaired[index], bodies=bodies)
        except (ContractsError, KeyboardInterrupt):
            raise
        except Exception as exc:  # a defect of the runner: one line to the parent
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            raise ContractsError(f"a worker could not open {specs[index].label}: {detail}") from None
        sessions[key] = session
        session.preflight()
    return session


def _close(connection: Any, sessions: dict[tuple[int, Any], Any], index: int) -> None:
    """Delete what this worker's sessions of the spec created; tell the parent what could not be deleted."""
    cleanup, blocked = _close_sessions(sessions, [key for key in sessions if key[0] == index])
    _send(connection, ("closed", index, cleanup, blocked))


def _close_sessions(
    sessions: dict[tuple[int, Any], Any], keys: list[tuple[int, Any]]
) -> tuple[list[str], list[str]]:
    """Close the sessions (cleanup lines, blocked writes); a Ctrl-C meanwhile waits for the cleanup."""
    cleanup: list[str] = []
    blocked: list[str] = []
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for key in keys:
            session = sessions.pop(key, None)
            if session is None:
                continue
            result = VersionResult(label="", source="", target="", seed=0)
            try:
                session.close(result)
                cleanup += result.cleanup
            except Exception as exc:  # noqa: BLE001  # the other sessions are still cleaned up
                cleanup.append(f"cleanup stopped: {type(exc).__name__}: {exc}")
            blocked += session.target.blocked_writes
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
    return cleanup, blocked


def _send(connection: Any, message: tuple[Any, ...]) -> None:
    """Send with SIGINT held back: a Ctrl-C mid-send would leave half a message in the pipe."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        connection.send(message)
    except (BrokenPipeError, OSError):  # the parent is gone: nothing to tell
        pass
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
