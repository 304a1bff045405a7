"""``Prefer: code=N`` forces an answer only once authentication, scope and existence have passed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mock.conftest import OTHER_BUILDING, READ, TOKENS, WRITE, real_app

V3 = "/api/v3.0"
UNKNOWN = "00000000-0000-4000-8000-00000000dead"
FORCE_OK = {"Prefer": "code=200"}


@pytest.fixture
def app(spec_cache: dict[Any, Any]) -> Any:
    return real_app("v3.0", 30855, spec_cache, tokens=list(TOKENS))


def _buildings(client: Any) -> list[str]:
    return [b["id"] for b in client.get(f"{V3}/building", headers=WRITE).json]


@pytest.mark.parametrize("method", ["DELETE", "GET"])
@pytest.mark.parametrize("code", [200, 204, 500])
def test_an_unknown_entity_is_404_whatever_prefer_asks(app: Any, method: str, code: int) -> None:
    client = app.test_client()
    answer = client.open(
        f"{V3}/building/{UNKNOWN}", method=method, headers={**WRITE, "Prefer": f"code={code}"}
    )
    assert answer.status_code == 404, answer.data
    assert answer.json["status"] == 404


def test_an_out_of_scope_entity_is_403_whatever_prefer_asks(app: Any) -> None:
    client = app.test_client()
    buildings = _buildings(client)
    other = next(b for b in buildings if b != OTHER_BUILDING)
    scoped = {"X-API-Key": "scoped-building", **FORCE_OK}
    answer = client.delete(f"{V3}/building/{other}", headers=scoped)
    assert answer.status_code == 403, answer.data
    assert other in _buildings(client)


def test_missing_or_read_only_keys_are_refused_first(app: Any) -> None:
    client = app.test_client()
    building = _buildings(client)[0]
    assert client.delete(f"{V3}/building/{building}", headers=FORCE_OK).status_code == 401
    assert client.delete(f"{V3}/building/{building}", headers={**READ, **FORCE_OK}).status_code == 403
    assert building in _buildings(client)


def test_prefer_still_forces_a_declared_status_once_the_checks_pass(app: Any) -> None:
    client = app.test_client()
    building = _buildings(client)[0]
    forced = client.get(f"{V3}/building/{building}", headers={**READ, "Prefer": "code=500"})
    assert forced.status_code == 500 and forced.json["status"] == 500
    forced = client.delete(f"{V3}/building/{building}", headers={**WRITE, "Prefer": "code=500"})
    assert forced.status_code == 500
    assert building in _buildings(client)  # a forced answer acts on nothing
