"""``snapshot list --format json``: the store as data, for scripts and CI (no ``python -c`` to find the newest).

The shape is a public interface, described by ``docs/schemas/snapshot-list.schema.json``; a field
is added, never renamed or removed, without a new ``format_version``.
"""

from __future__ import annotations

import json
from typing import Any

FORMAT_VERSION = 1
PROVENANCE = ("kind", "captured_at", "operations", "source", "title", "sha256", "canonical_sha256", "note")


def snapshot_view(snapshot: Any, newest: bool) -> dict[str, Any]:
    """One snapshot: how to name it (``label``), where it is, and its provenance as stored."""
    meta = snapshot.meta
    view: dict[str, Any] = {
        "label": snapshot.label,
        "version": snapshot.version,
        "build": snapshot.build,
        "name": snapshot.name,
        "path": str(snapshot.path),
        "latest": newest,
    }
    view.update({name: meta.get(name) for name in PROVENANCE})
    return view


def listing(store: Any, versions: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"format_version": FORMAT_VERSION, "store": str(store.root), "versions": []}
    for version in versions:
        builds = store.builds(version)
        views = [snapshot_view(s, index == len(builds) - 1) for index, s in enumerate(builds)]
        out["versions"].append({"version": version, "latest": views[-1], "snapshots": views})
    return out


def listing_json(store: Any, versions: list[str]) -> str:
    return json.dumps(listing(store, versions), indent=2, ensure_ascii=False)
