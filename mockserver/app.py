"""The Flask app factory: ``create_app(specs, tokens=..., store=..., seed=..., admin=...)``.

Loads and compiles every spec once (routes, validators, derived state model, fixtures), then
puts the mock pipeline in front of Flask: ``/api/...`` is answered by the pipeline, Flask serves
``/`` (the index page) and ``/__mock/...`` (admin endpoints, unless ``admin=False``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import flask

from contracts.errors import ContractsError
from contracts.spec_loader import api_version, build_label, load_spec_file, validate_openapi
from mockserver.admin import register_admin, register_index
from mockserver.fixtures import seed_fixtures
from mockserver.memory_store import MemoryStore
from mockserver.pipeline import MockPipeline, RequestLog
from mockserver.runtime import SpecRuntime
from mockserver.state import StateStore
from mockserver.tokens import DEFAULT_TOKENS, Token
from mockserver.user_fixtures import Fixtures


def create_app(
    specs: Sequence[dict[str, Any] | str | Path],
    *,
    tokens: Sequence[Token] | None = None,
    store: StateStore | None = None,
    seed: int = 0,
    admin: bool = True,
    strict: bool = False,
    fixtures: Fixtures | None = None,
) -> flask.Flask:
    """A Flask app emulating the Madaster API for every given spec, each under ``/api/vX.Y/``.

    ``strict`` turns the platform's leniencies off (``mockserver.leniency``); ``fixtures`` (from
    ``mockserver.user_fixtures.load_fixtures``) extend or replace the generated fixtures.
    """
    if not specs:
        raise ContractsError("the mock needs at least one spec")
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
        sources[version] = source
    if fixtures is not None:
        unserved = sorted(set(fixtures.versions) - set(runtimes))
        if unserved:
            raise ContractsError(
                f"{fixtures.source}: {', '.join(unserved)} is not served (served: {', '.join(runtimes)})"
            )
    tokens = tuple(tokens) if tokens is not None else DEFAULT_TOKENS
    store = store if store is not None else MemoryStore()
    for runtime in runtimes.values():
        seed_fixtures(runtime, store, fixtures)

    app = flask.Flask("mockserver")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    log = RequestLog()
    pipeline = MockPipeline(app.wsgi_app, runtimes, tokens, store, log, strict=strict)
    app.extensions["mockserver"] = {
        "runtimes": runtimes,
        "tokens": tokens,
        "store": store,
        "log": log,
        "seed": seed,
        "pipeline": pipeline,
        "strict": strict,
        "fixtures": fixtures,
    }
    register_index(app)
    if admin:
        register_admin(app)
    app.wsgi_app = pipeline  # type: ignore[method-assign]
    return app


def _load(spec: dict[str, Any] | str | Path, index: int) -> tuple[dict[str, Any], str]:
    if isinstance(spec, dict):
        source = f"spec #{index + 1}"
        validate_openapi(spec, source)
        return spec, source
    if isinstance(spec, str | Path):
        return load_spec_file(spec), str(spec)
    raise ContractsError(f"spec #{index + 1}: expected a mapping or a file path, got {type(spec).__name__}")
