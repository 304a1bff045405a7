"""The Flask app factory: ``create_app(specs, tokens=..., store=..., seed=..., admin=..., processing_delay=...)``.

Loads and compiles every spec once (routes, validators, derived state model, lifecycles,
fixtures), then puts the mock pipeline in front of Flask: ``/api/...`` is answered by the
pipeline, Flask serves ``/`` (the index page), ``/downloads/...`` (files behind download URLs)
and ``/__mock/...`` (admin endpoints and the console at ``/__mock/console``, unless
``admin=False``), ``/`` and ``/__mock/...`` behind ``admin_guard`` (local Host, same origin, the
admin key when the tokens define one).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import flask

from contracts.errors import ContractsError
from contracts.spec_loader import CheckedSpec, api_version, build_label, load_spec_file, validate_openapi
from mockserver.admin.endpoints import register_admin
from mockserver.admin.index import register_index
from mockserver.admin.stubs import register_stubs
from mockserver.auth.access import AuthFailure, authenticate
from mockserver.auth.admin_guard import install_admin_guard
from mockserver.auth.tokens import DEFAULT_TOKENS, Token
from mockserver.behaviour.runtime import SpecRuntime
from mockserver.behaviour.scope import reaches
from mockserver.console import console_blueprint
from mockserver.fixtures.seed import seed_fixtures
from mockserver.fixtures.user import Fixtures
from mockserver.http.pipeline import MockPipeline
from mockserver.http.request_log import RequestLog
from mockserver.http.stubs import StubRegistry
from mockserver.platform.attachments import AttachmentHandlers
from mockserver.platform.downloads import Access, register_downloads
from mockserver.platform.jobs import Clock, LiveStore
from mockserver.platform.lifecycle import LifecycleEngine
from mockserver.state.encoded import EncodedStore
from mockserver.state.memory_store import MemoryStore
from mockserver.state.store import StateStore
from mockserver.state.versioned import VersionView, clashing


def create_app(
    specs: Sequence[dict[str, Any] | str | Path | CheckedSpec],
    *,
    tokens: Sequence[Token] | None = None,
    store: StateStore | None = None,
    seed: int = 0,
    admin: bool = True,
    processing_delay: float = 1.0,
    strict: bool = False,
    fixtures: Fixtures | None = None,
    clock: Clock = time.time,
) -> flask.Flask:
    """A Flask app emulating the Madaster API for every given spec, each under ``/api/vX.Y/``.

    ``processing_delay`` is the time in seconds each step of long-running work takes (file
    processing, refinement, activation, passports); 0 finishes it within the request.
    ``strict`` turns the platform's leniencies off (``mockserver.spec.leniency``); ``fixtures`` (from
    ``mockserver.fixtures.user.load_fixtures``) extend or replace the generated fixtures.
    ``clock`` is where jobs read the time (tests pass a clock they move by hand).
    """
    if not specs:
        raise ContractsError("the mock needs at least one spec")
    if (
        not isinstance(processing_delay, int | float)
        or not math.isfinite(processing_delay)
        or processing_delay < 0
    ):
        raise ContractsError(f"processing delay {processing_delay!r}: expected a number of seconds >= 0")
    runtimes: dict[str, SpecRuntime] = {}
    sources: dict[str, str] = {}
    for index, spec in enumerate(specs):
        doc, source = _load(spec, index)
        version = api_version(doc)
        if version is None:
            raise ContractsError(
                f"{source}: cannot tell the API version (no /api/vX.Y/ paths, no info.version)"
            )
        if version in runtimes:
            raise ContractsError(f"{source}: version {version} is already served by {sources[version]}")
        runtimes[version] = SpecRuntime(doc, version, build_label(doc), seed)
        runtimes[version].lenient = not strict
        sources[version] = source
    if fixtures is not None:
        unserved = sorted(set(fixtures.versions) - set(runtimes))
        if unserved:
            raise ContractsError(
                f"{fixtures.source}: {', '.join(unserved)} is not served (served: {', '.join(runtimes)})"
            )
    tokens = tuple(tokens) if tokens is not None else DEFAULT_TOKENS
    store = LiveStore(EncodedStore(store if store is not None else MemoryStore()), clock)
    separate = clashing({version: runtime.model.stateful for version, runtime in runtimes.items()})
    stores: dict[str, Any] = {
        version: VersionView(store, version, separate) if separate else store for version in runtimes
    }
    engines, attached = {}, {}
    for version, runtime in runtimes.items():
        runtime.lifecycle = engines[version] = LifecycleEngine(
            runtime, stores[version], float(processing_delay)
        )
        attached[version] = AttachmentHandlers(runtime)
        engines[version].handlers.update(attached[version].handlers)  # uploads that attach files
    for version, runtime in runtimes.items():
        seed_fixtures(runtime, stores[version], fixtures)

    app = flask.Flask("mockserver")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    log = RequestLog()
    pipeline = MockPipeline(app.wsgi_app, runtimes, tokens, store, log, strict=strict)
    pipeline.stores = stores
    pipeline.stubs = StubRegistry(runtimes, pipeline.router)
    app.extensions["mockserver"] = {
        "runtimes": runtimes,
        "tokens": tokens,
        "store": store,
        "stores": stores,  # each version's view (its own collections where versions clash)
        "log": log,
        "seed": seed,
        "pipeline": pipeline,
        "lifecycles": engines,
        "processing_delay": float(processing_delay),
        "strict": strict,
        "fixtures": fixtures,
        "stubs": pipeline.stubs,
    }
    install_admin_guard(app)
    pipeline.allowed_hosts = app.extensions["mockserver"]["allowed_hosts"]
    register_index(app)
    register_downloads(
        app,
        lambda version, file_id, name: _download(engines, attached, version, file_id, name),
        _download_access(tokens, stores),
    )
    if admin:
        register_admin(app)
        register_stubs(app)
        app.register_blueprint(console_blueprint())
    app.wsgi_app = pipeline  # type: ignore[method-assign]
    return app


def _download(
    engines: dict[str, LifecycleEngine],
    attached: dict[str, AttachmentHandlers],
    version: str,
    file_id: str,
    name: str,
) -> Any:
    engine = engines.get(version)
    if engine is None:
        return f"API version {version} is not served"
    found = attached[version].resolve(engine.store, file_id, name)
    return found if found is not None else engine.resolve_download(file_id)


def _download_access(tokens: Sequence[Token], stores: dict[str, Any]) -> Access:
    """A download without a valid link is an API call: the key (401), then the owner's scope (403)."""

    def key(value: str | None) -> Token | tuple[int, str]:
        try:
            return authenticate(tuple(tokens), value, "GET")
        except AuthFailure as failure:
            return failure.status, failure.detail

    def within(token: Token, version: str, owner: Any) -> str | None:
        if reaches(token, owner, stores[version].parent_of):
            return None
        return f"the API key '{token.name}' is limited to {token.scope}"

    return Access(key, within)


def _load(spec: dict[str, Any] | str | Path | CheckedSpec, index: int) -> tuple[dict[str, Any], str]:
    if isinstance(spec, CheckedSpec):
        return spec.doc, spec.source
    if isinstance(spec, dict):
        source = f"spec #{index + 1}"
        validate_openapi(spec, source)
        return spec, source
    if isinstance(spec, str | Path):
        return load_spec_file(spec), str(spec)
    raise ContractsError(f"spec #{index + 1}: expected a mapping or a file path, got {type(spec).__name__}")


def grant_token(app: flask.Flask, token: Token) -> None:
    """Accept one more token from now on: one scoped to an entity the fixtures made (the contract runner's)."""
    state = app.extensions["mockserver"]
    state["pipeline"].tokens = (*state["pipeline"].tokens, token)
    state["tokens"] = state["pipeline"].tokens
