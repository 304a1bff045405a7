"""One request/response pair as the proxy saw it: what reporting and recording are made from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from contracts.proxy.contract import Checked, Violation


@dataclass
class Exchange:
    started: datetime
    method: str
    raw_target: str  # path and query exactly as the client sent them
    url: str  # the target's URL for this request
    http_version: str
    request_headers: list[tuple[str, str]]
    query: list[tuple[str, str]]
    request_body: bytes | None  # None: streamed through, not kept
    request_size: int
    request_type: str
    secrets: frozenset[str]
    operation: str | None = None
    version: str | None = None
    checked: bool = False
    status: int = 0
    reason: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes | None = None
    response_size: int = 0
    response_type: str = ""
    elapsed_ms: float = 0.0
    violations: list[Violation] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # parts not validated, and why
    leniencies: list[str] = field(default_factory=list)  # known platform leniencies that applied
    forwarded: bool = True  # False: answered by the proxy (strict mode, target down)

    def add(self, checked: Checked) -> None:
        self.violations += checked.violations
        self.leniencies += checked.leniencies

    @property
    def path(self) -> str:
        return self.raw_target.split("?", 1)[0]

    @property
    def verdict(self) -> str:
        """The short verdict for the response header."""
        if not self.checked:
            return "unchecked"
        text = f"violations={len(self.violations)}" if self.violations else "ok"
        if self.leniencies:
            text += f"; leniencies={len(self.leniencies)}"
        if self.unchecked:
            text += "; unchecked=" + ",".join(sorted({u.split(":", 1)[0] for u in self.unchecked}))
        return text
