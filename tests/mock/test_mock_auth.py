"""The auth matrix on every operation of every build: missing / unknown / expired key -> 401,
read key on a write -> 403, entity outside the token's scope -> 403; every refusal is a
ProblemDetails valid against the operation's declared error response."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver import create_app
from tests.mock.conftest import ALL_SPECS, SPEC_IDS, TOKENS, load, runtime_of
from tests.mock.conftest import concrete_request as make_request

KEYS = {
    "missing": None,
    "unknown": "not-a-known-key",
    "expired": "old-key-123",
}


def _problem_is_declared(runtime: Any, op: Any, response: Any) -> None:
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == response.status_code
    declared = op.response_for(response.status_code)
    if declared is not None and declared.schema is not None:
        validator = runtime.schemas.validator(declared.schema, response=True)
        assert validator.is_valid(body), list(validator.iter_errors(body))[:3]


def _call(client: Any, op: Any, url: str, kwargs: dict[str, Any], key: str | None) -> Any:
    headers = {"X-API-Key": key} if key else {}
    return client.open(url, method=op.method, headers=headers, **kwargs)


@pytest.mark.parametrize("path", ALL_SPECS, ids=SPEC_IDS)
def test_auth_matrix_holds_for_every_operation(path, spec_cache) -> None:
    doc = load(path, spec_cache)
    app = create_app([doc], tokens=TOKENS)
    version = next(iter(app.extensions["mockserver"]["runtimes"]))
    runtime = runtime_of(app, version)
    client = app.test_client()
    operations = sorted(runtime.operations, key=lambda o: o.method == "DELETE")
    successes = 0
    for op in operations:
        url, kwargs, complete = make_request(app, version, op)
        for case, key in KEYS.items():
            response = _call(client, op, url, kwargs, key)
            assert response.status_code == 401, (case, op.label, response.get_json())
            _problem_is_declared(runtime, op, response)
        behaviour = runtime.model.behaviours[id(op)]
        if op.method != "GET":
            response = _call(client, op, url, kwargs, "dev-read")
            assert response.status_code == 403, (op.label, response.get_json())
            _problem_is_declared(runtime, op, response)
        addresses_entity = any(c in runtime.model.stateful for c, _ in behaviour.refs)
        scoped = "scoped-database" if version == "v4.0" else "scoped-building"
        response = _call(client, op, url, kwargs, scoped)
        if not complete:
            assert response.status_code in (403, 404), (op.label, url, response.get_json())
        elif addresses_entity or op.method != "GET" or behaviour.kind == "lookup":
            assert response.status_code == 403, (op.label, url, response.get_json())
            _problem_is_declared(runtime, op, response)
        else:
            assert response.status_code == 200, (op.label, response.get_json())
            if behaviour.kind == "list":
                assert response.get_json() == [], op.label
        response = _call(client, op, url, kwargs, "dev-write")
        assert response.status_code not in (401, 403) and response.status_code < 500, (op.label, url)
        successes += 200 <= response.status_code < 300
    assert successes >= len(operations) * 0.8


def test_scoped_token_reaches_its_entity_and_what_hangs_below(spec_cache) -> None:
    from mockserver.auth.tokens import Token
    from tests.conftest import real_build

    doc = load(real_build("v3.0", 30855), spec_cache)
    probe = create_app([doc])
    buildings = probe.test_client().get("/api/v3.0/building", headers={"X-API-Key": "dev-read"}).json
    mine, other = buildings[0]["id"], buildings[1]["id"]
    token = Token(key="mine-only", name="mine", permission="write", scope=f"building:{mine}")
    app = create_app([doc], tokens=[token])
    client = app.test_client()
    headers = {"X-API-Key": "mine-only"}
    assert client.get(f"/api/v3.0/building/{mine}", headers=headers).status_code == 200
    assert client.get(f"/api/v3.0/building/{other}", headers=headers).status_code == 403
    assert [b["id"] for b in client.get("/api/v3.0/building", headers=headers).json] == [mine]
    files = client.get(f"/api/v3.0/building/{mine}/files", headers=headers)
    assert files.status_code == 200 and files.json
    file_id = files.json[0]["id"]
    assert client.get(f"/api/v3.0/building/{mine}/files/{file_id}", headers=headers).status_code == 200
    assert client.get(f"/api/v3.0/building/{other}/files", headers=headers).status_code == 403
    assert client.get("/api/v3.0/account", headers=headers).status_code == 200
