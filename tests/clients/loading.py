"""What every generated Python client needs before it is driven: its package imported from the
session's temporary folder (one helper for the generators in ``generated.py`` and ``generated_oag.py``)."""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path


def import_generated(folder: Path) -> types.ModuleType:
    """Import the generated package in ``folder``; its parent goes on ``sys.path`` once."""
    if str(folder.parent) not in sys.path:
        sys.path.insert(0, str(folder.parent))
    return importlib.import_module(folder.name)
