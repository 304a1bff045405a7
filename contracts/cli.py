"""The ``madaster-contracts`` command: one entry point, one module per sub-command.

Sub-command modules are imported lazily so that ``diff`` or ``snapshot list``
do not pay for importing schemathesis.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from contracts import __version__
from contracts.errors import ContractsError

# name -> (module, one-line help). Each module defines ``add_arguments(parser)`` and ``run(args) -> int``.
COMMANDS: dict[str, tuple[str, str]] = {
    "snapshot": ("contracts.commands.snapshot", "keep per-version snapshots of the OpenAPI spec"),
    "mock": ("mockserver.command", "serve the Madaster API offline from the snapshots"),
    "test": ("contracts.commands.test", "run property-based contract tests against the API or the mock"),
    "diff": ("contracts.commands.diff", "name every change between two specs that breaks a client"),
    "proxy": ("contracts.proxy.command", "validate live traffic against the snapshots, and record it"),
}


class HelpFormatter(argparse.HelpFormatter):
    """argparse's own formatter, with the terminal width read through ``os``: argparse builds one
    per ``add_argument`` and its ``import shutil`` (with zlib, bz2, lzma) is a cost of every call."""

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        if width is None:
            width = terminal_columns() - 2  # as argparse does
        super().__init__(prog, indent_increment, max_help_position, width)


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else the terminal's width, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only``, just that sub-command's module is imported (start-up)."""
    parser = argparse.ArgumentParser(
        prog="madaster-contracts",
        formatter_class=HelpFormatter,
        description="Contract tests, an offline mock server and breaking-change detection for the Madaster API.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(
            name, help=help_text, description=help_text, formatter_class=HelpFormatter
        )
        if only is not None and name != only:
            continue
        module = importlib.import_module(module_name)
        module.add_arguments(command_parser)
        command_parser.set_defaults(_run=module.run)
    return parser


def _command_named(argv: Sequence[str]) -> str:
    """The sub-command the arguments name ("" for none): the first one not starting with "-"."""
    return next((arg for arg in argv if not arg.startswith("-")), "")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=_command_named(argv))
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except ContractsError as exc:
        print(f"madaster-contracts {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 1
    except KeyboardInterrupt:
        print(f"madaster-contracts {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
