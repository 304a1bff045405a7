"""What a contract run was asked to do; built by the CLI or the pytest plugin."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from contracts.errors import ContractsError

DEFAULT_MAX_EXAMPLES = 10
DEFAULT_MAX_RESPONSE_TIME = 5.0
DEFAULT_REQUEST_TIMEOUT = 10.0


@dataclass
class RunOptions:
    versions: list[str] = field(default_factory=list)
    """``v3.0`` (latest snapshot) or a store reference such as ``v3.0@28168``."""
    spec_files: list[Path] = field(default_factory=list)
    base_url: str | None = None
    """None: run against the embedded mock."""
    api_key: str | None = None
    read_only_key: str | None = None
    """A second key with read permission only: writes with it must be refused (``second_key``)."""
    scoped_key: str | None = None
    """A key scoped to one folder, building or database: its lists hold nothing else (``scoped_key``)."""
    allow_writes: bool = False
    operations: list[str] = field(default_factory=list)
    """Regular expressions matched against ``METHOD /path`` labels."""
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int | None = None
    junit: Path | None = None
    reports: list[Path] = field(default_factory=list)
    """Each ``--report FILE``: JSON, HTML or Markdown by its suffix; every one is written."""
    specs_dir: Path | None = None
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    """No answer within this many seconds is a finding on the operation (not retried)."""
    max_response_time: float = DEFAULT_MAX_RESPONSE_TIME
    """An answer slower than this is a finding on the operation."""
    phases: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful")
    workflows: bool = True
    shard: tuple[int, int] | None = None
    """``(K, N)``: only the K-th of N deterministic parts of the work (see ``sharding``)."""
    jobs: int = 1
    """Worker processes the run's units are spread over (``parallel``); 1 runs them in this process."""
    skipped_checks: list[str] = field(default_factory=list)
    """Checks turned off by name (``--skip-check``): schemathesis's and the Madaster ones."""

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
        if not self.request_timeout > 0:
            raise ContractsError("--request-timeout must be a positive number of seconds")
        if not self.max_response_time > 0:
            raise ContractsError("--max-response-time must be a positive number of seconds")
        if self.jobs < 1:
            raise ContractsError(f"--jobs {self.jobs}: must be at least 1 (or auto)")
        if self.shard is not None and not 1 <= self.shard[0] <= self.shard[1]:
            raise ContractsError(f"--shard {self.shard[0]}/{self.shard[1]}: K must be between 1 and N")
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
        unknown = sorted(set(self.skipped_checks) - set(skippable_checks()))
        if unknown:
            import difflib

            near = difflib.get_close_matches(unknown[0], skippable_checks(), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise ContractsError(f"--skip-check {unknown[0]!r} names no check{hint}")
        seen: set[Path] = set()
        for report in [*self.reports, *([self.junit] if self.junit else [])]:
            if report.resolve() in seen:
                raise ContractsError(f"{report}: given twice as a report file")
            seen.add(report.resolve())


def skippable_checks() -> tuple[str, ...]:
    """Every check ``--skip-check`` may name."""
    from contracts.runner.lookups import LOOKUP_CHECK
    from contracts.runner.paging import LIST_COMPLETE_CHECK
    from contracts.runner.probes import PROBE_CHECKS
    from contracts.runner.relatives import RELATIVE_CHECKS
    from contracts.runner.safety import BUILTIN_CHECKS
    from contracts.runner.scoped_key import SCOPED_CHECK
    from contracts.runner.second_key import READ_ONLY_CHECK
    from contracts.runner.troublemakers import TROUBLEMAKER_CHECK

    ours = ("madaster_auth", "madaster_auth_body", "declared_success_status", "response_time")
    return (
        *BUILTIN_CHECKS,
        *ours,
        *PROBE_CHECKS,
        TROUBLEMAKER_CHECK,
        *RELATIVE_CHECKS,
        READ_ONLY_CHECK,
        SCOPED_CHECK,
        LOOKUP_CHECK,
        LIST_COMPLETE_CHECK,
    )


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; a clear error for anything else."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ContractsError(f"--shard {text!r} must be K/N with 1 <= K <= N, e.g. 1/4")
    return int(match.group(1)), int(match.group(2))


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity on this platform
        return max(1, os.cpu_count() or 1)


def parse_jobs(text: str | None, *, offline: bool) -> int:
    """``--jobs``: a whole number >= 1 or ``auto`` (usable cores); by default ``auto`` offline, 1 against an API.

    One worker against a real API by default: more would multiply the load on its account.
    """
    if text is None:
        return usable_cores() if offline else 1
    if text.strip().lower() == "auto":
        return usable_cores()
    if not re.fullmatch(r"\s*\d+\s*", text) or int(text) < 1:
        raise ContractsError(f"--jobs {text!r} must be a whole number of at least 1, or auto")
    return int(text)
