"""A lookup by key answers exactly that key: never a partial match, never another entity.

The lookups are the GET operations whose last path parameter is a key of the entity's own
(``contracts/platform/data/scopes.yaml``: ``GET /folder/external/{externalId}``,
``GET /commodity/{databaseId}/external/{externalId}``, ...). ``lookup_exact`` catches:

- on every answer of every phase: a 200 whose key field (``externalId``) is not the value asked;
- for an entity the run created (the workflows) or, in every run, one its list shows: the
  lookup of its key answers that entity, and the lookup of its key cut short by one character
  answers no entity with another key (a ``StartsWith`` or ``Contains`` match is a finding; a
  404, or an entity whose key is exactly the shorter value, is fine).

Reads only; turned off with ``--skip-check lookup_exact``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import schemathesis

from contracts.platform.scopes import scope_rules
from contracts.runner.active_run import active
from contracts.runner.probes import AnswerFailure

LOOKUP_CHECK = "lookup_exact"


def enabled() -> bool:
    run = active()
    return run is None or run.enabled(LOOKUP_CHECK)


def answered_key(
    operation: Any, path_parameters: dict[str, Any] | None, content: bytes
) -> tuple[str, Any] | None:
    """(the key asked, the key the answer holds) for a lookup's JSON entity answer, else None."""
    key = scope_rules().lookup_key(operation.path)
    if key is None or not path_parameters or key not in path_parameters:
        return None
    try:
        data = json.loads(content or b"null")
    except ValueError:
        return None
    field = scope_rules().lookup_keys[key]
    if not isinstance(data, dict) or field not in data:
        return None
    return unquote(str(path_parameters[key])), data[field]


@schemathesis.check
def lookup_exact(ctx: Any, response: Any, case: Any) -> bool | None:
    """A lookup's 200 holds the key that was asked for."""
    if not enabled() or response.status_code != 200 or case.method.upper() != "GET":
        return None
    found = answered_key(case.operation, case.path_parameters, response.content or b"")
    if found is not None and found[1] != found[0]:
        raise AnswerFailure(
            operation=case.operation.label,
            title="Lookup answered another key",
            message=f"asked for {found[0]!r}, answered the entity whose key is {found[1]!r}",
        )
    return None


def lookup_templates(flow: Any, collection: str) -> list[str]:
    """The lookups of ``collection`` (``/folder`` -> ``/folder/external/{externalId}``), after the base."""
    paths = (flow.schema.raw_schema.get("paths") or {}) if hasattr(flow.schema, "raw_schema") else {}
    found = []
    for path, item in paths.items():
        inside = path[len(flow.base) :] if path.startswith(flow.base) else None
        if inside is None or not inside.startswith(collection + "/") or "get" not in (item or {}):
            continue
        if scope_rules().lookup_key(inside) is not None and flow.operation("get", inside) is not None:
            found.append(inside)
    return found
