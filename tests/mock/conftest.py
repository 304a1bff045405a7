"""Fixtures for the mock's tests: apps over the real builds with a token set covering the auth matrix."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mockserver.tokens import DEFAULT_TOKENS, Token
from tests.conftest import PROJECT_ROOT, real_builds

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
SPEC_IDS = [build_id(p) if p in real_builds() else f"specs:{p.name}" for p in ALL_SPECS]


@pytest.fixture(scope="session")
def spec_cache() -> dict[Path, dict[str, Any]]:
    return {}


def load(path: Path, cache: dict[Path, dict[str, Any]]) -> dict[str, Any]:
    from contracts.spec_loader import load_spec_file

    if path not in cache:
        cache[path] = load_spec_file(path)
    return cache[path]


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
    """A request body valid for the operation (generated from its schema), with ``overrides`` applied."""
    runtime = runtime_of(app, version)
    op = operation(app, version, method, suffix)
    schema = next(s for m, s in op.body.media.items() if "json" in m)
    body = runtime.generator.value(
        runtime.converted(schema, response=False), runtime.rng("test-body", suffix)
    )
    if isinstance(body, dict):
        body.update(overrides)
    return body
