"""The run the Madaster checks belong to: set by ``activate``, read by every check (one run at a time).

Its own module so both check modules (``checks`` and ``response_checks``) read it without
importing each other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ActiveRun:
    unknown_key: str
    max_response_time: float = 5.0
    probed: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    skipped: frozenset[str] = frozenset()
    """Names of the Madaster checks turned off (``--skip-check``)."""
    gate: Any = None
    """The ownership gate of a write run (None when read-only): probes that send writes ask it."""
    log: Any = None
    """The target's request log: what a case sent, byte for byte, for the probes to repeat."""

    def once(self, key: str) -> bool:
        """True the first time ``key`` is asked for in this run (a probe runs once per operation)."""
        with self.lock:
            if key in self.probed:
                return False
            self.probed.add(key)
            return True

    def again(self, key: str) -> None:
        """Let a probe that could not be sent run on a later case."""
        with self.lock:
            self.probed.discard(key)

    def enabled(self, check: str) -> bool:
        return check not in self.skipped


_active: ActiveRun | None = None


def activate(run: ActiveRun | None) -> None:
    """Point the checks at the current run (None: checks do nothing)."""
    global _active
    _active = run


def active() -> ActiveRun | None:
    """The run the checks belong to (None outside a run)."""
    return _active
