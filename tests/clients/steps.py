"""One workflow step = one call of the generated client, with its status and answer model asserted."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from tests.clients.generated import GeneratedApi

T = TypeVar("T")

POLL_TIMEOUT = 15.0
"""Seconds a poll waits: generous, since the machine may be busy; the mock takes well under one."""
POLL_INTERVAL = 0.02


@dataclass
class Session:
    """A generated client bound to a running mock: what the workflows drive."""

    api: GeneratedApi
    client: Any
    base_url: str
    last: Any = None  # the generated Response of the latest call (status, headers, content)

    def has(self, method: str, path: str) -> bool:
        return self.api.has(method, path)

    def call(self, method: str, path: str, expect: int | tuple[int, ...], **arguments: Any) -> Any:
        """Call the generated function for ``METHOD path``; assert the status and the parsed model.

        ``arguments`` are the generated function's own keyword arguments (``building_id=...``,
        ``body=...``). Returns the parsed answer (``None`` for answers without a body).
        """
        response = self.last = self.api.operation(method, path).sync_detailed(client=self.client, **arguments)
        expected = (expect,) if isinstance(expect, int) else expect
        where = f"{method} {path}"
        assert response.status_code in expected, (
            f"{where}: expected {expected}, got {int(response.status_code)}: {response.content[:600]!r}"
            f"\nsent: {arguments!r:.400}"
        )
        if int(response.status_code) < 300:
            models = self.api.response_models(method, path)
            parsed = response.parsed
            if models and response.content:
                assert isinstance(parsed, models), f"{where}: answer {parsed!r:.300} is not one of {models}"
        return response.parsed

    def missing(self, method: str, path: str, **arguments: Any) -> Any:
        """A lookup that must find nothing: 404 with a ProblemDetails (None where the build
        declares no error answer, so the generated client raises on every one)."""
        try:
            response = self.api.operation(method, path).sync_detailed(client=self.client, **arguments)
        except self.api.not_found as exc:
            assert exc.status_code == 404, f"{method} {path}: expected 404, got {exc.status_code}"
            return None
        assert int(response.status_code) == 404, (
            f"{method} {path}: expected 404, got {response.content!r:.300}"
        )
        assert type(response.parsed).__name__ == "ProblemDetails", response.parsed
        assert response.parsed.status == 404
        return response.parsed


def poll(read: Callable[[], T], done: Callable[[T], bool], what: str) -> tuple[T, list[T]]:
    """Read until ``done``, the way a client polls: returns the last value and every value seen."""
    seen: list[T] = []
    deadline = time.monotonic() + POLL_TIMEOUT
    while True:
        value = read()
        seen.append(value)
        if done(value):
            return value, seen
        assert time.monotonic() < deadline, f"{what}: not done after {POLL_TIMEOUT} s; seen {seen[-5:]}"
        time.sleep(POLL_INTERVAL)


def in_order(seen: list[str], lifecycle: list[str]) -> bool:
    """Whether the statuses seen only move forward along the lifecycle (repeats allowed)."""
    positions = [lifecycle.index(s) for s in seen if s in lifecycle]
    return len(positions) == len(seen) and positions == sorted(positions)


def attribute(model: Any, name: str) -> Any:
    """A field of an answer by openapi-python-client's name (``type_``), whichever generator made it."""
    return getattr(model, name) if hasattr(model, name) else getattr(model, name.rstrip("_"))


def keys_of(answer: Any) -> set[str]:
    """The keys of a map answer: a model's additional properties, or the dict itself."""
    return set(answer.additional_properties if hasattr(answer, "additional_properties") else answer)


def value_of(enum_or_text: Any) -> Any:
    """The plain value of a generated enum (``BuildingFileStatuses.MAPPED`` -> ``"Mapped"``)."""
    return getattr(enum_or_text, "value", enum_or_text)
