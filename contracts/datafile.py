"""Reading the files a team writes for the suite (tokens, fixtures, diff levels and ignores):
YAML, or JSON for ``.json``.

Every read or parse problem is one error that names the file, for the CLI's one-line exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.errors import ContractsError


def read_document(path: str | Path, kind: str, error: type[ContractsError] = ContractsError) -> Any:
    """The parsed content of ``path`` (a ``kind`` such as "tokens file"), or ``error`` saying why not."""
    import yaml  # here, not at module level: a JSON-only diff starts without it

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: no such {kind}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read {kind}: {exc}") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise error(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', exc)}") from None
