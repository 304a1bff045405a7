"""Answer the mock's reads in the server's event-loop thread; everything else on worker threads.

Why: a read of the in-memory mock is a few tens of microseconds of Python under one GIL. Handed
to a waitress worker thread, each request costs two thread switches (loop -> worker -> loop), and
those cost more CPU than the read itself. Measured with wrk -t2 -c50 on two cores (real v3.0
build, 4-building ``GET /building``): bare waitress on fixed bytes took 182-202 µs of CPU per
request on threads and 90-92 µs inline; the mock 274-280 µs and 130-136 µs, 3,950 req/s against
7,500 (``bench/bench_mock_lists.py`` prints both).

A request answered inline holds every other connection until its answer is written to the
connection's buffer, so only requests whose cost the mock bounds go inline (``reads_inline``):
``GET`` and ``HEAD`` under ``/api/``, with no body, while no ``--latency`` fault and no stub with
``delay_ms`` is set. Writes and uploads (bodies to read and validate), the admin API, the console
and downloads stay on the worker threads, and so does everything the proxy serves (upstream calls
wait on the network). Under the GIL a long read would hold the other requests anyway; inline it
holds them until it is done instead of in 5 ms slices. A read can still be long (a list built
again after a reset, an IFC import its job reaches as the read catches up): after an inline
answer that took more than ``SLOW_SECONDS``, reads go to the worker threads for ``COOL_OFF_SECONDS``,
so such work holds the loop once, not for every read that follows.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger("madaster.mock")

SLOW_SECONDS = 0.05
COOL_OFF_SECONDS = 2.0
Quick = Callable[[Any], bool]
"""Whether a parsed request (waitress's ``HTTPRequestParser``) may be answered inline."""


class InlineDispatcher:
    """waitress's task dispatcher, split: quick requests wait in ``pending`` for the event loop
    (``MockServer.serve`` calls ``run_pending`` after each poll), the rest go to ``threads``.

    waitress hands a connection (its channel) over with its oldest request first, and hands it
    again only when that one is answered, so one connection's requests stay in order whichever
    side answers each."""

    def __init__(self, threads: Any, quick: Quick) -> None:
        self.threads = threads
        self.quick = quick
        self.pending: deque[Any] = deque()  # appended by the loop and by workers; popped by the loop
        self.cool_off = COOL_OFF_SECONDS
        self.threads_until = 0.0
        """``time.monotonic()`` until which reads go to the threads (after a slow inline answer)."""

    def add_task(self, channel: Any) -> None:
        requests = getattr(channel, "requests", None)
        if requests and self.quick(requests[0]) and time.monotonic() >= self.threads_until:
            self.pending.append(channel)
        else:
            self.threads.add_task(channel)

    def run_pending(self) -> None:
        """Answer the waiting quick requests, in the calling (event-loop) thread."""
        pending = self.pending
        while pending:
            channel = pending.popleft()
            started = time.monotonic()
            try:
                channel.service()
            except BaseException:  # as waitress's worker threads do: log it, keep serving
                log.exception("madaster-contracts mock: error while answering %r", channel)
            finished = time.monotonic()
            if finished - started > SLOW_SECONDS:
                self.threads_until = finished + self.cool_off

    def set_thread_count(self, count: int) -> None:
        self.threads.set_thread_count(count)

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        if cancel_pending:
            while self.pending:
                self.pending.popleft().cancel()
        return bool(self.threads.shutdown(cancel_pending=cancel_pending, timeout=timeout))


def reads_under_api(request: Any) -> bool:
    """A bodyless ``GET`` or ``HEAD`` under ``/api/`` (also the benchmark's rule for bare waitress)."""
    return (
        request.command in ("GET", "HEAD")
        and not request.error
        and not request.content_length
        and not request.chunked
        and request.path.startswith("/api/")
    )


def reads_inline(app: Any, faults: Any = None) -> Quick | None:
    """The rule for the mock ``app`` (from ``create_app``): its reads under ``/api/``, unless a
    delayed stub would make them wait; None (every request on a thread) under a latency fault
    (``faults``, a ``FaultInjector``), which makes every read wait."""
    stubs = app.extensions["mockserver"]["stubs"]
    if getattr(faults, "latency_ms", 0):
        return None

    def quick(request: Any) -> bool:
        return reads_under_api(request) and not (stubs and stubs.any_delayed)

    return quick
