"""Referential integrity: every id in every answer of the seeded mock names something that exists.

For any seed, every list, read and reference answer of every real build and baseline is walked;
each field that names an entity (``folderId``, ``foldertypeId``, ``databaseId``,
``classificationTypeId``, ``preferredDatabaseIds``, ...) must resolve to a stored entity, a
catalogue entry or the account.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from mockserver import create_app
from tests.mock.conftest import ALL_SPECS, READ, SPEC_IDS, concrete_request, load, runtime_of

# field -> what it may name: stored collections, catalogue lists, or the account
TARGETS: dict[str, tuple[str, ...]] = {
    "folderId": ("folder", "folder_structure"),
    "foldertypeId": ("folder_types",),
    "allowedSubFolderTypeIds": ("folder_types",),
    "parentId": ("folder", "account"),
    "buildingId": ("building",),
    "buildingFileId": ("building/files",),
    "databaseId": ("database", "databases"),
    "preferredDatabaseIds": ("database", "databases"),
    "commodityId": ("commodity",),
    "classificationTypeId": ("classification_methods",),
    "classificationType": ("classification_methods",),
    "materialClassificationTypeId": ("material_families",),
    "accountId": ("account",),
}


def _known(app: Any, version: str) -> dict[str, set[str]]:
    runtime = runtime_of(app, version)
    store = app.extensions["mockserver"]["store"]
    known: dict[str, set[str]] = {"account": {runtime.account_id or ""}}
    for collection in runtime.model.stateful:
        key = runtime.key_fields.get(collection) or "id"
        known[collection] = {str(e.get(key)) for e in store.list(collection) if isinstance(e, dict)}
    catalogue = runtime.catalogue
    if catalogue is not None:
        known.update(catalogue.ids())
        structure = catalogue.section("folder_structure") or {}
        known["folder_structure"] = {str(f["id"]) for f in [structure, *structure.get("children", [])] if f}
    return known


def _ids(value: Any, path: str = "") -> list[tuple[str, str, str]]:
    """(path, field, id) for every field of ``value`` that names an entity."""
    found = []
    if isinstance(value, dict):
        for key, member in value.items():
            if key in TARGETS and member is not None:
                for item in member if isinstance(member, list) else [member]:
                    found.append((f"{path}.{key}", key, str(item)))
            else:
                found += _ids(member, f"{path}.{key}")
    elif isinstance(value, list):
        for index, member in enumerate(value):
            found += _ids(member, f"{path}[{index}]")
    return found


def _answers(app: Any, version: str) -> list[tuple[str, Any]]:
    runtime = runtime_of(app, version)
    client = app.test_client()
    out = []
    for op in runtime.operations:
        if op.method != "GET":
            continue
        url, _, complete = concrete_request(app, version, op)
        if not complete:
            continue
        response = client.get(url, headers={**READ, "Accept-Language": "nl"})
        if response.status_code == 200 and response.is_json:
            out.append((f"GET {url}", response.json))
    return out


@pytest.mark.parametrize("path", ALL_SPECS, ids=SPEC_IDS)
@settings(
    max_examples=2,
    deadline=None,
    phases=(Phase.generate,),  # a failure names its seed; shrinking an integer seed teaches nothing
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 100_000))
def test_every_id_in_every_answer_resolves(path: Path, seed: int, spec_cache) -> None:
    app = create_app([copy.deepcopy(load(path, spec_cache))], seed=seed)
    version = next(iter(app.extensions["mockserver"]["runtimes"]))
    if runtime_of(app, version).catalogue is None:
        pytest.skip(f"no catalogue for {version}")
    known = _known(app, version)
    answers = _answers(app, version)
    assert answers
    checked = 0
    for label, body in answers:
        for where, field, value in _ids(body):
            usable = [t for t in TARGETS[field] if t in known]
            if not usable:
                continue
            assert any(value in known[t] for t in usable), f"{label}: {where} = {value} names no {usable}"
            checked += 1
    assert checked > 0
