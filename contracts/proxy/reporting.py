"""What the proxy tells: one console line per exchange with problems, a JSONL log, a summary.

Every text goes through ``scrub`` with the exchange's secrets, so a key never reaches the
terminal or the log, even when a server echoes it. The log keeps the *names* of the parameters,
headers and body properties an exchange carried (not their values): enough for
``diff --usage`` to tell which changes touch this client.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from contracts.diff.usage import json_property_paths
from contracts.errors import ContractsError
from contracts.proxy.exchange import Exchange
from contracts.proxy.redaction import redact_raw_query, scrub, scrub_data

SHOWN_PER_LINE = 3


def console_line(exchange: Exchange) -> str | None:
    """``✗ POST /api/v3.0/building -> 201 [POST /api/v3.0/building]: 2 violations: ...``, or None."""
    if not exchange.violations and exchange.forwarded:
        return None
    operation = exchange.operation or "no operation"
    head = f"{exchange.method} {exchange.path} -> {exchange.status} [{operation}]"
    if exchange.violations:
        shown = "; ".join(str(v) for v in exchange.violations[:SHOWN_PER_LINE])
        more = len(exchange.violations) - SHOWN_PER_LINE
        tail = f" (+{more} more)" if more > 0 else ""
        count = len(exchange.violations)
        text = f"✗ {head}: {count} violation{'s' if count != 1 else ''}: {shown}{tail}"
    else:
        text = f"! {head}: answered by the proxy ({'; '.join(exchange.unchecked) or 'not forwarded'})"
    return scrub(text, exchange.secrets)


def log_record(exchange: Exchange) -> dict[str, Any]:
    """The JSONL record of one exchange: verdict, violations, and the names the traffic used."""
    record = {
        "time": exchange.started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "method": exchange.method,
        "path": exchange.path,
        "query": redact_raw_query(exchange.raw_target.partition("?")[2]),
        "operation": exchange.operation,
        "version": exchange.version,
        "status": exchange.status,
        "ms": round(exchange.elapsed_ms, 3),
        "forwarded": exchange.forwarded,
        "verdict": exchange.verdict,
        "violations": [v.as_dict() for v in exchange.violations],
        "unchecked": exchange.unchecked,
        "leniencies": exchange.leniencies,
        "request": {
            "headers": sorted({name.lower() for name, _ in exchange.request_headers}),
            "query": sorted({name for name, _ in exchange.query}),
            "content_type": exchange.request_type,
            "bytes": exchange.request_size,
            "properties": json_property_paths(exchange.request_body, exchange.request_type),
        },
        "response": {
            "content_type": exchange.response_type,
            "bytes": exchange.response_size,
            "properties": json_property_paths(exchange.response_body, exchange.response_type),
        },
    }
    return scrub_data(record, exchange.secrets)


class Reporter:
    """Counts exchanges and violations by operation; prints problem lines; writes the JSONL log."""

    def __init__(self, console: TextIO, log_path: Path | None = None) -> None:
        self.console = console
        self.exchanges = 0
        self.with_violations = 0
        self.violations: Counter[str] = Counter()
        self.by_operation: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._log: TextIO | None = None
        if log_path is not None:
            try:
                self._log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
            except OSError as exc:
                raise ContractsError(f"--log {log_path}: cannot write: {exc.strerror or exc}") from None

    def __call__(self, exchange: Exchange) -> None:
        line = console_line(exchange)
        record = log_record(exchange) if self._log is not None else None
        with self._lock:
            self.exchanges += 1
            if exchange.violations:
                self.with_violations += 1
                self.violations[exchange.operation or f"{exchange.method} {exchange.path}"] += len(
                    exchange.violations
                )
            self.by_operation[exchange.operation or "(outside the contract)"] += 1
            if line is not None:
                print(line, file=self.console, flush=True)
            if self._log is not None and record is not None:
                self._log.write(json.dumps(record, ensure_ascii=False) + "\n")
                self._log.flush()

    def summary(self) -> str:
        with self._lock:
            total = sum(self.violations.values())
            lines = [
                f"{self.exchanges} exchange{'s' if self.exchanges != 1 else ''}, "
                f"{self.with_violations} with violations, {total} violation{'s' if total != 1 else ''} in all"
            ]
            for operation, count in self.violations.most_common():
                lines.append(f"  {count:>5}  {operation}")
            return "\n".join(lines)

    def close(self) -> None:
        with self._lock:
            if self._log is not None:
                self._log.close()
                self._log = None
