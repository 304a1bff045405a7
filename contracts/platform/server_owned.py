"""Fields the platform owns: a read-back need not echo what a client sent in them.

The spec marks some of them ``readOnly``; the rest are listed per version and resource in
``data/server_owned_fields.yaml`` (the knowledge of the platform, kept as data).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml


@cache
def _table() -> dict[str, dict[str, tuple[str, ...]]]:
    text = resources.files("contracts.platform").joinpath("data/server_owned_fields.yaml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    return {
        str(version): {str(path): tuple(str(name) for name in names or ()) for path, names in entry.items()}
        for version, entry in data.items()
    }


def server_owned_fields(version: str, resource: str | None = None) -> frozenset[str]:
    """Names the platform sets itself for ``resource`` (a path after ``/api/vX.Y``) in ``version``."""
    entry = _table().get(version, {})
    names = set(entry.get("*", ()))
    if resource is not None:
        names |= set(entry.get(resource, ()))
    return frozenset(names)
