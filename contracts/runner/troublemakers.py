"""Strings servers trip over, in every string parameter's cases: not left to generation luck.

A 500 on a character outside the Basic Multilingual Plane was found on 1 seed of 5 when only
hypothesis's strategies could produce it. So the examples phase of every operation gets, beside
its examples, one case per kind below, with that string in each of the operation's free string
parameters (query, path and the JSON body's top-level properties whose schema has no
``format``, ``pattern`` or ``enum``; fitted to ``minLength``/``maxLength``). Headers are left
alone: HTTP cannot carry these characters there.

The cases carry no generation metadata, so schemathesis judges only the answer itself (no
5xx, declared status, schema): refusing such a string with a 400 is the server's right. A 5xx
is also the ``troublemaker_strings`` finding, which names the kind of string. Writes among
them are placed on the run's own entities like every other write case (``owned_cases``).
"""

from __future__ import annotations

import copy
import threading
from typing import Any

import schemathesis
from schemathesis.core import NotSet
from schemathesis.core.failures import Failure

from contracts.refs import resolve_or_empty
from contracts.runner.active_run import active
from contracts.runner.readback import schema_properties

TROUBLEMAKER_CHECK = "troublemaker_strings"
TROUBLEMAKERS: dict[str, str] = {
    "outside the BMP": "b\U0001f3d7\U0001d11e\U0001f600",
    "NUL": "a\x00b",
    "RTL marks": "\u202eabc\u200f\u200e",
    "combining sequence": "e\u0301\u0327a\u0308",
}
FREE_STRING_EXCLUDES = ("format", "pattern", "enum", "const")

_marked: dict[str, str] = {}
"""Case id -> the kind of troublemaker it carries."""
_lock = threading.Lock()


class TroublemakerFailure(Failure):
    code = "MC610"

    def __init__(self, *, operation: str, message: str) -> None:
        super().__init__(operation=operation, title="Server error on a troublemaker string", message=message)

    @property
    def _unique_key(self) -> str:
        return self.title


def free_string(raw: dict[str, Any], schema: Any) -> dict[str, Any] | None:
    """The schema when any text fits it (a plain ``string``), else None."""
    schema = resolve_or_empty(raw, schema)
    if schema.get("type") != "string" or schema.get("readOnly"):
        return None
    if any(key in schema for key in FREE_STRING_EXCLUDES):
        return None
    return schema


def fit(text: str, schema: dict[str, Any]) -> str | None:
    """``text`` cut to ``maxLength`` and padded to ``minLength``; None if nothing can fit."""
    longest = schema.get("maxLength")
    shortest = int(schema.get("minLength") or 0)
    if isinstance(longest, int):
        if longest < 1:
            return None
        text = text[:longest]
    if len(text) < shortest:
        text += "x" * (shortest - len(text))
    return text


def string_slots(operation: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """(``path``/``query``/``body``, name, schema) of each free string parameter of the operation."""
    raw = operation.schema.raw_schema
    definition = operation.definition.raw if hasattr(operation.definition, "raw") else operation.definition
    path_item = (raw.get("paths") or {}).get(operation.path) or {}
    slots: list[tuple[str, str, dict[str, Any]]] = []
    for parameter in [*(path_item.get("parameters") or []), *(definition.get("parameters") or [])]:
        parameter = resolve_or_empty(raw, parameter)
        schema = free_string(raw, parameter.get("schema") or {})
        if parameter.get("in") in ("path", "query") and schema is not None and parameter.get("name"):
            slots.append((parameter["in"], parameter["name"], schema))
    body = resolve_or_empty(raw, definition.get("requestBody") or {})
    for media_type, media in (body.get("content") or {}).items():
        if "json" not in media_type:
            continue
        for name, sub in schema_properties(raw, (media or {}).get("schema") or {}).items():
            schema = free_string(raw, sub)
            if schema is not None and not _names_an_entity(name):
                slots.append(("body", name, schema))
        break
    return slots


def _names_an_entity(name: str) -> bool:
    """``id``, ``folderId``, ``foldertypeId``: a reference, kept as generated (an ``externalId`` is text)."""
    return name == "id" or (name.endswith("Id") and name != "externalId")


def troublemaker_cases(operation: Any, base: Any) -> list[Any]:
    """One case per kind of troublemaker, built from ``base`` (an example case of the operation)."""
    slots = string_slots(operation)
    if not slots:
        return []
    cases = []
    for kind, text in TROUBLEMAKERS.items():
        path = dict(base.path_parameters or {})
        query = dict(base.query or {})
        body = None if isinstance(base.body, NotSet) else copy.deepcopy(base.body)
        changed = False
        for location, name, schema in slots:
            value = fit(text, schema)
            if value is None:
                continue
            if location == "path":
                path[name] = value
            elif location == "query":
                query[name] = value
            elif isinstance(body, dict):
                body[name] = value
            else:
                continue
            changed = True
        if not changed:
            continue
        kwargs: dict[str, Any] = {
            "path_parameters": path,
            "query": query,
            "headers": dict(base.headers or {}),
        }
        if body is not None and base.media_type:
            kwargs["body"] = body
            kwargs["media_type"] = base.media_type
        case = operation.Case(**kwargs)
        with _lock:
            _marked[case.id] = kind
        cases.append(case)
    return cases


@schemathesis.hook
def before_add_examples(context: Any, examples: list[Any]) -> None:
    run = active()
    operation = getattr(context, "operation", None)
    if run is None or not run.enabled(TROUBLEMAKER_CHECK) or operation is None or not examples:
        return
    examples.extend(troublemaker_cases(operation, examples[0]))


def troublemaker_of(case: Any) -> str | None:
    """The kind of troublemaker string ``case`` carries, if it is one of ours."""
    return _marked.get(getattr(case, "id", ""))


@schemathesis.check
def troublemaker_strings(ctx: Any, response: Any, case: Any) -> bool | None:
    """A case carrying a troublemaker string is answered, refused even, but never with a 5xx."""
    kind = troublemaker_of(case)
    if kind is None or response.status_code < 500:
        return None
    run = active()
    if run is None or not run.enabled(TROUBLEMAKER_CHECK):
        return None
    slots = ", ".join(f"{location} {name}" for location, name, _ in string_slots(case.operation))
    raise TroublemakerFailure(
        operation=case.operation.label,
        message=f"answered {response.status_code} with a string {kind} ({TROUBLEMAKERS[kind]!r}) in: {slots}",
    )
