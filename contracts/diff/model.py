"""The diff's result types: levels, rules, findings and the report other commands consume.

Plain classes and named tuples rather than dataclasses: importing ``dataclasses`` (and with it
``inspect``) is a noticeable part of a whole ``diff`` call.
"""

from __future__ import annotations

from collections import Counter
from enum import IntEnum

from contracts.records import record


class Level(IntEnum):
    """How much a change hurts an existing client; ordered so ``>=`` means "at least as bad"."""

    INFO = 0
    WARNING = 1
    BREAKING = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    def __str__(self) -> str:  # "breaking", not "2", in f-strings and messages
        return self.label

    def __format__(self, spec: str) -> str:
        return format(self.label, spec)

    @classmethod
    def parse(cls, text: str) -> Level:
        """``"breaking"`` -> ``Level.BREAKING``; KeyError for anything else."""
        return cls[text.strip().upper()]


@record
class Rule:
    """One catalogue entry: a stable id, its level and a one-line description."""

    id: str
    level: Level
    description: str
    group: str = ""


class Change:
    """One finding: a rule applied at one place of one operation.

    ``operation`` is ``"METHOD /path"`` as written in the newer spec (the older one for removals);
    it is ``""`` for changes that affect the whole API (for example a security scheme).
    """

    __slots__ = ("id", "level", "operation", "location", "message", "media_types", "ignored_reason")

    def __init__(
        self,
        id: str,  # the rule id, as in every output format
        level: Level,
        operation: str,
        location: str,
        message: str,
        media_types: list[str] | None = None,
        ignored_reason: str | None = None,
    ) -> None:
        self.id = id
        self.level = level
        self.operation = operation
        self.location = location
        self.message = message
        self.media_types = media_types if media_types is not None else []
        self.ignored_reason = ignored_reason

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Change) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it was

    def __repr__(self) -> str:
        return f"Change{self._fields()!r}"

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    @property
    def ignored(self) -> bool:
        return self.ignored_reason is not None

    def key(self) -> tuple[str, str, str, str]:
        """Identity used to merge the same change seen under several media types."""
        return (self.id, self.operation, self.location, self.message)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "level": self.level.label,
            "operation": self.operation,
            "location": self.location,
            "message": self.message,
        }
        if self.media_types:
            data["media_types"] = list(self.media_types)
        if self.ignored_reason is not None:
            data["ignored"] = True
            data["reason"] = self.ignored_reason
        return data


class DiffReport:
    """All findings between two specs; ``old``/``new`` label the compared sides."""

    def __init__(
        self, changes: list[Change], old: str = "old", new: str = "new", across: bool = False
    ) -> None:
        self.changes = changes
        self.old = old
        self.new = new
        self.across = across

    def __repr__(self) -> str:
        return f"DiffReport({self.old!r} -> {self.new!r}, {len(self.changes)} changes)"

    @property
    def active(self) -> list[Change]:
        """Findings not accepted by an ignore file."""
        return [c for c in self.changes if not c.ignored]

    def highest_level(self) -> Level | None:
        levels = [c.level for c in self.active]
        return max(levels) if levels else None

    def has_at_least(self, level: Level) -> bool:
        return any(c.level >= level for c in self.active)

    def summary(self) -> dict[str, int]:
        """Counts per level (ignored findings counted apart) and the number of operations touched."""
        counts = Counter(c.level.label for c in self.active)
        return {
            "breaking": counts.get("breaking", 0),
            "warning": counts.get("warning", 0),
            "info": counts.get("info", 0),
            "ignored": sum(1 for c in self.changes if c.ignored),
            "operations": len({c.operation for c in self.active if c.operation}),
        }

    def summary_line(self) -> str:
        s = self.summary()
        text = f"{s['breaking']} breaking, {s['warning']} warning, {s['info']} info"
        if s["ignored"]:
            text += f", {s['ignored']} ignored"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "old": self.old,
            "new": self.new,
            "changes": [c.to_dict() for c in self.changes],
            "summary": self.summary(),
        }
