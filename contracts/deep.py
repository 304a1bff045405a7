"""Deeply nested documents without RecursionError: retry a call on a thread with room for them.

Parsers and walkers recurse once per nesting level. Real specs nest a few dozen levels, so every
call first runs as it is; only when Python's recursion limit is hit does it run again on a thread
with a 512 MB stack and a limit to match (tens of thousands of levels). Beyond that, one clear
SpecError (exit 2), never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from contracts.errors import SpecError

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)
if TYPE_CHECKING:
    from typing import TypeVar

    T = TypeVar("T")

STACK_BYTES = 512 * 1024 * 1024
DEEP_RECURSION_LIMIT = 200_000


def call_deep(fn: Callable[[], T], source: str, what: str) -> T:
    """``fn()``, retried with a deep stack when it overflows; SpecError naming ``what`` when even that does."""
    try:
        return fn()
    except RecursionError:
        pass
    import threading  # only deep documents get here

    outcome: dict[str, object] = {}

    def target() -> None:
        previous = sys.getrecursionlimit()
        sys.setrecursionlimit(DEEP_RECURSION_LIMIT)
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # handed to the calling thread below
            outcome["error"] = exc
        finally:
            sys.setrecursionlimit(previous)

    previous_size = threading.stack_size(STACK_BYTES)
    try:
        worker = threading.Thread(target=target, name="deep-document")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(previous_size)
    error = outcome.get("error")
    if isinstance(error, RecursionError):
        raise SpecError(source, f"nested too deeply to {what}") from None
    if isinstance(error, BaseException):
        raise error
    return outcome["value"]  # type: ignore[return-value]
