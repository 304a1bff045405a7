"""Deterministic split of a run's work into N shards, for a CI job matrix.

The units of work of a version are its operations (examples, coverage and fuzzing phases) and
one ``stateful`` unit (schemathesis's stateful phase and the CRUD workflows, which need every
operation of the version). A unit goes to shard ``1 + sha256(version|method|path) mod N``, so
the split depends on nothing but the names: every job of the matrix computes the same one, and
the shards' results together are the results of one whole run.
"""

from __future__ import annotations

import hashlib

STATEFUL_UNIT = "stateful"


def shard_of(version: str, unit: str, total: int) -> int:
    """The shard (1-based) of a unit: ``unit`` is ``METHOD /path`` or ``stateful``."""
    digest = hashlib.sha256(f"{version}|{unit}".encode()).digest()
    return 1 + int.from_bytes(digest[:8], "big") % total


def in_shard(version: str, unit: str, shard: tuple[int, int] | None) -> bool:
    """Whether this run (``shard`` = (K, N), None for a whole run) owns the unit."""
    if shard is None:
        return True
    index, total = shard
    return shard_of(version, unit, total) == index
