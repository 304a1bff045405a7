"""The config file: the options of ``test``, ``mock``, ``diff`` and ``proxy`` written down once.

Read from ``madaster-contracts.toml`` or the ``[tool.madaster-contracts]`` table of
``pyproject.toml`` (the first directory from the current one upwards holding either), or from
``--config FILE``. Keys are the sub-commands' long options without the dashes
(``max-examples``, ``no-admin``); top-level keys are shared by every sub-command that has the
option, a ``[test]``/``[mock]``/``[diff]``/``[proxy]`` section wins over them, and the command
line wins over both. The keys are taken from the argparse parsers themselves, so every option
is a key and no list has to be kept in step.

A plain ``diff`` counts its start-up in milliseconds: without a config file this module imports
nothing more than ``os`` (no ``tomllib``, ``pathlib``, ``typing`` or ``dataclasses``).
"""

from __future__ import annotations

import argparse
import os

from contracts.errors import ContractsError

TYPE_CHECKING = False
if TYPE_CHECKING:  # not imported at run time: ``diff`` starts without typing and pathlib
    from typing import Any

FILE_NAME = "madaster-contracts.toml"
PYPROJECT = "pyproject.toml"
TABLE = "madaster-contracts"
SECTIONS = ("test", "mock", "diff", "proxy")
PATH_METAVARS = ("FILE", "DIR")
"""Options whose value is a path: relative values are read from the config file's directory."""


class Config:
    """One config file's settings: the shared keys and each section's."""

    def __init__(self, path: str, where: str) -> None:
        self.path = path
        self.where = where
        """How errors name the table: ``[tool.madaster-contracts]`` or ``madaster-contracts.toml``."""
        self.shared: dict[str, Any] = {}
        self.sections: dict[str, dict[str, Any]] = {}

    def settings_for(self, command: str) -> list[tuple[str, str, Any]]:
        """(key, where, value) for ``command``: the shared keys, then its section's."""
        section = self.sections.get(command, {})
        shared = [(key, self.where, value) for key, value in self.shared.items() if key not in section]
        own = [(key, self.section_name(command), value) for key, value in section.items()]
        return shared + own

    def section_name(self, command: str) -> str:
        return f"[tool.{TABLE}.{command}]" if os.path.basename(self.path) == PYPROJECT else f"[{command}]"


def discover(start: str | None = None) -> str | None:
    """The config file that applies in ``start`` (default: the current directory), or None.

    Upwards from ``start``: a ``madaster-contracts.toml``, or a ``pyproject.toml`` with the
    table; the search stops at the first directory holding a ``.git`` (the project's root).
    """
    directory = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(directory, FILE_NAME)
        if os.path.isfile(candidate):
            return candidate
        pyproject = os.path.join(directory, PYPROJECT)
        if os.path.isfile(pyproject) and _has_table(pyproject):
            return pyproject
        parent = os.path.dirname(directory)
        if os.path.exists(os.path.join(directory, ".git")) or parent == directory:
            return None
        directory = parent


def _has_table(pyproject: str) -> bool:
    try:
        with open(pyproject, encoding="utf-8") as handle:
            return f"[tool.{TABLE}" in handle.read()
    except (OSError, UnicodeDecodeError):
        return False


