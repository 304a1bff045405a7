"""The fence of a write run: a write is sent only when everything it names is the run's own.

``OwnershipGate`` is a WSGI layer every request of a run passes (schemathesis's phases, the
workflows, cleanup), just before the key is put in and the request leaves. Reads pass freely
(and the ids they show are noted as foreign). A write (``POST``, ``PUT``, ``PATCH``,
``DELETE``, actions) is sent only when

- every entity its path names (each path parameter but keys such as ``{fileName}``) is in the
  ledger,
- every parent its body names (``folderId``, ``databaseId``, ...) is in the ledger, or the
  account itself,
- the entity its body names by ``id`` is the run's own (an update) or not one the account
  showed (a create).

Anything else is answered here, not sent: a 409 marked with ``NOT_SENT_HEADER``, which the
engine counts as "not exercised" instead of judging it. What a let-through write's 2xx answer
creates enters the ledger; what a let-through DELETE removes leaves it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from contracts.platform.ownership import ownership_rules
from contracts.request_target import wire_target
from contracts.runner.ledger import API_PREFIX, Ledger, PathTemplates, canonical_path

NOT_SENT_HEADER = "X-Madaster-Contracts-Not-Sent"
"""On the stand-in answer to a write the gate refused: the reason, and the request was not sent."""
NOT_EXERCISED = "not exercised (would touch an entity this run did not create)"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass
class OwnershipGate:
    """Send a write only when it touches the run's own entities; keep the ledger."""

    app: WsgiApp
    templates: PathTemplates
    ledger: Ledger = field(default_factory=Ledger)
    name_prefix: str | None = None
    """On a real account the ``name`` (and ``externalId``) of valid bodies carry this prefix."""
    refused: list[tuple[str, str]] = field(default_factory=list)
    """(``METHOD /path``, reason) of each write not sent."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = canonical_path(wire_target(environ))
        if method in SAFE_METHODS:
            status, body = self._send(environ, start_response)
            if 200 <= status < 300:
                for entity_id in answer_ids(body):
                    self.ledger.saw(entity_id)
                if _is_account_read(path):
                    self.ledger.accounts.update(answer_ids(body)[:1])
            return [body]
        reason = self.refusal(method, path, _read_json(environ))
        if reason is not None:
            self.refused.append((f"{method} {path}", reason))
            return not_sent(start_response, reason)
        status, body = self._send(environ, start_response)
        if 200 <= status < 300:
            self._note_write(method, path, body)
        return [body]

    def refusal(self, method: str, path: str, body: Any) -> str | None:
        """Why this write may not be sent, or None when everything it names is the run's own."""
        rules = ownership_rules()
        found = self.templates.match(path, method) or self.templates.match(path)
        if found is None:
            return "no path of the spec fits it, so what it names is unknown"
        template, values = found
        for name, value in values.items():
            if name in rules.path_keys or self.ledger.owns(value):
                continue
            if method == "DELETE" and value in self.ledger.gone:
                continue  # the run's own, deleted already: the answer can only be 404 (or 401)
            return f"its path names {name}={value}, which this run did not create"
        items = body if isinstance(body, list) else [body]
        for item in items:
            if not isinstance(item, dict):
                continue
            for name in rules.parent_fields:
                value = item.get(name)
                if value in (None, "") or self.ledger.owns(value) or self.is_account(value):
                    continue
                return f"its body places it under {name}={value}, which this run did not create"
            own = item.get(rules.self_field)
            if own in (None, "") or self.ledger.owns(own):
                continue
            if method in ("PUT", "PATCH") and not template.names:
                return f"its body names {rules.self_field}={own}, which this run did not create"
            if str(own) in self.ledger.foreign:
                return f"its body names {rules.self_field}={own}, an entity the account already has"
        return None

    def is_account(self, value: Any) -> bool:
        text = str(value)
        return text in self.ledger.accounts or text in ownership_rules().account_aliases

    def _note_write(self, method: str, path: str, body: bytes) -> None:
        if method == "DELETE":
            self.ledger.forget(path.rstrip("/"))
            return
        ids = answer_ids(body)
        if not ids:
            return
        entity_id = ids[0]
        if self.ledger.owns(entity_id):
            return
        self.ledger.add(entity_id, self.templates.entity_path(path, entity_id), f"{method} {path}")

    def _send(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> tuple[int, bytes]:
        captured: dict[str, int] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = b"".join(self.app(environ, capture))
        return captured.get("status", 500), body


def not_sent_reason(response: Any) -> str | None:
    """The gate's reason when ``response`` is the stand-in of a write it did not send."""
    headers = getattr(response, "headers", None) or {}
    for key, value in headers.items():
        if key.lower() == NOT_SENT_HEADER.lower():
            return value[0] if isinstance(value, list) else str(value)
    return None


def not_sent(start_response: Callable[..., Any], reason: str) -> list[bytes]:
    """The stand-in answer of a refused write (never seen by the target)."""
    problem = {"title": "Not sent", "status": 409, "detail": f"{NOT_EXERCISED}: {reason}"}
    header = "".join(c if " " <= c <= "~" else "?" for c in reason)[:300]  # ids may hold anything
    start_response("409 Conflict", [("Content-Type", "application/problem+json"), (NOT_SENT_HEADER, header)])
    return [json.dumps(problem).encode("utf-8")]


def answer_ids(body: bytes) -> list[str]:
    """The ``id`` of an answer's entity, or of each entity of a listed answer (first the entity's).

    An answer that is a bare JSON string is an id too: ``POST /commodity/{id}/version`` answers
    the new version's id alone.
    """
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return []
    if isinstance(data, str):
        return [data] if data and len(data) <= 200 and not any(c.isspace() for c in data) else []
    if isinstance(data, dict):
        for key in ("items", "results", "value", "data"):
            if isinstance(data.get(key), list) and "id" not in data:
                data = data[key]
                break
    entries = data if isinstance(data, list) else [data]
    ids = []
    for entry in entries:
        value = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            ids.append(str(value))
    return ids


def _is_account_read(path: str) -> bool:
    match = API_PREFIX.match(path)
    return match is not None and match.group(2).rstrip("/") == ownership_rules().account_path


def _read_json(environ: dict[str, Any]) -> Any:
    """The JSON body of the request (left readable for the next layer), or None."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(raw)
    if "json" not in (environ.get("CONTENT_TYPE") or ""):
        return None
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None


def prefix_names(data: dict[str, Any], prefix: str) -> None:
    """Put the run prefix in front of a body's ``name`` and ``externalId`` (a null name becomes it).

    Every entity a run creates on a real account can then be recognised, and an ``externalId``
    the account already uses is never sent (a create by external id could answer that entity).
    Applied by ``owned_cases`` to bodies generated valid only: prefixing an invalid name (one
    shorter than its minimum) would make it valid and the case's verdict wrong.
    """
    for key in ("name", "externalId"):
        if key not in data:
            continue
        value = data[key]
        if value is None and key == "name":
            data[key] = prefix.rstrip("-")
        elif isinstance(value, str) and not value.startswith(prefix):
            data[key] = prefix + value
