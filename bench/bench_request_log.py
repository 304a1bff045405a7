"""What the request log (kept for /__mock/requests and the console) costs a request to /api/...

Usage (from the project root)::

    python bench/bench_request_log.py [--requests 20000] [--rounds 3]

Calls the mock's WSGI pipeline in-process (no sockets, so the log's share is not hidden behind
network time) for a GET list, a GET by id and a POST create, once with the real ``RequestLog``
(summary, problems, request and response bodies up to 64 KiB) and once with a log that keeps
nothing, alternating rounds; prints requests per CPU second side by side and the ratio. As that
ratio drowns in noise on a busy machine, it also times the log's own step (building the entry and
``RequestLog.add`` on a full log) and prints it as a share of the request.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mockserver import create_app  # noqa: E402
from mockserver.http.request_log import LogEntry, RequestLog, mask_key  # noqa: E402

SPEC = ROOT / "specs" / "v3.0" / "baseline.yaml"
KEY = "dev-write"


class NoLog(RequestLog):
    """A log that keeps nothing: the floor the real log is compared with."""

    def add(self, entry: Any) -> None:
        return None


def _environ(method: str, path: str, body: bytes = b"") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "HTTP_X_API_KEY": KEY,
        "CONTENT_TYPE": "application/json" if body else "",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }


def _scenarios(app: Any) -> dict[str, tuple[str, str, bytes]]:
    client = app.test_client()
    headers = {"X-API-Key": KEY}
    building = client.get("/api/v3.0/building", headers=headers).json[0]
    body = {k: v for k, v in building.items() if k != "id"}
    return {
        "GET list": ("GET", "/api/v3.0/building", b""),
        "GET by id": ("GET", f"/api/v3.0/building/{building['id']}", b""),
        "POST create": ("POST", "/api/v3.0/building", json.dumps(body).encode()),
    }


def _rate(pipeline: Any, method: str, path: str, body: bytes, count: int) -> float:
    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        return None

    started = time.thread_time()  # CPU time of this thread: robust on a busy machine
    for _ in range(count):
        pipeline(_environ(method, path, body), start_response)
    return count / (time.thread_time() - started)


def _log_step_seconds(log: RequestLog, tokens: Any, response: bytes, count: int) -> float:
    """CPU seconds of the pipeline's log step for one request (entry + add), on an already full log."""
    started = time.thread_time()
    for _ in range(count):
        log.add(
            LogEntry(
                time=time.time(),
                method="GET",
                path="/api/v3.0/building",
                query="",
                status=200,
                key=mask_key(KEY, tokens),
                ms=0.5,
                content_type="",
                request=b"",
                response=response,
                problems=None,
            )
        )
    return (time.thread_time() - started) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    app = create_app([SPEC])
    pipeline = app.extensions["mockserver"]["pipeline"]
    real_log, no_log = pipeline.log, NoLog()
    print(
        f"{'request':<12} {'with log req/s':>15} {'no log req/s':>13} {'ratio':>6} {'log step':>9} {'share':>6}"
    )
    for name, (method, path, body) in _scenarios(app).items():
        best = {"log": 0.0, "none": 0.0}
        for _ in range(args.rounds):  # alternate, keep the best round of each: the machine is noisy
            for label, log in (("log", real_log), ("none", no_log)):
                pipeline.log = log
                best[label] = max(best[label], _rate(pipeline, method, path, body, args.requests))
        pipeline.log = real_log
        response = b"".join(pipeline(_environ(method, path, body), lambda status, headers: None))
        step = _log_step_seconds(RequestLog(), pipeline.tokens, response, args.requests)
        print(
            f"{name:<12} {best['log']:>15,.0f} {best['none']:>13,.0f} {best['log'] / best['none']:>6.2f}"
            f" {step * 1e6:>7.1f}us {step * best['none']:>6.1%}"
        )


if __name__ == "__main__":
    main()
