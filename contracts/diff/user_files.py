"""Files a team writes for the diff (``--ignore``, ``--levels``): read as YAML (JSON is YAML too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from contracts.errors import ContractsError


def read_yaml_file(path: str, what: str) -> Any:
    """The parsed file; a missing, unreadable or broken one is one line naming it (exit 2)."""
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContractsError(f"{path}: no such {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContractsError(f"{path}: cannot read the {what}: {exc}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ContractsError(f"{path}: invalid YAML/JSON{where}: {getattr(exc, 'problem', exc)}") from None
