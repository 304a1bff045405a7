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

CONFIG_OPTION = "--config"

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
    return _build(only)[0]


def _build(only: str | None = None) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The parser and the sub-command parsers whose module was imported, by name."""
    parser = argparse.ArgumentParser(
        prog="madaster-contracts",
        formatter_class=HelpFormatter,
        description="Contract tests, an offline mock server and breaking-change detection for the Madaster API.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        CONFIG_OPTION,
        metavar="FILE",
        help="read the options from FILE (TOML; default: ./madaster-contracts.toml or the "
        "[tool.madaster-contracts] table of pyproject.toml, looked for upwards); '' reads none",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    built: dict[str, argparse.ArgumentParser] = {}
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(
            name, help=help_text, description=help_text, formatter_class=HelpFormatter
        )
        if only is not None and name != only:
            continue
        module = importlib.import_module(module_name)
        module.add_arguments(command_parser)
        add_verbosity(command_parser)
        command_parser.set_defaults(_run=module.run, verbosity=0)
        built[name] = command_parser
    return parser, built


def add_verbosity(parser: argparse.ArgumentParser, *, nested: bool = False) -> None:
    """``-q``/``-v`` (one ``verbosity`` of -1, 0 or 1); ``nested`` for a sub-command's own actions,
    which must not overwrite the value given before them."""
    group = parser.add_mutually_exclusive_group()
    default = argparse.SUPPRESS if nested else None
    group.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=-1,
        default=default,
        help="print less: only problems and the result",
    )
    group.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=1,
        default=default,
        help="print more: also the config file read",
    )


def _command_named(argv: Sequence[str]) -> str:
    """The sub-command the arguments name ("" for none): the first one not starting with "-"
    (and not the value of ``--config``)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == CONFIG_OPTION:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return ""


def _config_named(argv: Sequence[str], command: str) -> str | None:
    """The ``--config`` value given before the sub-command, if any ("" turns the file off)."""
    for index, arg in enumerate(argv):
        if arg == command:
            return None
        if arg == CONFIG_OPTION and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(CONFIG_OPTION + "="):
            return arg.split("=", 1)[1]
    return None


def _configure(
    argv: Sequence[str], command: str, parsers: dict[str, argparse.ArgumentParser]
) -> tuple[object, dict[str, int]]:
    """Read the config file that applies and make it the sub-command's defaults.

    Returns (config or None, list lengths for ``config.finish``)."""
    from contracts import config as configuration

    if command not in configuration.SECTIONS or command not in parsers:
        return None, {}
    named = _config_named(argv, command)
    if named == "":
        return None, {}
    path = named if named is not None else configuration.discover()
    if path is None:
        return None, {}
    config = configuration.load(path)
    lists, elsewhere = configuration.apply(config, command, parsers[command])
    if elsewhere:  # only then are the other sub-commands imported
        others = {name: _build(name)[1][name] for name in configuration.SECTIONS if name != command}
        configuration.check_shared(config, elsewhere, others)
    return config, lists


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """The command line over the config file's values; a bad config file is a ContractsError."""
    argv = list(argv)
    command = _command_named(argv)
    parser, parsers = _build(only=command)
    config, lists = _configure(argv, command, parsers)
    args = parser.parse_args(argv)
    args.config_file = None if config is None else config.path
    if config is not None:
        from contracts.config import finish

        finish(args, lists)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parse_arguments(argv)
    except ContractsError as exc:
        print(f"madaster-contracts {_command_named(argv)}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.config_file is not None and args.verbosity > 0:
        print(f"config: {args.config_file}", file=sys.stderr)
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
