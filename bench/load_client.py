"""A small keep-alive HTTP load client, for machines without ``wrk`` (same figures as ``bench_mock.wrk``).

Threads, each with one persistent ``http.client`` connection, send GETs for ``duration`` seconds.
Python's client is itself slow and shares the GIL between its threads, so its req/s are a floor:
compare ratios measured with the same client, never its absolutes with wrk's.
"""

from __future__ import annotations

import http.client
import threading
import time
from urllib.parse import urlsplit


def load(url: str, headers: dict[str, str], duration: float, connections: int) -> dict[str, float]:
    """req/s, p50 and p99 in ms, non-2xx answers and errors of ``connections`` keep-alive clients."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures = [[0, 0] for _ in range(connections)]
    deadline = time.perf_counter() + duration

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", target, headers=headers)
                answer = connection.getresponse()
                answer.read()
            except OSError:
                failures[index][1] += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            latencies[index].append(time.perf_counter() - started)
            if not 200 <= answer.status < 400:
                failures[index][0] += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = sorted(t for per in latencies for t in per)
    if not every:
        return {
            "rps": 0.0,
            "p50": 0.0,
            "p99": 0.0,
            "non2xx": 0.0,
            "errors": float(sum(f[1] for f in failures)),
        }
    return {
        "rps": len(every) / elapsed,
        "p50": every[len(every) // 2] * 1000,
        "p99": every[min(len(every) - 1, int(len(every) * 0.99))] * 1000,
        "non2xx": float(sum(f[0] for f in failures)),
        "errors": float(sum(f[1] for f in failures)),
    }
