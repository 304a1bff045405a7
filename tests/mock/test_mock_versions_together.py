"""Two versions served together keep their own state (``mockserver/state/versioned.py``): v3.0
build 7980 and v4.0 both derive a ``database`` collection, with different shapes and children."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver import create_app
from mockserver.state.sqlite_store import SqliteStore
from mockserver.state.versioned import VersionView, clashing
from tests.conftest import real_build
from tests.mock.conftest import WRITE, load

STANDARD = "cd2bda71-760b-4fcc-8a0b-3877c10000a8"  # Ökobaudat 2023, a platform database in both versions


@pytest.fixture
def docs(spec_cache: dict) -> tuple[dict[str, Any], dict[str, Any]]:
    return load(real_build("v3.0", 7980), spec_cache), load(real_build("v4.0", 28168), spec_cache)


def _listed(client: Any, version: str, path: str) -> list[dict[str, Any]]:
    answer = client.get(f"/api/{version}/{path}", headers=WRITE)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_each_version_lists_what_it_lists_when_served_alone(docs: Any) -> None:
    together = create_app(list(docs)).test_client()
    for version, doc in zip(("v3.0", "v4.0"), docs, strict=True):
        alone = create_app([doc]).test_client()
        assert _listed(together, version, "database") == _listed(alone, version, "database")
    own = next(d for d in _listed(together, "v4.0", "database") if not d.get("readOnly"))
    assert _listed(together, "v4.0", f"database/{own['id']}/commodities"), "the v4.0 fixtures are seeded"


def test_a_platform_database_has_one_id_in_both_versions(docs: Any) -> None:
    client = create_app(list(docs)).test_client()
    for version in ("v3.0", "v4.0"):
        answer = client.get(f"/api/{version}/database/{STANDARD}", headers=WRITE)
        assert answer.status_code == 200 and answer.json["id"] == STANDARD


def test_a_v4_delete_leaves_the_v3_databases_and_products(docs: Any) -> None:
    client = create_app(list(docs)).test_client()
    v3_databases = _listed(client, "v3.0", "database")
    v3_products = {d["id"]: _listed(client, "v3.0", f"product/{d['id']}") for d in v3_databases}
    for database in _listed(client, "v4.0", "database"):
        assert client.delete(f"/api/v4.0/database/{database['id']}", headers=WRITE).status_code < 300
    assert _listed(client, "v4.0", "database") == []
    assert _listed(client, "v3.0", "database") == v3_databases
    assert {d: _listed(client, "v3.0", f"product/{d}") for d in v3_products} == v3_products
    assert any(v3_products.values()), "the v3.0 databases hold products to lose"


def test_a_database_made_in_one_version_is_not_listed_by_the_other(docs: Any) -> None:
    client = create_app(list(docs)).test_client()
    before = _listed(client, "v3.0", "database")
    made = client.post("/api/v4.0/database", json={"names": {"en": "Only in v4"}}, headers=WRITE)
    assert made.status_code in (200, 201), made.json
    assert _listed(client, "v3.0", "database") == before
    assert client.get(f"/api/v3.0/database/{made.json['id']}", headers=WRITE).status_code == 404


def test_the_versions_keep_their_own_state_on_sqlite_and_after_a_reset(docs: Any, tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    first = create_app(list(docs), store=SqliteStore(path)).test_client()
    expected = {v: _listed(first, v, "database") for v in ("v3.0", "v4.0")}
    again = create_app(list(docs), store=SqliteStore(path)).test_client()  # a restart on the file
    assert {v: _listed(again, v, "database") for v in expected} == expected
    assert again.post("/__mock/reset").status_code == 200
    assert {v: _listed(again, v, "database") for v in expected} == expected


def test_one_version_keeps_plain_collection_names(docs: Any) -> None:
    app = create_app([docs[1]])
    assert app.extensions["mockserver"]["stores"]["v4.0"] is app.extensions["mockserver"]["store"]
    assert app.extensions["mockserver"]["store"].list("database")


def test_only_collections_several_versions_hold_are_kept_apart() -> None:
    assert clashing({"v3.0": ["building", "database"], "v4.0": ["database", "commodity"]}) == {"database"}
    view = VersionView(None, "v4.0", frozenset({"database"}))  # type: ignore[arg-type]
    assert view.stored_name("database") == "v4.0:database" and view.stored_name("commodity") == "commodity"


def test_an_admin_scoped_to_a_database_sees_its_commodities_when_versions_clash(docs: Any) -> None:
    from mockserver.auth.tokens import DEFAULT_TOKENS, Token

    probe = create_app(list(docs)).test_client()
    own = next(d for d in _listed(probe, "v4.0", "database") if not d.get("readOnly"))
    commodities = {c["id"] for c in _listed(probe, "v4.0", f"database/{own['id']}/commodities")}
    admin = Token(
        key="db-admin-5e1", name="database admin", permission="admin", scope=f"database:{own['id']}"
    )
    app = create_app(list(docs), tokens=[*DEFAULT_TOKENS, admin])
    shown = app.test_client().get("/__mock/state", headers={"X-API-Key": admin.key}).json
    v4 = {c["name"]: {e["id"] for e in c["entities"]} for c in shown["versions"]["v4.0"]["collections"]}
    assert commodities and commodities <= v4["commodity"]
    assert v4["database"] == {own["id"]}
