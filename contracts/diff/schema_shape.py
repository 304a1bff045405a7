"""The kind of value each schema keyword the diff reads must hold, and places for messages.

A keyword holding the wrong kind of value (``properties: "zz"``) is a malformed schema, one
SpecError naming the keyword and the place, never a finding or a traceback.
"""

from __future__ import annotations

from contracts.errors import SpecError

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)
if TYPE_CHECKING:
    from typing import Any

_NUMBER = (int, float)
# What each keyword the diff reads must hold; anything else is a malformed schema, not a change.
_SHAPES: dict[str, tuple[tuple[type, ...], str]] = {
    "properties": ((dict,), "a mapping of property names to schemas"),
    "required": ((list,), "a list of property names"),
    "items": ((dict, bool), "a schema"),
    "additionalProperties": ((dict, bool), "a schema or a boolean"),
    "allOf": ((list,), "a list of schemas"),
    "oneOf": ((list,), "a list of schemas"),
    "anyOf": ((list,), "a list of schemas"),
    "type": ((str, list), "a type name or a list of them"),
    "enum": ((list,), "a list of values"),
    "minimum": (_NUMBER, "a number"),
    "maximum": (_NUMBER, "a number"),
    "multipleOf": (_NUMBER, "a number"),
    "minLength": ((int,), "a whole number"),
    "maxLength": ((int,), "a whole number"),
    "minItems": ((int,), "a whole number"),
    "maxItems": ((int,), "a whole number"),
    "minProperties": ((int,), "a whole number"),
    "maxProperties": ((int,), "a whole number"),
    "pattern": ((str,), "a regular expression string"),
}


if TYPE_CHECKING:
    Where = Any
    """A schema's place for messages: a string, or ``(parent place, ".items")`` built only on error."""


def place(where: Where) -> str:
    """The text of a place (iterative: places nest as deep as the schemas)."""
    parts = []
    while isinstance(where, tuple):
        where, part = where
        parts.append(part)
    return str(where) + "".join(reversed(parts))


def check_shape(node: dict[str, Any], source: str, where: Where) -> None:
    """SpecError when a keyword the diff reads holds the wrong kind of value (``properties: "zz"``).

    Members (each property, each ``allOf`` part) are checked as they are built."""
    for key in node.keys() & _SHAPES.keys():
        value = node[key]
        kinds, expected = _SHAPES[key]
        if value is None or (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise SpecError(
                source, f"malformed schema: '{key}' must be {expected}, got {value!r:.60}", place(where)
            )
