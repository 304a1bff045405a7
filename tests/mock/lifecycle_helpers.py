"""Helpers for the lifecycle tests: apps with a controllable clock, new files, polling."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mockserver import create_app
from tests.ifc_models import SMALLEST
from tests.mock.conftest import ALL_SPECS, SPEC_IDS, TOKENS, WRITE, body_for, load, runtime_of

IFC = SMALLEST  # tests/ifc_models.py: a wall and a slab, processed all the way to Mapped
OCTET = {**WRITE, "Content-Type": "application/octet-stream"}


class FakeClock:
    """A clock the test moves by hand: steps happen exactly when the test says."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def specs_of(version: str, having: tuple[str, ...] = ()) -> tuple[list[Path], list[str]]:
    """The real builds and baselines of ``version`` that declare every operation in ``having``
    (``"POST /building/{}/passport"``), with their test ids."""
    paths, ids = [], []
    for path, ident in zip(ALL_SPECS, SPEC_IDS, strict=True):
        if version in ident and all(h in _operation_keys(path) for h in having):
            paths.append(path)
            ids.append(ident)
    return paths, ids


@functools.cache
def _operation_keys(path: Path) -> frozenset[str]:
    """The operations a spec file declares; read once per process (``specs_of`` runs at import,
    twenty-odd times, in every xdist worker: loading each file each time was most of collection)."""
    from contracts.platform.lifecycles import operation_key
    from contracts.spec_loader import load_spec_file

    doc = load_spec_file(path)
    return frozenset(
        operation_key(method, template)
        for template, item in (doc.get("paths") or {}).items()
        for method in item
        if method in ("get", "post", "put", "delete")
    )


def lifecycle_app(
    path: Path, cache: dict, *, delay: float = 0.0, seed: int = 0, clock: FakeClock | None = None, **kw: Any
) -> Any:
    if clock is not None:
        kw["clock"] = clock
    return create_app([load(path, cache)], tokens=TOKENS, processing_delay=delay, seed=seed, **kw)


def version_of(app: Any) -> str:
    return next(iter(app.extensions["mockserver"]["runtimes"]))


def first_building(client: Any, version: str = "v3.0") -> str:
    return client.get(f"/api/{version}/building", headers=WRITE).json[0]["id"]


def new_file(app: Any, client: Any, building: str, **overrides: Any) -> dict[str, Any]:
    """A new Source file under ``building`` (201)."""
    fields = {"preferredDatabaseIds": [], "type": "Source", **overrides}
    body = body_for(app, "v3.0", "POST", "/building/{buildingId}/files", **fields)
    created = client.post(f"/api/v3.0/building/{building}/files", json=body, headers=WRITE)
    assert created.status_code == 201, created.json
    return created.json


def file_url(building: str, file_id: str) -> str:
    return f"/api/v3.0/building/{building}/files/{file_id}"


def status_of(client: Any, building: str, file_id: str) -> str:
    response = client.get(file_url(building, file_id), headers=WRITE)
    assert response.status_code == 200, response.json
    return response.json["status"]


def enum_of(app: Any, field: str = "status") -> frozenset[str]:
    engine = runtime_of(app, "v3.0").lifecycle
    return engine.bound["building-file"].enum if field == "status" else frozenset()


def poll(read: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 20.0) -> list[Any]:
    """Read until ``done``; every distinct value seen, in order (as a client polling would)."""
    seen: list[Any] = []
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if not seen or seen[-1] != value:
            seen.append(value)
        if done(value):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"still not done after {timeout} s; seen {seen}")
        time.sleep(0.02)


def validates(app: Any, version: str, method: str, template_suffix: str, status: int, body: Any) -> bool:
    """Whether ``body`` validates against the response the operation declares for ``status``."""
    runtime = runtime_of(app, version)
    for op in runtime.operations:
        if op.method == method and op.template == f"/api/{version}{template_suffix}":
            declared = op.response_for(status)
            if declared is None or declared.schema is None:
                return declared is not None
            return runtime.schemas.validator(declared.schema, response=True).is_valid(body)
    raise LookupError(template_suffix)


def element_body(app: Any, element_id: str) -> dict[str, Any]:
    """A valid element body that names no other entity (build 7980's elements may name a material)."""
    body = body_for(app, "v3.0", "POST", "/building/{buildingId}/files/{fileId}/elements", id=element_id)
    for field in runtime_of(app, "v3.0").model.body_parents.get("building/files/elements", {}):
        body.pop(field, None)
    return body


def with_new_file(
    path: Path,
    cache: dict,
    *,
    delay: float = 0.0,
    clock: FakeClock | None = None,
    seed: int = 0,
    **fields: Any,
) -> tuple[Any, Any, str, str]:
    """(app, client, building id, file id): an app on ``path`` and a new file in its first building."""
    app = lifecycle_app(path, cache, delay=delay, clock=clock, seed=seed)
    client = app.test_client()
    building = first_building(client)
    return app, client, building, new_file(app, client, building, **fields)["id"]
