"""The forwarder's retries, as a urllib3 ``Retry`` mounted on its requests session.

urllib3 does the work: it counts the attempts, tells a connection error from a read timeout,
retries 429 and 503 (``status_forcelist``) on any method, drains the answer it drops and hands
back the last one when the retries run out. ``PolicyRetry`` changes only what urllib3 does
differently from the run's rules:

- urllib3 sleeps on ``time.sleep`` itself, takes ``Retry-After: 0`` for "no header" (and backs
  off instead) and does not wait before the first retry; here every wait is the policy's
  (``wait_for``: the ``Retry-After`` value or the backoff, at most ``max_wait``), goes
  through the injected ``pause`` and is written down in a ``RetryJournal``;
- an unreadable ``Retry-After`` makes urllib3 raise ``InvalidHeader`` mid-request; here it means
  "no header" (backoff), and a number too long for ``int()`` means the longest wait;
- a read timeout is never retried: no answer in time is the ``response_time`` finding;
- 413 with ``Retry-After`` is not retried (urllib3's default list has it): only 429 and 503.

This module imports urllib3; ``transport`` imports it only when a forwarder is made.
"""

from __future__ import annotations

import email.utils
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from urllib3.exceptions import InvalidHeader, ReadTimeoutError
from urllib3.util.retry import Retry

RETRIED_STATUSES = frozenset({429, 503})
_DELTA_SECONDS = re.compile(r"^\s*[0-9]+\s*$")  # urllib3's own test for the delta-seconds form


@dataclass
class RetryJournal:
    """What the retries of the request in flight did; the forwarder reads it after each request."""

    retries: int = 0
    waited: float = 0.0
    bare_429: bool = False
    """A 429 without ``Retry-After`` came back (the ``retry_after`` check reports it)."""

    def reset(self) -> None:
        self.retries, self.waited, self.bare_429 = 0, 0.0, False


class PolicyRetry(Retry):
    """urllib3's ``Retry`` with the run's waits, injected pause and clock, and a journal."""

    RETRY_AFTER_STATUS_CODES = RETRIED_STATUSES

    def __init__(
        self,
        *args: Any,
        wait_for: Callable[[int, float | None], float] | None = None,
        pause: Callable[[float], None] | None = None,
        clock: Callable[[], float] | None = None,
        journal: RetryJournal | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.wait_for = wait_for or (lambda _attempt, retry_after: retry_after or 0.0)
        self.pause = pause or (lambda _seconds: None)
        self.clock = clock
        """None: an HTTP date is measured against the wall clock, as urllib3 does."""
        self.journal = journal if journal is not None else RetryJournal()

    @classmethod
    def for_policy(
        cls,
        *,
        retries: int,
        max_wait: float,
        wait_for: Callable[[int, float | None], float],
        pause: Callable[[float], None],
        clock: Callable[[], float] | None = None,
        journal: RetryJournal | None = None,
    ) -> PolicyRetry:
        """``retries`` extra attempts in all, shared by network errors and 429/503, on any method."""
        return cls(
            total=retries,
            allowed_methods=None,  # every method, as before: a 429/503 or a refused connection did nothing
            status_forcelist=RETRIED_STATUSES,
            raise_on_status=False,  # out of retries on a 429/503: that answer is the result
            respect_retry_after_header=True,
            retry_after_max=max_wait,  # type: ignore[arg-type]  # compared only; a float cap works
            wait_for=wait_for,
            pause=pause,
            clock=clock,
            journal=journal,
        )

    def new(self, **kw: Any) -> Self:
        """urllib3 makes a new ``Retry`` per attempt: the hooks and the journal go along."""
        kw.update(wait_for=self.wait_for, pause=self.pause, clock=self.clock, journal=self.journal)
        return super().new(**kw)

    def parse_retry_after(self, retry_after: str) -> float:
        """urllib3's reading; with an injected clock, an HTTP date is measured against it."""
        if self.clock is None or _DELTA_SECONDS.match(retry_after):
            return super().parse_retry_after(retry_after)
        date = email.utils.parsedate_tz(retry_after)
        if date is None:
            raise InvalidHeader(f"Invalid Retry-After header: {retry_after}")
        return min(max(email.utils.mktime_tz(date) - self.clock(), 0.0), self.retry_after_max)

    def read_retry_after(self, value: str | None) -> float | None:
        """Seconds a ``Retry-After`` value asks for; None when absent or unreadable (then: backoff)."""
        if value is None:
            return None
        try:
            return float(self.parse_retry_after(value))
        except InvalidHeader:
            return None
        except (ValueError, OverflowError):  # more digits than int() reads, a date past year 9999
            return float(self.retry_after_max)

    def get_retry_after(self, response: Any) -> float | None:
        return self.read_retry_after(response.headers.get("Retry-After"))

    def sleep(self, response: Any = None) -> None:
        """The policy's wait for this retry, through ``pause`` (urllib3's would call ``time.sleep``)."""
        retry_after = None
        if self.respect_retry_after_header and response is not None:
            retry_after = self.get_retry_after(response)
        wait = self.wait_for(len(self.history) - 1, retry_after)
        self.journal.retries += 1
        self.journal.waited += wait
        self.pause(wait)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        """Count one failed attempt; a read timeout goes straight up (requests makes it ``ReadTimeout``)."""
        if isinstance(error, ReadTimeoutError):
            raise error.with_traceback(_stacktrace)
        if response is not None and response.status == 429 and not response.headers.get("Retry-After"):
            self.journal.bare_429 = True
        return super().increment(method, url, response, error, _pool, _stacktrace)


def read_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` value as the forwarder reads it, uncapped; None if absent/unreadable."""
    reader = PolicyRetry(retry_after_max=sys.maxsize, clock=None if now is None else (lambda: now))
    return reader.read_retry_after(value)
