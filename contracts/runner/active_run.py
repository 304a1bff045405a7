"""The run the Madaster checks belong to: set by ``activate``, read by every check (one run at a time).

Its own module so both check modules (``checks`` and ``response_checks``) read it without
importing each other.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class ActiveRun:
    unknown_key: str
    max_response_time: float = 5.0
    probed: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


_active: ActiveRun | None = None


def activate(run: ActiveRun | None) -> None:
    """Point the checks at the current run (None: checks do nothing)."""
    global _active
    _active = run


def active() -> ActiveRun | None:
    """The run the checks belong to (None outside a run)."""
    return _active
