"""Local ``$ref`` look-ups in a raw OpenAPI document: shared ground for the runner, the mock and
the platform data (``contracts.platform``), so it imports none of them.

Schemathesis resolves references for the requests it builds; the runner also reads the
raw document itself (entity fields, request body fields, spec defects), as do the platform's
leniencies and the mock, and all need the same small resolver. Only local references (``#/...``) are followed, and
only a bounded number of hops, so a reference cycle cannot hang a run.
"""

from __future__ import annotations

from typing import Any

import jsonpointer

MAX_HOPS = 10


def resolve(root: dict[str, Any], node: Any) -> dict[str, Any] | None:
    """The object *node* stands for after following its local ``$ref``s; None if unresolvable."""
    hops = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or hops >= MAX_HOPS:
            return None
        target: Any = root
        for token in ref[2:].split("/"):
            target = target.get(unescape_token(token)) if isinstance(target, dict) else None
        node = target
        hops += 1
    return node if isinstance(node, dict) else None


def resolve_or_empty(root: dict[str, Any], node: Any) -> dict[str, Any]:
    """Like ``resolve``, with an empty object for anything unresolvable (for read-only look-ups)."""
    return resolve(root, node) or {}


def escape_token(key: str) -> str:
    """A key as a JSON pointer token (``~`` and ``/`` escaped, RFC 6901, by ``jsonpointer``)."""
    return jsonpointer.escape(key)


def unescape_token(token: str) -> str:
    """The key a JSON pointer token names (``jsonpointer``)."""
    return jsonpointer.unescape(token)
