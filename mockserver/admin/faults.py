"""Fault injection for client-resilience tests: latency, random 503s and a 429 rate limit.

A WSGI middleware around the mock app, so the app itself stays fault-free and the faults behave the
same whatever the route. Choices:
- The rate limit is a token bucket **per API key** (the ``X-API-Key`` header; requests without a key
  share one bucket), like a platform that throttles each client: one noisy client does not starve
  the others. ``N/SECONDS`` means a burst of N requests, refilled at N per SECONDS.
- Random 503s come from one ``random.Random(seed)`` stream: the same seed and the same request order
  give the same failures.
- The admin endpoints (``/__mock/...``) and ``/api/vX.Y/swagger.json`` are never faulted, so tests
  can always reset the mock and tools can always read the spec.
- Order: latency first (it applies to every answer, faulted or not), then the rate limit, then the
  random 503.
"""

from __future__ import annotations

import json
import math
import random
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from contracts.errors import ContractsError

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_EXEMPT_RE = re.compile(r"^(/__mock(/.*)?|/api/v\d+(\.\d+)?/swagger\.json)$")
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*(s|sec|seconds?)?\s*$")
MAX_BUCKETS = 10_000


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` per ``seconds`` (burst ``requests``)."""

    requests: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """``"10/1"`` or ``"100/60s"``; anything else is a ContractsError naming the syntax."""
        match = _RATE_RE.match(text or "")
        if not match:
            raise ContractsError(f"--rate-limit {text!r}: expected N/SECONDS, e.g. 10/1 or 100/60")
        requests, seconds = int(match.group(1)), float(match.group(2))
        if requests < 1 or seconds <= 0:
            raise ContractsError(
                f"--rate-limit {text!r}: expected N/SECONDS with N at least 1 and SECONDS above 0"
            )
        return cls(requests, seconds)

    def __str__(self) -> str:
        return f"{self.requests}/{self.seconds:g}s"


class _TokenBuckets:
    """One token bucket per key; the least recently used buckets are forgotten beyond MAX_BUCKETS."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float]) -> None:
        self.capacity = float(limit.requests)
        self.refill_per_second = limit.requests / limit.seconds
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, stamp)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token: 0.0 if allowed, else the seconds until a token is available."""
        now = self.clock()
        with self._lock:
            tokens, stamp = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.refill_per_second)
            wait = 0.0
            if tokens >= 1.0 - 1e-9:  # float refill of exactly one token may land a hair below 1
                tokens = max(tokens, 1.0)
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.refill_per_second
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
        return wait


def _problem(
    environ: dict[str, Any],
    start_response: Callable[..., Any],
    status: int,
    title: str,
    detail: str,
    extra=(),
) -> list[bytes]:
    body = json.dumps(
        {
            "type": f"https://httpstatuses.io/{status}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": environ.get("PATH_INFO") or "/",
        }
    ).encode()
    headers = [
        ("Content-Type", "application/json; charset=utf-8"),  # as the specs declare for ProblemDetails
        ("Content-Length", str(len(body))),
        *extra,
    ]
    start_response(f"{status} {title}", headers)
    return [body]


class FaultInjector:
    """WSGI middleware adding ``latency_ms``, a random 503 ``error_rate`` and a per-key ``rate_limit``."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        latency_ms: float = 0.0,
        error_rate: float = 0.0,
        rate_limit: RateLimit | None = None,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if latency_ms < 0:
            raise ContractsError(f"--latency {latency_ms:g}: must be 0 or more milliseconds")
        if not 0.0 <= error_rate <= 1.0:
            raise ContractsError(f"--error-rate {error_rate:g}: must be between 0 and 1")
        self.app = app
        self.latency_ms = latency_ms
        self.error_rate = error_rate
        self.rate_limit = rate_limit
        self._sleep = sleep
        self._random = random.Random(seed)
        self._random_lock = threading.Lock()
        self._buckets = _TokenBuckets(rate_limit, clock) if rate_limit else None

    @property
    def active(self) -> bool:
        return bool(self.latency_ms or self.error_rate or self.rate_limit)

    def describe(self) -> str:
        parts = []
        if self.latency_ms:
            parts.append(f"latency {self.latency_ms:g} ms")
        if self.error_rate:
            parts.append(f"error rate {self.error_rate:g} (503)")
        if self.rate_limit:
            parts.append(f"rate limit {self.rate_limit} per API key (429)")
        return ", ".join(parts) or "none"

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if _EXEMPT_RE.match(environ.get("PATH_INFO") or "/"):
            return self.app(environ, start_response)
        if self.latency_ms:
            self._sleep(self.latency_ms / 1000.0)
        if self._buckets is not None:
            wait = self._buckets.take(environ.get("HTTP_X_API_KEY") or "")
            if wait > 0:
                retry_after = max(1, math.ceil(wait))
                return _problem(
                    environ,
                    start_response,
                    429,
                    "Too Many Requests",
                    f"rate limit of {self.rate_limit} per API key exceeded; retry after {retry_after} s",
                    [("Retry-After", str(retry_after))],
                )
        if self.error_rate:
            with self._random_lock:
                failed = self._random.random() < self.error_rate
            if failed:
                return _problem(
                    environ,
                    start_response,
                    503,
                    "Service Unavailable",
                    f"injected fault: the mock fails {self.error_rate:.0%} of requests (--error-rate)",
                    [("Retry-After", "1")],
                )
        return self.app(environ, start_response)
