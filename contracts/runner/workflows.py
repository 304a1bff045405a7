"""Explicit CRUD workflows (placeholder until implemented)."""

from __future__ import annotations

from typing import Any


def run_workflows(doc: dict[str, Any], target: Any, result: Any, **kwargs: Any) -> None:
    return None
