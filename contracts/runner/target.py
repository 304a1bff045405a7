"""Where a run sends its requests: the embedded mock (in-process) or a base URL with a key."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from werkzeug.test import Client

from contracts.errors import ContractsError, TargetConfigurationError
from contracts.runner.gate import OwnershipGate
from contracts.runner.ledger import PathTemplates
from contracts.runner.specs import SpecUnderTest
from contracts.runner.transport import (
    KEY_HEADER,
    KEY_PLACEHOLDER,
    HttpForwarder,
    KeyInjector,
    RequestLog,
    RetryPolicy,
    TargetUnreachable,
    WriteGuard,
    WsgiApp,
)
from contracts.runner.wsgi_transport import mark

SCOPED_PLACEHOLDER = "$MADASTER_SCOPED_KEY"
"""Sent instead of the scoped key (``--scoped-key``); ``ScopedKeyInjector`` swaps it."""
OFFLINE_BASE_URL = "$MADASTER_BASE_URL"
"""How curl reproductions of an offline run address the mock (``madaster-contracts mock`` prints its URL)."""


@dataclass
class Target:
    """The application one spec is tested against, with the layers the run needs."""

    description: str
    display_base_url: str
    app: WsgiApp
    offline: bool
    writes_allowed: bool
    guard: WriteGuard | None = None
    gate: OwnershipGate | None = None
    """The ownership fence and ledger of a write run (``gate``); None when the run is read-only."""
    forwarder: HttpForwarder | None = None
    log: RequestLog | None = None
    unknown_key: str = field(default_factory=lambda: "madaster-contracts-unknown-" + secrets.token_hex(8))
    read_only: bool = False
    """A read-only key is known (``--read-only-key``, or the embedded mock's own): sent as ``READ_ONLY_PLACEHOLDER``."""
    scoped: bool = False
    """A scoped key is known (``--scoped-key``, or the embedded mock's own): sent as ``SCOPED_PLACEHOLDER``."""
    scope: tuple[str, str] | None = None
    """The entity the scoped key was made on, ``(list path, id)``, when known (the embedded mock's)."""

    @property
    def blocked_writes(self) -> list[str]:
        return self.guard.blocked if self.guard else []

    @property
    def connection_lost(self) -> str | None:
        return self.forwarder.lost if self.forwarder else None


def build_target(
    spec: SpecUnderTest,
    *,
    base_url: str | None,
    api_key: str | None,
    allow_writes: bool,
    timeout: float = 10.0,
    seed: int = 0,
    doc: dict[str, Any] | None = None,
    run_prefix: str = "mc-",
    read_only_key: str | None = None,
    scoped_key: str | None = None,
) -> Target:
    """The embedded mock for this spec when there is no base URL; else the remote API.

    ``doc`` is the document the run tests against (spec defects repaired); the embedded mock
    serves the same one, so a defect of the snapshot is not reported as a defect of the mock.
    """
    forwarder = None
    if base_url is None:
        from mockserver import create_app
        from mockserver.auth.tokens import Token

        key = "madaster-contracts-" + secrets.token_hex(12)
        read_only_key = "madaster-contracts-read-" + secrets.token_hex(12)
        tokens = [
            Token(key=key, name="contract run", permission="write"),
            Token(key=read_only_key, name="contract run (read only)", permission="read"),
        ]
        inner = create_mock(create_app, spec, doc, tokens, seed)
        scoped_key = "madaster-contracts-scoped-" + secrets.token_hex(12)
        scope = grant_scoped_token(inner, spec.version, key, scoped_key)
        description, display, writes = describe_target(None), OFFLINE_BASE_URL, True
    else:
        if not api_key:
            raise ContractsError(
                "an API key is required for a remote target: pass --api-key or set MADASTER_API_KEY"
            )
        key, scope = api_key, None
        forwarder = HttpForwarder(base_url, RetryPolicy(timeout=timeout))
        inner = forwarder
        description, display, writes = describe_target(base_url), base_url.rstrip("/"), allow_writes
    if scoped_key:
        inner = ScopedKeyInjector(inner, scoped_key)
    log = RequestLog(KeyInjector(inner, key, read_only_key))
    app: WsgiApp = log
    gate = guard = None
    if writes:
        templates = PathTemplates(doc if doc is not None else spec.doc)
        gate = OwnershipGate(app, templates, name_prefix=None if base_url is None else run_prefix)
        app = gate
    else:
        guard = WriteGuard(app)
        app = guard
    mark(app)  # schemathesis reaches the chain through the lean transport (``wsgi_transport``)
    return Target(
        description,
        display,
        app,
        base_url is None,
        writes,
        guard,
        gate,
        forwarder,
        log=log,
        read_only=bool(read_only_key),
        scoped=bool(scoped_key) and (base_url is not None or scope is not None),
        scope=scope,
    )


def describe_target(base_url: str | None) -> str:
    """How the console and the reports name the target: the embedded mock, or the base URL."""
    return "embedded mock (in-process)" if base_url is None else base_url.rstrip("/")


_VALIDATED: OrderedDict[int, dict[str, Any]] = OrderedDict()
"""Documents a mock was built on in this process, by id (held, so an id is never reused): the
next mock on the same document skips its OpenAPI validation (a ``--jobs`` worker builds many).
The newest ``VALIDATED_KEPT`` are kept, so a process that builds mocks of many documents (a test
session) does not hold them all."""
VALIDATED_KEPT = 8


def create_mock(
    create_app: Any, spec: SpecUnderTest, doc: dict[str, Any] | None, tokens: list[Any], seed: int
) -> Any:
    """The mock for the repaired document; the snapshot as published if the mock cannot serve that."""
    from contracts.spec_loader import CheckedSpec

    problem: Exception | None = None
    for candidate in ([doc] if doc is not None and doc is not spec.doc else []) + [spec.doc]:
        try:
            known = spec.checked or _VALIDATED.get(id(candidate)) is candidate
            served = CheckedSpec(candidate, spec.source) if known else candidate
            app = create_app([served], tokens=tokens, seed=seed, admin=False)
            _VALIDATED[id(candidate)] = candidate
            _VALIDATED.move_to_end(id(candidate))
            while len(_VALIDATED) > VALIDATED_KEPT:
                _VALIDATED.popitem(last=False)
            return app
        except ContractsError:
            raise
        except Exception as exc:  # a mock defect must not end in a traceback
            problem = exc
    raise ContractsError(
        f"the embedded mock cannot serve {spec.label} ({spec.source}): {type(problem).__name__}: {problem}"
    )


class ScopedKeyInjector:
    """Put the scoped key in where a request carries ``SCOPED_PLACEHOLDER`` (the other keys are ``KeyInjector``'s)."""

    def __init__(self, app: WsgiApp, key: str) -> None:
        self.app = app
        self._key = key

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("HTTP_X_API_KEY") == SCOPED_PLACEHOLDER:
            environ["HTTP_X_API_KEY"] = self._key
        return self.app(environ, start_response)


def grant_scoped_token(app: Any, version: str, key: str, scoped_key: str) -> tuple[str, str] | None:
    """Give the embedded mock a read token scoped to an entity its fixtures hold; that entity.

    The entity is one of the first scoped list (``contracts.platform.scopes``) that holds another
    listed entity but not every one, so a list leaking beyond the scope has something to show;
    else the first entity listed. None when the version lists nothing a token can be made on.
    """
    from contracts.platform.scopes import parent_links, scope_rules, shared_ids, within
    from mockserver.app import grant_token
    from mockserver.auth.tokens import Token

    client = Client(app)
    lists: dict[str, list[dict[str, Any]]] = {}
    for path in scope_rules().scoped_lists:
        response = client.get(f"/api/{version}{path}", headers={KEY_HEADER: key})
        data = response.get_json(silent=True) if response.status_code == 200 else None
        lists[path] = (
            [e for e in data if isinstance(e, dict) and e.get("id")] if isinstance(data, list) else []
        )
    links = parent_links(lists)
    members = [
        (p, str(e["id"])) for p, es in lists.items() for e in es if str(e["id"]) not in shared_ids(version)
    ]
    if not members:
        return None
    holders = [
        m
        for m in members
        if any(o != m and within(o, m, links) for o in members)
        and not all(within(o, m, links) for o in members)
    ]
    scope = (holders or members)[0]
    kind = scope[0].strip("/").split("/")[0]
    grant_token(
        app,
        Token(key=scoped_key, name="contract run (scoped)", permission="read", scope=f"{kind}:{scope[1]}"),
    )
    return scope


def first_call_path(doc: dict[str, Any]) -> str | None:
    """A GET operation without parameters, to check the target and the key before testing."""
    for path, item in (doc.get("paths") or {}).items():
        operation = (item or {}).get("get") if isinstance(item, dict) else None
        if not isinstance(operation, dict) or "{" in path:
            continue
        params = [*(item.get("parameters") or []), *(operation.get("parameters") or [])]
        if not any(isinstance(p, dict) and p.get("required") for p in params):
            return path
    return None


def preflight(target: Target, spec: SpecUnderTest) -> None:
    """Stop with one clear message when the host is unreachable or rejects the key on the first call."""
    path = first_call_path(spec.doc)
    if path is None:
        return
    client = Client(target.app)
    try:
        response = client.get(path, headers={KEY_HEADER: KEY_PLACEHOLDER, "Accept": "application/json"})
    except TargetUnreachable as exc:
        raise TargetConfigurationError(f"cannot reach {target.description}: {exc}") from None
    if response.status_code == 401:
        raise TargetConfigurationError(
            f"{target.description} rejected the API key (401 on GET {path}); "
            "check --api-key / MADASTER_API_KEY: no tests were run"
        )
