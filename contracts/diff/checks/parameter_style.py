"""Parameter serialisation: ``style`` and ``explode`` decide what goes on the wire.

A client generated from the old document keeps writing ``ids=3&ids=4`` when the server now
reads ``ids=3,4``. The check compares the effective style (location defaults filled in, so
spelling out a default is no change) by writing a sample value of each kind the parameter's
schema allows, in both styles: a difference for one of those kinds breaks; none is info.
"""

from __future__ import annotations

from collections.abc import Iterator

from contracts.diff.checks.base import CheckContext, finding, rule
from contracts.diff.model import Change, Level
from contracts.diff.schema import Schema
from contracts.diff.spec_model import Operation, Parameter

STYLE_CHANGED = rule(
    "request-parameter-style-changed",
    Level.BREAKING,
    "a parameter's style/explode changed and its values are written differently on the wire",
)
STYLE_CHANGED_SAME_WIRE = rule(
    "request-parameter-style-changed-same-wire",
    Level.INFO,
    "a parameter's style/explode changed, but for the values it takes the wire form is the same",
)

RULES = [STYLE_CHANGED, STYLE_CHANGED_SAME_WIRE]

KINDS = ("primitive", "array", "object")
_ARRAY = ["3", "4"]
_OBJECT = [("R", "1"), ("G", "2")]


def wire_form(style: tuple[str, object], name: str, kind: str) -> str:
    """A sample value of ``kind`` as the OpenAPI style table writes it (5, [3, 4], {R: 1, G: 2})."""
    how, explode = style
    if how == "content":
        return f"<{explode} document>"
    pairs = ",".join(f"{k},{v}" for k, v in _OBJECT)
    if how == "matrix":
        return {
            "primitive": f";{name}=5",
            "array": "".join(f";{name}={v}" for v in _ARRAY) if explode else f";{name}=3,4",
            "object": "".join(f";{k}={v}" for k, v in _OBJECT) if explode else f";{name}={pairs}",
        }[kind]
    if how == "label":
        return {
            "primitive": ".5",
            "array": ".3.4" if explode else ".3,4",
            "object": "".join(f".{k}={v}" for k, v in _OBJECT) if explode else f".{pairs}",
        }[kind]
    if how == "simple":
        return {
            "primitive": "5",
            "array": "3,4",
            "object": ",".join(f"{k}={v}" for k, v in _OBJECT) if explode else pairs,
        }[kind]
    delimiter = {"spaceDelimited": "%20", "pipeDelimited": "|"}.get(how)
    if delimiter and not explode and kind != "primitive":
        flat = _ARRAY if kind == "array" else [x for pair in _OBJECT for x in pair]
        return f"{name}={delimiter.join(flat)}"
    if how == "deepObject" and kind == "object":
        return "&".join(f"{name}[{k}]={v}" for k, v in _OBJECT)
    if how not in ("form", "spaceDelimited", "pipeDelimited", "deepObject"):
        return f"<{how} {explode}>"  # a style OpenAPI does not define: compared by name
    return {  # form, and the delimited styles where they fall back to it
        "primitive": f"{name}=5",
        "array": "&".join(f"{name}={v}" for v in _ARRAY) if explode else f"{name}=3,4",
        "object": "&".join(f"{k}={v}" for k, v in _OBJECT) if explode else f"{name}={pairs}",
    }[kind]


def value_kinds(schema: Schema | None) -> list[str]:
    """Which kinds of value a parameter's schema allows (all three when it does not say)."""
    if schema is None or not schema.types:
        return list(KINDS)
    kinds = {"array" if t == "array" else "object" if t == "object" else "primitive" for t in schema.types}
    return [k for k in KINDS if k in kinds]


def _style_text(style: tuple[str, object]) -> str:
    how, explode = style
    return f"content {explode}" if how == "content" else f"{how}, explode {str(explode).lower()}"


def check_operation(old: Operation, new: Operation, ctx: CheckContext) -> Iterator[Change]:
    for key, after in new.parameters.items():
        before = old.parameters.get(key)
        if before is None or before.style == after.style:
            continue
        yield _finding(before, after, new.title)


def _finding(before: Parameter, after: Parameter, op: str) -> Change:
    kinds = dict.fromkeys(value_kinds(before.schema) + value_kinds(after.schema))
    what = f"{after.location} parameter `{after.name}` style {_style_text(before.style)} -> {_style_text(after.style)}"
    for kind in kinds:
        was, now = wire_form(before.style, after.name, kind), wire_form(after.style, after.name, kind)
        if was != now:
            return finding(STYLE_CHANGED, op, after.label, f"{what}: {kind} values `{was}` -> `{now}`")
    return finding(STYLE_CHANGED_SAME_WIRE, op, after.label, f"{what} (same wire form for its values)")
