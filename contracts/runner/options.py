"""What a contract run was asked to do; built by the CLI or the pytest plugin."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from contracts.errors import ContractsError

DEFAULT_MAX_EXAMPLES = 10


@dataclass
class RunOptions:
    versions: list[str] = field(default_factory=list)
    """``v3.0`` (latest snapshot) or a store reference such as ``v3.0@28168``."""
    spec_files: list[Path] = field(default_factory=list)
    base_url: str | None = None
    """None: run against the embedded mock."""
    api_key: str | None = None
    allow_writes: bool = False
    operations: list[str] = field(default_factory=list)
    """Regular expressions matched against ``METHOD /path`` labels."""
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    junit: Path | None = None
    report: Path | None = None
    specs_dir: Path | None = None
    request_timeout: float = 10.0
    phases: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful")
    workflows: bool = True

    @property
    def offline(self) -> bool:
        return self.base_url is None

    @property
    def writes_allowed(self) -> bool:
        """The embedded mock is ours to write to; any other target only with --allow-writes."""
        return self.allow_writes or self.offline

    def operation_patterns(self) -> list[re.Pattern[str]]:
        patterns = []
        for text in self.operations:
            try:
                patterns.append(re.compile(text))
            except re.error as exc:
                raise ContractsError(
                    f"--operation {text!r} is not a valid regular expression: {exc}"
                ) from None
        return patterns

    def validate(self) -> None:
        if self.max_examples < 1:
            raise ContractsError("--max-examples must be at least 1")
        if self.seed is not None and self.seed < 0:
            raise ContractsError("--seed must be a non-negative integer")
        if self.base_url is not None:
            if not re.match(r"^https?://[^/\s]+", self.base_url):
                raise ContractsError(
                    f"--base-url {self.base_url!r} must be an http(s) URL such as https://api.madaster.com"
                )
            if not self.api_key:
                raise ContractsError(
                    "an API key is required for a remote target: pass --api-key or set MADASTER_API_KEY"
                )
        self.operation_patterns()
