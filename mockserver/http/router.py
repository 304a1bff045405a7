"""Request path -> operation, from the spec's path templates compiled once at start-up.

Templates are indexed by segment count; among the templates whose literal segments match, the
one with literals furthest to the left owns the path (``/building/external/{externalId}`` beats
``/building/{id}/...``); a method it does not declare gives 405 with ``Allow``. HEAD is answered
by the GET operation (without the body) where the spec declares no HEAD.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mockserver.spec.operations import Operation

_VERSION_RE = re.compile(r"^/api/(v\d+(?:\.\d+)?)(?:/|$)")


@dataclass
class Template:
    segments: list[str | None]  # literal, or None for a parameter
    names: list[str | None]  # parameter name per segment
    methods: dict[str, Operation]
    rank: tuple[bool, ...]


@dataclass
class Match:
    """A routing result: an operation with its path values, or why there is none."""

    operation: Operation | None = None
    path_values: dict[str, str] | None = None
    status: int = 200  # 404 unknown version / path, 405 method
    allow: list[str] | None = None
    version: str | None = None


class Router:
    def __init__(self, operations_by_version: dict[str, list[Operation]]) -> None:
        self.versions = sorted(operations_by_version)
        self._index: dict[str, dict[int, list[Template]]] = {}
        self._literal: dict[str, dict[tuple[str, ...], Template]] = {}
        """Templates without parameters by their exact segments: such a path is routed by one
        lookup (no template with a parameter is more specific than one made of literals only)."""
        for version, operations in operations_by_version.items():
            by_template: dict[str, Template] = {}
            for op in operations:
                template = by_template.get(op.template)
                if template is None:
                    segments = [None if _is_param(s) else s for s in op.segments]
                    names = [s[1:-1] if _is_param(s) else None for s in op.segments]
                    template = Template(segments, names, {}, tuple(s is not None for s in segments))
                    by_template[op.template] = template
                template.methods[op.method] = op
            index: dict[int, list[Template]] = {}
            for template in by_template.values():
                index.setdefault(len(template.segments), []).append(template)
            for group in index.values():
                group.sort(key=lambda t: t.rank, reverse=True)
            self._index[version] = index
            self._literal[version] = {
                tuple(t.segments): t  # type: ignore[misc]
                for t in by_template.values()
                if all(s is not None for s in t.segments)
            }

    def version_of(self, path: str) -> str | None:
        match = _VERSION_RE.match(path)
        return match.group(1) if match else None

    def match(self, method: str, segments: list[str]) -> Match:
        """Route already-split, already-decoded path segments (``["api", "v3.0", "building"]``)."""
        version = segments[1] if len(segments) > 1 and segments[0] == "api" else None
        if version not in self._index:
            return Match(status=404, version=version)
        literal = self._literal[version].get(tuple(segments))
        candidates = (
            [literal]
            if literal is not None
            else [t for t in self._index[version].get(len(segments), ()) if _fits(t, segments)]
        )
        if not candidates:
            return Match(status=404, version=version)
        best = candidates[0]  # the most specific template owns the path, whatever the method
        operation = best.methods.get(method)
        if operation is None and method == "HEAD":
            operation = best.methods.get("GET")  # HEAD is GET without the body (RFC 9110)
        if operation is not None:
            values = {n: segments[i] for i, n in enumerate(best.names) if n is not None}
            return Match(operation=operation, path_values=values, version=version)
        allowed = set(best.methods) | ({"HEAD"} if "GET" in best.methods else set())
        return Match(status=405, allow=sorted(allowed), version=version)

    def templates(self, version: str) -> list[Any]:
        return [t for group in self._index.get(version, {}).values() for t in group]


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _fits(template: Template, segments: list[str]) -> bool:
    for literal, value in zip(template.segments, segments, strict=True):
        if literal is not None:
            if literal != value and literal.lower() != value.lower():
                return False
        elif value == "":
            return False
    return True
