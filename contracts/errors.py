"""Errors the CLI turns into one clear line on stderr and exit code 2."""

from __future__ import annotations


class ContractsError(Exception):
    """A user-facing problem: bad input, unreachable host, unknown version.

    The CLI prints ``str(error)`` and exits with ``exit_code``; never a traceback.
    """

    exit_code = 2


class SpecError(ContractsError):
    """A spec document that cannot be read or is not valid OpenAPI."""

    def __init__(self, source: str, reason: str, location: str | None = None) -> None:
        self.source = source
        self.reason = reason
        self.location = location
        where = f"{source}: {location}" if location else source
        super().__init__(f"{where}: {reason}")


class TargetConfigurationError(ContractsError):
    """The target cannot be tested at all (unreachable host, rejected key): nothing was run.

    The run says so in one line, without a results table: there are no results.
    """


class NothingSelectedError(ContractsError):
    """``--operation`` filters matched no operation: a typo must not turn CI green."""