def load(path: str) -> Config:
    """Read and split a config file; a file that is not TOML or not laid out so is one line."""
    import tomllib

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ContractsError(f"{path}: no such config file") from None
    except OSError as exc:
        raise ContractsError(f"{path}: cannot read the config file: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContractsError(f"{path}: not valid TOML: {exc}") from None
    if os.path.basename(path) == PYPROJECT:
        table = data.get("tool", {}).get(TABLE, {})
        where = f"[tool.{TABLE}]"
    else:
        table, where = data, FILE_NAME
    if not isinstance(table, dict):
        raise ContractsError(f"{path}: {where} must be a table")
    config = Config(path=path, where=where)
    for key, value in table.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                raise ContractsError(
                    f"{path}: {key}: must be a table ([{key}]) of that sub-command's options"
                )
            config.sections[key] = dict(value)
        elif isinstance(value, dict):
            raise ContractsError(f"{path}: [{key}]: unknown section (the sections are {', '.join(SECTIONS)})")
        else:
            config.shared[key] = value
    return config


def options_of(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Key -> action of every long option of ``parser`` (``--max-examples`` -> ``max-examples``)."""
    keys: dict[str, argparse.Action] = {}
    for action in parser._actions:  # argparse keeps no public list of a parser's options
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        for option in action.option_strings:
            if option.startswith("--"):
                keys[option[2:]] = action
    return keys


def check_shared(config: Config, keys: list[str], parsers: dict[str, argparse.ArgumentParser]) -> None:
    """A shared key no sub-command has is a typo: one line naming it (checked only for the keys
    the running sub-command lacks, so a plain run imports no other sub-command)."""
    known = [options_of(parser) for parser in parsers.values()]
    for key in keys:
        if not any(_normal(key) in options for options in known):
            raise ContractsError(
                f"{config.path}: {config.where} {key}: unknown key (not an option of any sub-command)"
            )


def apply(config: Config, command: str, parser: argparse.ArgumentParser) -> tuple[dict[str, int], list[str]]:
    """Make the config's values ``parser``'s defaults. Returns dest -> length of each list set (for
    ``finish`` to tell the config's items from the command line's) and the shared keys
    ``command`` has no option for (for ``check_shared``)."""
    keys = options_of(parser)
    defaults: dict[str, Any] = {}
    lists: dict[str, int] = {}
    elsewhere: list[str] = []
    for key, where, raw in config.settings_for(command):
        action = keys.get(_normal(key))
        if action is None:
            if where == config.where:
                elsewhere.append(key)  # a shared key for another sub-command, or a typo
                continue
            raise ContractsError(f"{config.path}: {where} {key}: unknown key")
        name = f"{config.path}: {where} {key}"
        value = _convert(action, raw, name, os.path.dirname(os.path.abspath(config.path)))
        if value is _UNSET:
            continue
        if isinstance(action, argparse._AppendAction):
            lists[action.dest] = len(value)
        defaults[action.dest] = value
        action.required = False
    parser.set_defaults(**defaults)
    return lists, elsewhere


def finish(args: argparse.Namespace, lists: dict[str, int]) -> None:
    """argparse appends a repeated flag to its default: the command line's items replace the config's."""
    for dest, length in lists.items():
        value = list(getattr(args, dest, None) or [])
        setattr(args, dest, value[length:] if len(value) > length else value)


_UNSET = object()


def _normal(key: str) -> str:
    return key.replace("_", "-")


def _convert(action: argparse.Action, raw: Any, name: str, base: str) -> Any:
    """The value argparse would have made of the flag, or a one-line error naming the key."""
    if isinstance(
        action, argparse._StoreConstAction | argparse._StoreTrueAction | argparse._StoreFalseAction
    ):
        if not isinstance(raw, bool):
            raise ContractsError(f"{name}: expected true or false, got {_shown(raw)}")
        return action.const if raw else _UNSET
    if isinstance(action, argparse._CountAction):
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise ContractsError(f"{name}: expected a count (0, 1, 2, ...), got {_shown(raw)}")
        return raw
    if isinstance(action, argparse._AppendAction):
        items = raw if isinstance(raw, list) else [raw]
        return [_scalar(action, item, f"{name}[{i}]", base) for i, item in enumerate(items)]
    if isinstance(action.nargs, int):
        if not isinstance(raw, list) or len(raw) != action.nargs:
            raise ContractsError(f"{name}: expected a list of {action.nargs} values, got {_shown(raw)}")
        return [_scalar(action, item, f"{name}[{i}]", base) for i, item in enumerate(raw)]
    return _scalar(action, raw, name, base)


def _scalar(action: argparse.Action, raw: Any, name: str, base: str) -> Any:
    kind = action.type
    if kind is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ContractsError(f"{name}: expected an integer, got {_shown(raw)}")
        value: Any = raw
    elif kind is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ContractsError(f"{name}: expected a number, got {_shown(raw)}")
        value = float(raw)
    else:
        if not isinstance(raw, str):
            raise ContractsError(f"{name}: expected a string, got {_shown(raw)}")
        if _is_path(kind) or action.metavar in PATH_METAVARS:
            raw = os.path.join(base, os.path.expanduser(raw))  # an absolute value stays as it is
        try:
            value = kind(raw) if callable(kind) else raw
        except (ValueError, TypeError, argparse.ArgumentTypeError) as exc:
            raise ContractsError(f"{name}: {exc}") from None
    if action.choices is not None and value not in action.choices:
        choices = ", ".join(map(str, action.choices))
        raise ContractsError(f"{name}: {_shown(raw)} is not one of {choices}")
    return value


def _is_path(kind: Any) -> bool:
    """``type=Path`` (told by name: pathlib is imported only by the sub-commands that use it)."""
    return getattr(kind, "__module__", "") == "pathlib" and getattr(kind, "__name__", "") == "Path"


def _shown(raw: Any) -> str:
    text = repr(raw) if not isinstance(raw, bool) else str(raw).lower()
    return text if len(text) <= 60 else text[:57] + "..."
