"""Read-back after a create or an update: did the server keep what was sent?

Every field of the request body must come back from the entity's GET with the value sent,
except fields the server owns: those the read schema marks ``readOnly``, those it does not
declare at all (write-only input), and those ``contracts.platform.server_owned`` lists. A
listing of the collection must contain the created entity.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

from contracts.refs import resolve_or_empty

MAX_DEPTH = 6


def schema_properties(raw: dict[str, Any], schema: Any, depth: int = 0) -> dict[str, dict[str, Any]]:
    """Declared properties of ``schema`` (through ``$ref``, ``allOf``/``oneOf``/``anyOf``), resolved."""
    schema = resolve_or_empty(raw, schema)
    found = {name: resolve_or_empty(raw, sub) for name, sub in (schema.get("properties") or {}).items()}
    if depth < MAX_DEPTH:
        for key in ("allOf", "oneOf", "anyOf"):
            for branch in schema.get(key) or []:
                for name, sub in schema_properties(raw, branch, depth + 1).items():
                    found.setdefault(name, sub)
    return found


def select_branch(raw: dict[str, Any], schema: Any, got: Any) -> dict[str, Any]:
    """The ``oneOf``/``anyOf`` branch the read-back is an instance of (by discriminator, else by fields).

    A commodity sent with Product fields but read back as a Material is compared with the
    Material schema: the server keeps what the variant it stored declares.
    """
    schema = resolve_or_empty(raw, schema)
    branches = schema.get("oneOf") or schema.get("anyOf")
    if not branches or not isinstance(got, dict):
        return schema
    for candidate in [schema, *(resolve_or_empty(raw, b) for b in branches)]:
        discriminator = candidate.get("discriminator") or {}
        name, mapping = discriminator.get("propertyName"), discriminator.get("mapping") or {}
        if name and str(got.get(name)) in mapping:
            return resolve_or_empty(raw, {"$ref": mapping[str(got.get(name))]})
    return resolve_or_empty(raw, max(branches, key=lambda b: len(set(schema_properties(raw, b)) & set(got))))


def read_schema(raw: dict[str, Any], operation_definition: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of the operation's 200 (else first 2xx) response."""
    responses = {str(code): value for code, value in (operation_definition.get("responses") or {}).items()}
    for code in ["200", *sorted(c for c in responses if c.startswith("2"))]:
        response = resolve_or_empty(raw, responses.get(code) or {})
        for media_type, media in (response.get("content") or {}).items():
            if "json" in media_type:
                return resolve_or_empty(raw, (media or {}).get("schema") or {})
    return {}


def missing_fields(
    raw: dict[str, Any], sent: Any, got: Any, schema: dict[str, Any], owned: frozenset[str]
) -> list[str]:
    """One line per sent field the read-back lost or changed (empty when everything came back)."""
    problems: list[str] = []
    _compare(raw, sent, got, schema, owned, "", problems, 0)
    return problems


def _compare(
    raw: dict[str, Any],
    sent: Any,
    got: Any,
    schema: dict[str, Any],
    owned: frozenset[str],
    where: str,
    problems: list[str],
    depth: int,
) -> None:
    if isinstance(sent, dict):
        if not isinstance(got, dict):
            problems.append(f"{where or 'the body'}: sent an object, read back {_show(got)}")
            return
        declared = schema_properties(raw, select_branch(raw, schema, got))
        for name, value in sent.items():
            sub = declared.get(name)
            if (declared and sub is None) or name in owned or (sub or {}).get("readOnly"):
                continue  # not part of what the server returns, or the server's to set
            path = f"{where}.{name}" if where else name
            if name not in got:
                if value is not None:  # a null sent and left out of the answer is the same null
                    problems.append(f"{path}: sent {_show(value)}, missing in the read-back")
            elif depth < MAX_DEPTH:
                _compare(raw, value, got[name], sub or {}, frozenset(), path, problems, depth + 1)
        return
    if isinstance(sent, list):
        if not isinstance(got, list) or len(got) != len(sent):
            problems.append(f"{where}: sent {_show(sent)}, read back {_show(got)}")
            return
        items = resolve_or_empty(raw, schema.get("items") or {})
        for index, (one, other) in enumerate(zip(sent, got, strict=True)):
            _compare(raw, one, other, items, frozenset(), f"{where}[{index}]", problems, depth + 1)
        return
    if not same_value(sent, got, schema.get("format")):
        problems.append(f"{where}: sent {_show(sent)}, read back {_show(got)}")


def same_value(sent: Any, got: Any, fmt: str | None = None) -> bool:
    """Equal as JSON values; numbers by value, date-times as instants (the platform may reformat them)."""
    if isinstance(sent, bool) or isinstance(got, bool):
        return sent is got
    if isinstance(sent, int | float) and isinstance(got, int | float):
        return math.isclose(float(sent), float(got), rel_tol=1e-9, abs_tol=1e-12)
    if fmt == "date-time" and isinstance(sent, str) and isinstance(got, str):
        return _instant(sent) == _instant(got) if _instant(sent) and _instant(got) else sent == got
    return sent == got


def _instant(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=None)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def listed(body: bytes, entity_id: str) -> bool | None:
    """Whether a listing holds the entity; None when the body is no list of entities."""
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return None
    if isinstance(data, dict):  # a page: the first list of objects it carries
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        return None
    return any(isinstance(item, dict) and str(item.get("id")) == entity_id for item in data)
