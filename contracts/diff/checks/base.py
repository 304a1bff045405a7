"""What every check module shares: the per-diff context and the helpers that build findings."""

from __future__ import annotations

from collections.abc import Iterable

from contracts.diff.model import Change, Level, Rule
from contracts.diff.schema import Schema
from contracts.diff.schema_diff import SchemaChange, diff_schemas, join
from contracts.diff.spec_model import Operation


def rule(rule_id: str, level: Level, description: str) -> Rule:
    """Declare a rule; the group is filled in by contracts.diff.catalogue from the module name."""
    return Rule(rule_id, level, description)


def finding(r: Rule, operation: str, location: str, message: str, media_types: Iterable[str] = ()) -> Change:
    return Change(r.id, r.level, operation, location, message, list(media_types))


class CheckContext:
    """State shared by the checks of one diff: schema diffs are computed once per schema pair."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int, str], list[SchemaChange]] = {}
        self._keep: list[object] = []  # keeps cached objects alive so their ids stay unique
        # ((old document security, names), (new document security, names)), set by the engine.
        self.spec_security: tuple[tuple[frozenset, dict], tuple[frozenset, dict]] = (
            (frozenset(), {}),
            (frozenset(), {}),
        )

    def schema_changes(self, old: Schema | None, new: Schema | None, direction: str) -> list[SchemaChange]:
        if old is None or new is None:
            return []
        key = (id(old), id(new), direction)
        cached = self._cache.get(key)
        if cached is None:
            cached = diff_schemas(old, new, direction)
            self._cache[key] = cached
            self._keep.append((old, new))
        return cached


def located(prefix: str, path: str) -> str:
    """``request`` + ``name.first`` -> ``request.name.first``."""
    return join(prefix, path) if path else prefix


def property_phrase(location: str, root_phrase: str) -> str:
    """How a message names the place: the root ("request body") or a property (`a.b`)."""
    return root_phrase if "." not in location and "[" not in location else f"`{location}`"


def both_media(old: dict, new: dict) -> Iterable[str]:
    """Media types present on both sides, in the newer spec's order."""
    return [m for m in new if m in old]


_WIDER_FORMAT = {("int32", "int64"), ("float", "double")}


def accepts_all(wide: Schema, narrow: Schema) -> bool:
    """True when every value of ``narrow``'s type and format also fits ``wide``'s type and format."""
    if wide.types:
        if not narrow.types:
            return False
        for t in narrow.types:
            if t not in wide.types and not (t == "integer" and "number" in wide.types):
                return False
    if wide.format is None or wide.format == narrow.format:
        return True
    if narrow.types and narrow.types != wide.types:
        return wide.format is None  # integer -> number: only an unformatted number takes every integer
    return (narrow.format, wide.format) in _WIDER_FORMAT


def _is_range(status: str) -> bool:
    return len(status) == 3 and status[0].isdigit() and status[1:] == "XX"


def response_pairs(old: Operation, new: Operation) -> list[tuple[str, str]]:
    """``(old status, new status)`` for responses that describe the same answers, in the new order.

    Equal codes pair; a code the new spec only covers by its range pairs with the range
    (``200`` -> ``2XX``), and a range the new spec splits pairs with each code inside it
    (``2XX`` -> ``200``), so neither reads as a removed response.
    """
    pairs = [(s, s) for s in old.responses if s in new.responses]
    for status in old.responses:
        if status in new.responses:
            continue
        if _is_range(status):
            pairs += [
                (status, n)
                for n in new.responses
                if n not in old.responses and n[:1] == status[0] and n[1:].isdigit()
            ]
        elif f"{status[:1]}XX" in new.responses and f"{status[:1]}XX" not in old.responses:
            pairs.append((status, f"{status[:1]}XX"))
    order = {s: i for i, s in enumerate(new.responses)}
    return sorted(pairs, key=lambda pair: order[pair[1]])
