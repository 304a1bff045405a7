"""The mock's request log: the last requests with their outcome, for ``/__mock/requests`` and the console.

Why it looks like this: logging sits on the hot path of every ``/api/...`` request, so ``add`` only
stores references (the request and response bodies are already in memory as ``bytes``; slicing a
short ``bytes`` object returns the object itself) and all decoding happens when the log is read.
Memory stays bounded twice: at most ``size`` entries, and at most ``body_budget`` bytes of bodies
over all entries (the oldest entries lose their bodies first, keeping their summary).

A body of at least ``SHARE_FROM`` bytes that equals one the log already keeps (the same list
answered again and again: the first 64 KiB of a 700 kB answer each time) is kept once and shared
by every entry that shows it, and counted once in the budget: the budget bounds the bytes the log
really holds. Comparing with the few kept bodies of the same length costs a ``memcmp``; a
400-building list's answers took the log from ~32 MB (its budget, copies of one body) to 64 KiB.
Smaller bodies are kept and counted per entry, as before (the log step stays at 3-6 µs,
``bench/bench_request_log.py``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from contracts.json_depth import too_deep
from mockserver.auth.tokens import Token

LOG_SIZE = 1000
BODY_LIMIT = 64 * 1024
"""Bytes kept of each request and response body."""
BODY_BUDGET = 32 * 1024 * 1024
"""Bytes of bodies kept over the whole log."""
SHARE_FROM = 1024
"""Bodies from this size on are compared with the kept ones of their length, and shared when equal."""
_SHARED_PER_LENGTH = 4
"""Kept bodies of one length compared with a new one (the most recent)."""

_SUMMARY_FIELDS = ("time", "method", "path", "query", "status", "key", "ms")


class LogEntry:
    """One logged request; ``summary()`` for the list, ``detail()`` adds the bodies."""

    __slots__ = (
        *_SUMMARY_FIELDS,
        *("seq", "problems", "leniencies", "content_type", "scope", "stub"),
        *("request", "response", "request_size", "response_size"),
    )

    def __init__(
        self,
        *,
        time: float,
        method: str,
        path: str,
        query: str,
        status: int,
        key: str | None,
        ms: float,
        content_type: str = "",
        request: bytes = b"",
        response: bytes = b"",
        problems: Sequence[Any] | None = None,
        leniencies: Sequence[Any] | None = None,
        scope: str | None = None,
        stub: Any = None,
    ) -> None:
        self.seq = 0
        self.scope = scope  # the scope of the token that made the request (None: no valid key)
        self.time = time
        self.method = method
        self.path = path
        self.query = query
        self.status = status
        self.key = key
        self.ms = ms
        self.content_type = content_type
        self.request_size = len(request)
        self.response_size = len(response)
        self.request: bytes | None = request[:BODY_LIMIT]
        self.response: bytes | None = response[:BODY_LIMIT]
        self.problems = problems
        self.leniencies = leniencies
        self.stub = stub

    @property
    def body_size(self) -> int:
        return len(self.request or b"") + len(self.response or b"")

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"seq": self.seq}
        out.update((name, getattr(self, name)) for name in _SUMMARY_FIELDS)
        if self.problems:  # only when there are some: most entries have none
            out["problems"] = [_as_dict(p) for p in self.problems]
        if self.leniencies:
            out["leniencies"] = [_as_dict(item) for item in self.leniencies]
        if self.stub is not None:  # answered by a runtime stub (mockserver.stubs), not the emulation
            out["stub"] = {"id": self.stub.id, "unchecked": self.stub.unchecked}
        return out

    def detail(self) -> dict[str, Any]:
        out = self.summary()
        out["request"] = _body_view(self.request, self.request_size, self.content_type)
        out["response"] = _body_view(self.response, self.response_size, "")
        return out


class RequestLog:
    """The last ``size`` requests, numbered by ``seq`` so readers can ask for what is new."""

    def __init__(self, size: int = LOG_SIZE, body_budget: int = BODY_BUDGET) -> None:
        self._entries: deque[LogEntry] = deque()
        self._with_bodies: deque[LogEntry] = deque()
        self._size = size
        self._budget = body_budget
        self._body_bytes = 0
        self._held: dict[int, list[Any]] = {}  # id of a shared body -> [the body, entries showing it]
        self._by_length: dict[int, list[bytes]] = {}  # length -> kept bodies to share (SHARE_FROM up)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def body_bytes(self) -> int:
        """Bytes of bodies the log holds (each shared body once)."""
        return self._body_bytes

    def add(self, entry: LogEntry) -> None:
        with self._lock:
            entry.seq = next(self._counter)
            self._entries.append(entry)
            if len(self._entries) > self._size:
                self._drop_bodies(self._entries.popleft())
            if entry.body_size:
                entry.request = self._hold(entry.request)
                entry.response = self._hold(entry.response)
                self._with_bodies.append(entry)
                while self._body_bytes > self._budget and self._with_bodies:
                    self._drop_bodies(self._with_bodies[0])

    def _hold(self, body: bytes | None) -> bytes | None:
        """The body to keep (an equal kept one when there is one), counted once however shared."""
        if not body:
            return body
        size = len(body)
        if size < SHARE_FROM:  # small: kept as it is, counted per entry (no comparing, no sharing)
            self._body_bytes += size
            return body
        same_length = self._by_length.get(size)
        if same_length is None:
            same_length = self._by_length[size] = []
        for kept in same_length:
            if kept == body:
                self._held[id(kept)][1] += 1
                return kept
        same_length.append(body)
        if len(same_length) > _SHARED_PER_LENGTH:
            same_length.pop(0)  # still held by its entries, no longer offered to share
        self._held[id(body)] = [body, 1]
        self._body_bytes += size
        return body

    def _release(self, body: bytes | None) -> None:
        if not body:
            return
        size = len(body)
        if size < SHARE_FROM:
            self._body_bytes -= size
            return
        held = self._held[id(body)]
        held[1] -= 1
        if held[1]:
            return
        del self._held[id(body)]
        self._body_bytes -= size
        same_length = self._by_length.get(size, [])
        if any(kept is body for kept in same_length):
            same_length[:] = [kept for kept in same_length if kept is not body]
            if not same_length:
                del self._by_length[size]

    def _drop_bodies(self, entry: LogEntry) -> None:
        """Forget an entry's bodies (it is the oldest one still holding any, or has none)."""
        if self._with_bodies and self._with_bodies[0] is entry:
            self._with_bodies.popleft()
            self._release(entry.request)
            self._release(entry.response)
            entry.request = entry.response = None

    def entries(
        self, since: int = 0, shown: Callable[[str | None], bool] | None = None
    ) -> list[dict[str, Any]]:
        """Summaries of the entries numbered above ``since``, oldest first; ``shown`` filters by token scope."""
        with self._lock:
            newest_first = itertools.takewhile(lambda e: e.seq > since, reversed(self._entries))
            found = list(newest_first)[::-1] if since else list(self._entries)
        return [entry.summary() for entry in found if shown is None or shown(entry.scope)]

    def matching(self, match: Any, shown: Callable[[str | None], bool] | None = None) -> list[LogEntry]:
        """The entries a ``matching.RequestMatch`` matches, oldest first (the journal's filters);
        ``shown`` filters by token scope."""
        with self._lock:
            found = [entry for entry in self._entries if entry.seq > match.since]
        return [e for e in found if match.matches_entry(e) and (shown is None or shown(e.scope))]

    def find(self, seq: int, shown: Callable[[str | None], bool] | None = None) -> dict[str, Any] | None:
        """One entry with its bodies, or None when it has left the log (or is not ``shown``)."""
        with self._lock:
            entry = next((e for e in reversed(self._entries) if e.seq == seq), None)
        if entry is None or (shown is not None and not shown(entry.scope)):
            return None
        return entry.detail()

    def clear(self) -> None:
        """Forget every entry; numbering goes on, so a reader polling with ``since`` sees only new ones."""
        with self._lock:
            self._entries.clear()
            self._with_bodies.clear()
            self._body_bytes = 0
            self._held, self._by_length = {}, {}


def scope_of_key(key: str | None, tokens: Sequence[Token]) -> str | None:
    """The scope of the token with this key (None for no key or an unknown one)."""
    if not key:
        return None
    return next((token.scope for token in tokens if token.key == key), None)


def mask_key(key: str | None, tokens: Sequence[Token]) -> str | None:
    if not key:
        return None
    for token in tokens:
        if token.key == key:
            return token.masked()
    return "****"


def _as_dict(item: Any) -> Any:
    return item.as_dict() if hasattr(item, "as_dict") else item


def _body_view(body: bytes | None, size: int, content_type: str) -> dict[str, Any] | None:
    """A body as the console shows it: parsed JSON when it is JSON, else text; None once dropped."""
    if body is None:
        return None
    truncated = size > len(body)
    text = body.decode("utf-8", "replace")
    view: dict[str, Any] = {"size": size, "truncated": truncated, "text": text}
    if text and not truncated and ("json" in content_type or text[:1] in "{[") and not too_deep(body):
        with contextlib.suppress(ValueError):
            view["json"] = json.loads(text)
    return view
