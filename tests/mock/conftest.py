"""Fixtures for the mock's tests: apps over the real builds with a token set covering the auth matrix."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mockserver.auth.tokens import DEFAULT_TOKENS, Token
from mockserver.behaviour.catalogue_refs import known_references
from tests.conftest import PROJECT_ROOT, real_build, real_builds

EXPIRED = Token(
    key="old-key-123", name="expired", permission="write", expires=datetime(2020, 1, 1, tzinfo=UTC)
)
OTHER_BUILDING = "00000000-0000-4000-8000-000000000001"
OTHER_DATABASE = "00000000-0000-4000-8000-000000000002"
SCOPED = (
    Token(key="scoped-building", name="one building", permission="write", scope=f"building:{OTHER_BUILDING}"),
    Token(key="scoped-database", name="one database", permission="write", scope=f"database:{OTHER_DATABASE}"),
)
TOKENS = (*DEFAULT_TOKENS, EXPIRED, *SCOPED)
WRITE = {"X-API-Key": "dev-write"}
READ = {"X-API-Key": "dev-read"}


def build_id(path: Path) -> str:
    return f"{path.parent.name}@{path.stem.split('-')[1]}"


def project_specs() -> list[Path]:
    """The newest snapshot of each version in the project's ``specs/`` folder, when there is one."""
    root = PROJECT_ROOT / "specs"
    if not root.is_dir():
        return []
    try:
        from contracts.store import SnapshotStore

        store = SnapshotStore(root)
        return [store.latest(version).path for version in store.versions()]
    except Exception:  # the store module may not be there yet: take the spec files as they are
        return sorted(
            p for p in root.rglob("*") if p.suffix in {".json", ".yaml", ".yml"} and "meta" not in p.name
        )


ALL_SPECS = real_builds() + project_specs()
SPEC_IDS = [build_id(p) if p in real_builds() else f"specs:{p.parent.name}/{p.stem}" for p in ALL_SPECS]


@pytest.fixture(scope="session")
def spec_cache() -> dict[Path, dict[str, Any]]:
    return {}


def load(path: Path, cache: dict[Path, dict[str, Any]]) -> dict[str, Any]:
    from contracts.spec_loader import load_spec_file

    if path not in cache:
        cache[path] = load_spec_file(path)
    return cache[path]


def real_app(version: str, build: int, cache: dict[Path, dict[str, Any]], **options: Any) -> Any:
    """An app over one real build (skipped when the builds are absent)."""
    from mockserver import create_app

    return create_app([load(real_build(version, build), cache)], **options)


@pytest.fixture
def v3(spec_cache: dict[Path, dict[str, Any]]) -> Any:
    """An app over v3.0 build 30855 with the dev tokens."""
    return real_app("v3.0", 30855, spec_cache)


@pytest.fixture
def v4(spec_cache: dict[Path, dict[str, Any]]) -> Any:
    """An app over v4.0 build 28168 with the dev tokens."""
    return real_app("v4.0", 28168, spec_cache)


def runtime_of(app: Any, version: str) -> Any:
    return app.extensions["mockserver"]["runtimes"][version]


def operation(app: Any, version: str, method: str, suffix: str) -> Any:
    """The compiled operation ``METHOD /api/<version><suffix>``."""
    template = f"/api/{version}{suffix}"
    for op in runtime_of(app, version).operations:
        if op.method == method and op.template == template:
            return op
    raise LookupError(f"{method} {template} not in the spec")


def body_for(app: Any, version: str, method: str, suffix: str, **overrides: Any) -> Any:
    """A request body valid for the operation (generated from its schema, catalogue references the
    platform has), with ``overrides`` applied."""
    runtime = runtime_of(app, version)
    op = operation(app, version, method, suffix)
    schema = next(s for m, s in op.body.media.items() if "json" in m)
    body = runtime.generator.value(
        runtime.converted(schema, response=False), runtime.rng("test-body", suffix)
    )
    if isinstance(body, dict):
        body.update(known_references(runtime, runtime.model.behaviours[id(op)].collection, body))
        body = as_the_platform_reads(runtime, op, schema, body)
        body.update(overrides)
    return body


