"""Smaller findings of the second hostile round: each answered as the platform would, nothing invented."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.auth.tokens import DEFAULT_TOKENS, Token
from tests.mock.conftest import WRITE, body_for, real_app

V3 = "/api/v3.0"


def test_an_external_id_lookup_is_scoped_before_matching(spec_cache: dict[Any, Any]) -> None:
    probe = real_app("v3.0", 30855, spec_cache).test_client()
    buildings = probe.get(f"{V3}/building", headers=WRITE).json
    inside = buildings[0]["folderId"]
    outside = next(b["folderId"] for b in buildings if b["folderId"] != inside)
    scoped = Token(key="writer-of-f-5d", name="folder writer", permission="write", scope=f"folder:{inside}")
    app = real_app("v3.0", 30855, spec_cache, tokens=[*DEFAULT_TOKENS, scoped])
    client = app.test_client()
    made = {}
    for folder in (outside, inside):  # the out-of-scope one first: a first match would be it
        body = body_for(app, "v3.0", "POST", "/building", folderId=folder, externalId="same-ext-id")
        answer = client.post(f"{V3}/building", json=body, headers=WRITE)
        assert answer.status_code == 201, answer.data
        made[folder] = answer.json["id"]
    found = client.get(f"{V3}/building/external/same-ext-id", headers={"X-API-Key": scoped.key})
    assert found.status_code == 200, found.data
    assert found.json["id"] == made[inside]
    account = client.get(f"{V3}/building/external/same-ext-id", headers=WRITE)
    assert account.status_code == 200 and account.json["id"] == made[outside]  # account: the first
    only_outside = body_for(app, "v3.0", "POST", "/building", folderId=outside, externalId="theirs-only")
    assert client.post(f"{V3}/building", json=only_outside, headers=WRITE).status_code == 201
    refused = client.get(f"{V3}/building/external/theirs-only", headers={"X-API-Key": scoped.key})
    assert refused.status_code == 403  # it exists, out of this token's scope: as for any entity


@pytest.mark.parametrize("build", [17265, 28168])
@pytest.mark.parametrize("body", [{"commodityType": "AAA"}, {"commodityType": "Product"}])
def test_a_commodity_is_never_placed_under_a_made_up_database(
    spec_cache: dict[Any, Any], build: int, body: dict[str, Any]
) -> None:
    """The spec lets a create leave ``databaseId`` out: the commodity then goes to a database the
    account has (its own), never under an id that exists nowhere; an unknown one is a 404."""
    app = real_app("v4.0", build, spec_cache)
    client, store = app.test_client(), app.extensions["mockserver"]["store"]
    databases = {d["id"] for d in client.get("/api/v4.0/database", headers=WRITE).json}
    answer = client.post("/api/v4.0/commodity", json=body, headers=WRITE)
    if answer.status_code < 300:
        stored = client.get(f"/api/v4.0/commodity/{answer.json['id']}", headers=WRITE).json
        assert stored["databaseId"] in databases, stored
    else:
        assert body["commodityType"] == "AAA" and answer.status_code == 400  # names no subtype
    before = store.list("commodity")
    unknown = {**body, "databaseId": "00000000-0000-4000-8000-00000000dead"}
    missing = client.post("/api/v4.0/commodity", json=unknown, headers=WRITE)
    if answer.status_code < 300:
        assert missing.status_code == 404 and "databaseId" in missing.json["detail"]
    else:  # a body refused as such is refused before its database is looked up
        assert missing.status_code == 400
    assert store.list("commodity") == before
