"""Bound what slow and idle clients can hold, so normal requests keep being served.

Waitress closes a connection only after ``channel_timeout`` seconds *without any byte*, and stops
accepting new connections at ``connection_limit``; it has no per-request read timeout. A client
that opens many connections and sends nothing (or one byte now and then) could so hold every slot
for minutes. The guard runs in the server's event loop (``MockServer.serve`` calls ``sweep``) and
closes, from waitress's own thread, connections that are waiting on their client:

- headers not complete ``HEADER_TIMEOUT`` s after the request began, a body not complete
  ``BODY_TIMEOUT`` s after it, whatever trickles in (a slow-loris client);
- under pressure (``PRESSURE`` of the limit open), the longest-idle connections that have no
  request in progress, down to ``RELIEF`` of the limit, with one log line per episode. A client
  whose keep-alive connection is closed so simply opens a new one; a connection that sends
  nothing cannot keep a slot.

Connections whose request is being answered are never touched.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 60.0
IDLE_GRACE = 0.25  # under pressure, a connection idle for less than this is left alone
PRESSURE = 0.9
RELIEF = 0.5
SWEEP_INTERVAL = 0.25

log = logging.getLogger("madaster.mock")


class ConnectionGuard:
    def __init__(
        self,
        connection_limit: int,
        *,
        header_timeout: float | None = None,
        body_timeout: float | None = None,
    ) -> None:
        self.limit = connection_limit
        self.header_timeout = HEADER_TIMEOUT if header_timeout is None else header_timeout
        self.body_timeout = BODY_TIMEOUT if body_timeout is None else body_timeout
        self._began: dict[int, tuple[Any, float]] = {}  # id(request parser) -> (parser, first seen)
        self._next = 0.0
        self._under_pressure = False
        self.closed = 0

    def sweep(self, dispatchers: Mapping[int, Any], now: float | None = None) -> int:
        """Close what the rules above say (at most every SWEEP_INTERVAL); returns how many were closed.

        ``dispatchers`` is waitress's socket map; only its client connections are looked at."""
        now = time.time() if now is None else now  # waitress stamps last_activity with time.time()
        if now < self._next:
            return 0
        self._next = now + SWEEP_INTERVAL
        connections = [c for c in list(dispatchers.values()) if _is_connection(c)]
        waiting = [c for c in connections if _waiting_on_client(c)]
        closed = self._slow_requests(waiting, now) + self._relieve(waiting, len(connections), now)
        self.closed += closed
        return closed

    def _slow_requests(self, waiting: list[Any], now: float) -> int:
        seen: dict[int, tuple[Any, float]] = {}
        closed = 0
        for channel in waiting:
            request = channel.request
            if request is None or channel.will_close:
                continue
            began = self._began.get(id(request), (request, now))[1]
            seen[id(request)] = (request, began)
            limit = self.body_timeout if request.headers_finished else self.header_timeout
            if now - began > limit:
                channel.will_close = True
                closed += 1
        self._began = seen
        return closed

    def _relieve(self, waiting: list[Any], total: int, now: float) -> int:
        if total < self.limit * PRESSURE:
            if self._under_pressure:
                log.warning("madaster-contracts mock: connections back to %d of %d", total, self.limit)
            self._under_pressure = False
            return 0
        idle_before = now - IDLE_GRACE
        idle = sorted(
            (c for c in waiting if not c.will_close and c.last_activity < idle_before),
            key=lambda c: c.last_activity,
        )
        excess = max(total - int(self.limit * RELIEF), 0)
        for channel in idle[:excess]:
            channel.will_close = True
        if not self._under_pressure:
            log.warning(
                "madaster-contracts mock: %d connections open, connection limit %d "
                "(--connection-limit): closing %d idle ones",
                total,
                self.limit,
                min(excess, len(idle)),
            )
        self._under_pressure = True
        return min(excess, len(idle))


def _is_connection(dispatcher: Any) -> bool:
    """A client connection (waitress's HTTPChannel), not the listening socket or the trigger."""
    return hasattr(dispatcher, "requests") and hasattr(dispatcher, "last_activity")


def _waiting_on_client(channel: Any) -> bool:
    """A connection with no request being answered and nothing left to send."""
    return not channel.requests and not getattr(channel, "total_outbufs_len", 0)
