"""Madaster checks, run by schemathesis next to its built-in ones.

``madaster_auth``: per operation, once: the same request without a key and with an
unknown key must both get 401. ``madaster_auth_body``: a 401/403 body carries no
entity data (only RFC 7807 problem fields).

The checks are registered with schemathesis once, globally; the run they belong to
is set with ``activate`` (one run at a time per process).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import schemathesis
from schemathesis.core.failures import Failure

from contracts.refs import resolve_or_empty

# the session points the checks at its run with ``checks.activate(checks.ActiveRun(...))``
from contracts.runner.active_run import ActiveRun as ActiveRun
from contracts.runner.active_run import activate as activate
from contracts.runner.active_run import active
from contracts.runner.gate import not_sent_reason
from contracts.runner.transport import KEY_HEADER

PROBLEM_FIELDS = frozenset({"type", "title", "status", "detail", "instance", "traceId", "errors", "message"})
AUTH_ERROR_STATUSES = (401, 403)


class AuthProbeFailure(Failure):
    """An auth probe got something else than 401; ``scenario`` says which key was sent."""

    code = "MC401"
    kind_title = "Authentication not enforced"

    def __init__(
        self, *, operation: str, scenario: str, status: int, body: bytes, message: str, probe_id: str | None
    ) -> None:
        super().__init__(operation=operation, title=self.kind_title, message=message)
        self.scenario = scenario
        self.status = status
        self.body = body
        self.probe_id = probe_id

    @property
    def _unique_key(self) -> str:
        return f"{self.title}|{self.scenario}"


class EntityDataInAuthError(Failure):
    code = "MC402"
    kind_title = "Entity data in an authentication error"

    def __init__(
        self,
        *,
        operation: str,
        message: str,
        status: int,
        body: bytes,
        scenario: str | None,
        probe_id: str | None = None,
    ) -> None:
        super().__init__(operation=operation, title=self.kind_title, message=message)
        self.status = status
        self.body = body
        self.scenario = scenario
        self.probe_id = probe_id

    @property
    def _unique_key(self) -> str:
        return self.title


def _declares_security(operation: Any) -> bool:
    definition = operation.definition.raw if hasattr(operation.definition, "raw") else operation.definition
    security = definition.get("security") if isinstance(definition, dict) else None
    if security is None:
        security = operation.schema.raw_schema.get("security")
    return bool(security) and all(requirement for requirement in security)


@schemathesis.check
def madaster_auth(ctx: Any, response: Any, case: Any) -> bool | None:
    """No key -> 401 and unknown key -> 401, checked once per operation on a request the server accepted."""
    run = active()
    if (
        run is None
        or not run.enabled("madaster_auth")
        or case.method.upper() != case.operation.method.upper()
    ):
        return None  # unexpected-method probes of the coverage phase say nothing about this operation's auth
    if not 200 <= response.status_code < 300 or not _declares_security(case.operation):
        return None
    label = case.operation.label
    with run.lock:
        if label in run.probed:
            return None
        run.probed.add(label)
    transport = case.operation.schema.transport
    app = case.operation.app
    for scenario, headers in (("no key", None), ("unknown key", {KEY_HEADER: run.unknown_key})):
        probe = case.operation.Case(
            method=case.method,
            path_parameters=case.path_parameters,
            query=case.query,
            headers={k: v for k, v in (case.headers or {}).items() if k.lower() != KEY_HEADER.lower()},
            body=case.body,
            media_type=case.media_type,
        )
        kwargs: dict[str, Any] = {"app": app}
        if headers:
            kwargs["headers"] = headers
        answer = transport.send(probe, **kwargs)
        if not_sent_reason(answer) is not None:
            with run.lock:  # the ownership gate kept the probe back: probe on a later case
                run.probed.discard(label)
            return None
        if answer.status_code != 401:
            raise AuthProbeFailure(
                operation=label,
                scenario=scenario,
                status=answer.status_code,
                body=answer.content or b"",
                message=f"with {scenario} the server answered {answer.status_code}, expected 401",
                probe_id=probe.id,
            )
        _check_auth_body(label, answer.status_code, answer.content, case, scenario, probe.id)
    return None


@schemathesis.check
def madaster_auth_body(ctx: Any, response: Any, case: Any) -> bool | None:
    """401 and 403 bodies carry problem details only, never entity data."""
    run = active()
    if response.status_code in AUTH_ERROR_STATUSES and (run is None or run.enabled("madaster_auth_body")):
        _check_auth_body(case.operation.label, response.status_code, response.content, case, None)
    return None


def _check_auth_body(
    label: str,
    status: int,
    content: bytes | None,
    case: Any,
    scenario: str | None,
    probe_id: str | None = None,
) -> None:
    leaked = entity_data_in(content or b"", _entity_fields(case.operation))
    if leaked:
        sent = f" (sent with {scenario})" if scenario else ""
        raise EntityDataInAuthError(
            operation=label,
            message=f"the {status} body{sent} carries entity data: {leaked}",
            status=status,
            body=content or b"",
            scenario=scenario,
            probe_id=probe_id,
        )


def entity_data_in(content: bytes, entity_fields: set[str]) -> str | None:
    """What in an auth error body looks like entity data, or None."""
    try:
        data = json.loads(content or b"null")
    except ValueError:
        return None
    if isinstance(data, list):
        return "a JSON array" if data else None
    if not isinstance(data, dict):
        return None
    suspicious = sorted(
        key for key in data if key not in PROBLEM_FIELDS and (key in entity_fields or key == "id")
    )
    return "field(s) " + ", ".join(suspicious) if suspicious else None


def _entity_fields(operation: Any) -> set[str]:
    """Property names of the operation's 2xx response schemas (resolved one level).

    Cached on the run's schema object, so the cache lives and dies with the run (a cache keyed
    by ``id`` would serve a later run's document, given the same ``id``, this one's names).
    """
    cache = getattr(operation.schema, "_madaster_entity_fields", None)
    if cache is None:
        cache = {}
        with contextlib.suppress(AttributeError):  # a schema that takes no attributes: no caching
            operation.schema._madaster_entity_fields = cache
    cached = cache.get(operation.label)
    if cached is not None:
        return cached
    raw = operation.schema.raw_schema
    definition = operation.definition.raw if hasattr(operation.definition, "raw") else operation.definition
    names: set[str] = set()
    for status, response in (definition.get("responses") or {}).items():
        if not str(status).startswith("2"):
            continue
        for media in (resolve_or_empty(raw, response).get("content") or {}).values():
            schema = resolve_or_empty(raw, (media or {}).get("schema") or {})
            if schema.get("type") == "array":
                schema = resolve_or_empty(raw, schema.get("items") or {})
            names |= _property_names(raw, schema)
    names -= PROBLEM_FIELDS
    cache[operation.label] = names
    return names


def _property_names(raw: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> set[str]:
    names = set((schema.get("properties") or {}).keys())
    if depth < 3:
        for key in ("allOf", "oneOf", "anyOf"):
            for branch in schema.get(key) or []:
                names |= _property_names(raw, resolve_or_empty(raw, branch), depth + 1)
    return names


# registers the protocol-edge probes, the troublemaker strings, lookup_exact, declared_success_status and response_time
from contracts.runner import lookups, probes, response_checks, troublemakers  # noqa: E402, F401