def as_the_platform_reads(runtime: Any, op: Any, schema: Any, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` (generated from the published schema) with a discriminator value the platform
    builds, when the published union took it only as the abstract base (``spec.leniency.narrowed``)."""
    from mockserver.spec.leniency import narrowed

    if not narrowed(runtime, op, "application/json", body):
        return body
    resolved = runtime._raw_resolve(schema) or {}
    alternatives = [runtime._raw_resolve(a) for a in resolved.get("oneOf") or resolved.get("anyOf") or []]
    for found in [resolved, *alternatives]:  # the union's discriminator, or the one its base carries
        discriminator = found.get("discriminator") if isinstance(found, dict) else None
        for name in (discriminator or {}).get("mapping") or {}:
            candidate = {**body, discriminator["propertyName"]: name}  # type: ignore[index]
            if not narrowed(runtime, op, "application/json", candidate):
                return candidate
    return body


def concrete_request(app: Any, version: str, op: Any) -> tuple[str, dict[str, Any], bool]:
    """A URL and request kwargs for ``op`` that name existing fixture entities and carry a valid body.

    The flag says whether every entity the path names exists (some collections never show their keys).
    """
    runtime = runtime_of(app, version)
    store = app.extensions["mockserver"]["store"]
    behaviour = runtime.model.behaviours[id(op)]
    values: dict[str, str] = {}
    previous = None
    complete = True
    for collection, param in behaviour.refs:
        if collection in runtime.model.stateful:
            expected = runtime.model.parents.get(collection)
            parent = previous if previous and expected == previous[0] else None
            entities = store.list(collection, parent)
            key_field = runtime.key_fields.get(collection) or "id"
            if entities and key_field in entities[0]:
                values[param] = str(entities[0][key_field])
                previous = (collection, values[param])
            else:
                complete = False
    for param in op.parameters:
        if param.location == "path" and param.name not in values:
            if behaviour.kind == "lookup" and param.name == op.segments[-1][1:-1]:
                entities = store.list(behaviour.collection, previous)
                values[param.name] = str(
                    next((e["externalId"] for e in entities if e.get("externalId")), "x")
                )
            else:
                converted = runtime.converted(param.schema, response=False)
                generated = runtime.generator.value(converted, runtime.rng("param", param.name))
                values[param.name] = str(generated) if generated not in (None, "") else param.name
    url = "/" + "/".join(values.get(s[1:-1], s) if s.startswith("{") else s for s in op.segments)
    kwargs: dict[str, Any] = {}
    if op.body is not None:
        media = next((m for m in op.body.media if "json" in m), next(iter(op.body.media)))
        schema = op.body.media[media]
        if "json" in media:
            converted = runtime.converted(schema, response=False)
            body = runtime.generator.value(converted, runtime.rng("body", op.template))
            if isinstance(body, dict):
                body.update(known_references(runtime, behaviour.collection, body))
                for field, targets in runtime.model.body_parents.get(behaviour.collection or "", {}).items():
                    target = next(t for t in targets if t != "account")
                    existing = store.list(target)
                    if existing:
                        body[field] = existing[0][runtime.key_fields.get(target) or "id"]
                if behaviour.id_in_body:
                    existing = store.list(behaviour.collection, previous)
                    key_field = runtime.key_fields.get(behaviour.collection) or "id"
                    if existing:
                        body[key_field] = existing[0][key_field]
                body = as_the_platform_reads(runtime, op, schema, body)
            kwargs = {"json": body}
        elif media.startswith("multipart/"):
            names = list(((runtime._raw_resolve(schema) or {}).get("properties") or {"file": {}}).keys())
            kwargs = {"data": multipart(names), "content_type": "multipart/form-data; boundary=mockpart"}
        else:
            kwargs = {"data": b"file-bytes", "content_type": media}
    return url, kwargs, complete


def multipart(names: list[str], *, with_content_type: bool = True) -> bytes:
    """A multipart/form-data body (boundary ``mockpart``) with one small file per name."""
    chunks = []
    for name in names:
        part_type = "Content-Type: image/png\r\n" if with_content_type else ""
        chunks.append(
            f'--mockpart\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.png"\r\n'
            f"{part_type}\r\nimage-bytes\r\n"
        )
    return ("".join(chunks) + "--mockpart--\r\n").encode()
