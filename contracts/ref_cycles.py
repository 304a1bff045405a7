"""``$ref`` chains that come back to themselves with no schema in between (A -> B -> A).

Such a chain stands for nothing: a reader that follows it either loops or makes up an empty
object (the diff read one as "type changed object -> any"). Every loader refuses it with the
same line naming the cycle (contracts.spec_loader, before validation, which would only say
"nested too deeply" after seconds), and the diff's own resolver refuses one it meets in a
document handed to it directly.

Standalone on purpose: the diff imports it at start-up, so it imports neither ``typing`` nor
the runner's resolver.
"""

from __future__ import annotations

from contracts.errors import SpecError

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)
if TYPE_CHECKING:
    from typing import Any

# Keywords that leave a 3.1 ``$ref`` a plain alias: they say something about it, not what it holds.
_ANNOTATIONS = frozenset({"$ref", "description", "summary", "title", "$comment"})


def alias_cycle(doc: dict[str, Any], ref: str) -> list[str] | None:
    """The cycle of aliases reached from ``ref`` (``[A, B, A]``), or None when the chain ends in
    something else (a schema, an unresolvable or external reference: reported elsewhere)."""
    strict = str(doc.get("openapi", "")).startswith("3.1")  # 3.1: a $ref's siblings are schema too
    chain: list[str] = []
    seen: dict[str, int] = {}
    while isinstance(ref, str) and ref.startswith("#"):
        if ref in seen:
            return [*chain[seen[ref] :], ref]
        seen[ref] = len(chain)
        chain.append(ref)
        node = _target(doc, ref)
        if not isinstance(node, dict) or "$ref" not in node:
            return None
        if strict and not node.keys() <= _ANNOTATIONS:
            return None
        ref = node["$ref"]
    return None


def cycle_error(source: str, cycle: list[str]) -> SpecError:
    return SpecError(source, f"$ref cycle with no schema in it: {' -> '.join(cycle)}")


def check_alias_cycles(doc: dict[str, Any], source: str) -> None:
    """SpecError naming the first alias cycle among the components and path items.

    Only the places a reference is written to point at are looked at (a few hundred look-ups on
    the real builds), never the whole document: a walk of a 5 MB spec costs more than its diff.
    """
    starts: list[str] = []
    components = doc.get("components")
    if isinstance(components, dict):
        for section, entries in components.items():
            if isinstance(entries, dict):
                base = f"#/components/{_escape(str(section))}/"
                starts += [base + _escape(str(k)) for k, v in entries.items() if _is_ref(v)]
    paths = doc.get("paths")
    if isinstance(paths, dict):
        starts += [f"#/paths/{_escape(str(k))}" for k, v in paths.items() if _is_ref(v)]
    for start in starts:
        cycle = alias_cycle(doc, start)
        if cycle is not None:
            raise cycle_error(source, cycle)


def _is_ref(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("$ref"), str)


# The one hand-written copy of RFC 6901 escaping, for the diff's start-up: ``jsonpointer`` (used
# everywhere else, through ``contracts.refs``) imports ``copy`` and ``weakref``, about 3 ms of
# every ``diff`` call (``python -X importtime -c "import jsonpointer"``); a plain diff imports
# neither (tests/diff/test_diff_startup.py).
def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    """The key a JSON pointer token names (see the note above ``_escape``)."""
    return token.replace("~1", "/").replace("~0", "~")


def _target(doc: Any, ref: str) -> Any:
    """The node a local ``$ref`` points at, or None (percent-decoding only when there is any)."""
    node = doc
    for part in ref[2:].split("/") if ref.startswith("#/") else []:
        if "%" in part:
            from urllib.parse import unquote

            part = unquote(part)
        part = unescape_token(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
