"""Runtime stubs (``/__mock/stubs``, ``--stubs FILE``) and ``Prefer: example=NAME``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.errors import ContractsError
from tests.conftest import PROJECT_ROOT, real_build

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
READ = {"X-API-Key": "dev-read"}
WRITE = {"X-API-Key": "dev-write"}
BUILDING = "/api/v3.0/building/{id}"


@pytest.fixture(scope="module")
def app() -> Any:
    from mockserver import create_app

    return create_app([V3], processing_delay=0)


@pytest.fixture
def client(app: Any) -> Any:
    client = app.test_client()
    client.post("/__mock/reset")
    return client


def first_building(client: Any) -> dict[str, Any]:
    return client.get("/api/v3.0/building", headers=READ).get_json()[0]


def add(client: Any, stub: dict[str, Any]) -> Any:
    return client.post("/__mock/stubs", json=stub)


def test_a_checked_stub_answers_its_body_and_is_marked(client: Any) -> None:
    building = first_building(client)
    created = add(
        client, {"match": {"method": "GET", "path": BUILDING}, "answer": {"body": {**building, "name": "S"}}}
    )
    assert (
        created.status_code == 201
        and created.headers["Location"] == f"/__mock/stubs/{created.get_json()['id']}"
    )
    answer = client.get(f"/api/v3.0/building/{building['id']}", headers=READ)
    assert answer.status_code == 200 and answer.get_json()["name"] == "S"
    assert answer.headers["X-Mock-Stub"] == created.get_json()["id"]
    logged = client.get("/__mock/requests?path=/api/v3.0/building/{id}").get_json()[-1]
    assert logged["stub"] == {"id": created.get_json()["id"], "unchecked": False}
    assert client.get("/__mock/stubs").get_json()["stubs"][0]["hits"] == 1


def test_auth_and_validation_come_before_a_checked_stub(client: Any) -> None:
    building = first_building(client)
    add(client, {"match": {"method": "GET", "path": BUILDING}, "answer": {"status": 503}})
    assert client.get(f"/api/v3.0/building/{building['id']}").status_code == 401
    refused = client.post("/api/v3.0/building", json={}, headers=WRITE)
    assert refused.status_code == 400  # no stub for POST: the emulation's validation
    stubbed = client.get(f"/api/v3.0/building/{building['id']}", headers=READ)
    assert stubbed.status_code == 503
    assert stubbed.get_json()["instance"] == f"/api/v3.0/building/{building['id']}"


def test_times_and_the_newest_stub_win(client: Any) -> None:
    building = first_building(client)
    url = f"/api/v3.0/building/{building['id']}"
    add(client, {"match": {"method": "GET", "path": BUILDING}, "answer": {"status": 500}})
    add(client, {"match": {"method": "GET", "path": url}, "answer": {"status": 503}, "times": 2})
    statuses = [client.get(url, headers=READ).status_code for _ in range(4)]
    assert statuses == [503, 503, 500, 500]
    listed = client.get("/__mock/stubs").get_json()["stubs"]
    assert [s.get("remaining") for s in listed] == [None, 0]


def test_match_on_query_header_and_body(app: Any, client: Any) -> None:
    from tests.mock.conftest import body_for

    add(
        client,
        {
            "match": {
                "method": "GET",
                "path": "/api/v3.0/building",
                "query": {"x": "1"},
                "headers": {"X-Trace": "1"},
            },
            "answer": {"status": 502},
        },
    )
    assert client.get("/api/v3.0/building?x=1", headers={**READ, "X-Trace": "1"}).status_code == 502
    assert client.get("/api/v3.0/building?x=2", headers={**READ, "X-Trace": "1"}).status_code == 200
    assert client.get("/api/v3.0/building?x=1", headers=READ).status_code == 200
    folder = client.get("/api/v3.0/folder", headers=READ).get_json()[0]["id"]
    body = body_for(app, "v3.0", "POST", "/building", name="Boom", folderId=folder)
    add(
        client,
        {
            "match": {"method": "POST", "path": "/api/v3.0/building", "body": {"name": "Boom"}},
            "answer": {"status": 409},
        },
    )
    assert client.post("/api/v3.0/building", json=body, headers=WRITE).status_code == 409
    assert client.post("/api/v3.0/building", json={**body, "name": "Fine"}, headers=WRITE).status_code == 201


def test_scenario_states_move_on(client: Any) -> None:
    building = first_building(client)
    url = f"/api/v3.0/building/{building['id']}"
    add(
        client,
        {
            "match": {"method": "GET", "path": BUILDING},
            "answer": {"status": 503},
            "scenario": "flaky",
            "state": "Started",
            "next_state": "recovered",
        },
    )
    add(
        client,
        {
            "match": {"method": "GET", "path": BUILDING},
            "answer": {"body": {**building, "name": "back"}},
            "scenario": "flaky",
            "state": "recovered",
        },
    )
    assert client.get(url, headers=READ).status_code == 503
    assert client.get(url, headers=READ).get_json()["name"] == "back"
    assert client.get(url, headers=READ).get_json()["name"] == "back"
    states = {s["scenario_state"] for s in client.get("/__mock/stubs").get_json()["stubs"]}
    assert states == {"recovered"}


@pytest.mark.parametrize(
    ("stub", "words"),
    [
        ({"match": {"method": "GET", "path": "/api/v3.0/nothing"}}, "no operation of the served specs"),
        ({"match": {"path": BUILDING}}, "needs match.method and match.path"),
        ({"match": {"method": "GET", "path_regex": ".*"}}, "needs match.method and match.path"),
        ({"match": {"method": "GET", "path": BUILDING}, "answer": {"body": {"name": 1}}}, "not a valid 200"),
        ({"match": {"method": "GET", "path": BUILDING}, "answer": {}}, "give a body or an example"),
        ({"match": {"method": "GET", "path": BUILDING}, "answer": {"status": 99}}, "final status 200-599"),
        ({"match": {"method": "GET", "path": BUILDING}, "answer": {"example": "x"}}, "declares none"),
        (
            {
                "match": {"method": "GET", "path": BUILDING},
                "answer": {"status": 500, "headers": {"A": "b\r\nc"}},
            },
            "not a header",
        ),
        (
            {"match": {"method": "GET", "path": BUILDING}, "answer": {"status": 500, "delay_ms": -1}},
            "0 to 60000",
        ),
        ({"match": {"method": "GET", "path": BUILDING}, "answer": {"status": 500}, "times": 0}, "1 or more"),
        (
            {"match": {"method": "GET", "path": BUILDING}, "answer": {"status": 500}, "state": "x"},
            "need a scenario",
        ),
        ({"match": {"method": "GET", "path": BUILDING, "status": 200}}, "belong to the request journal"),
        ({"match": {"method": "GET", "path": BUILDING}, "answer": {"code": 500}}, "unknown code"),
        ({"matches": {}}, "unknown field matches"),
        ({"match": {"path": "/x"}, "answer": {"example": "a"}, "unchecked": True}, "needs a checked stub"),
    ],
)
def test_a_stub_the_spec_does_not_allow_is_refused(client: Any, stub: dict[str, Any], words: str) -> None:
    refused = add(client, stub)
    assert refused.status_code == 400, refused.get_json()
    assert words in refused.get_json()["detail"]
    assert client.get("/__mock/stubs").get_json() == {"stubs": []}


def test_an_unchecked_stub_answers_anything_and_says_so(client: Any) -> None:
    created = add(
        client,
        {
            "match": {"path_regex": "/api/v3.0/.*"},
            "answer": {"status": 200, "body": "not json"},
            "unchecked": True,
        },
    ).get_json()
    answer = client.get("/api/v3.0/account")  # no key: an unchecked stub comes before auth
    assert answer.status_code == 200 and answer.data == b"not json"
    assert answer.headers["X-Mock-Stub"] == f"{created['id']}; unchecked"
    assert client.get("/__mock/requests").get_json()[-1]["stub"] == {"id": created["id"], "unchecked": True}


def test_delete_one_and_all_and_reset(client: Any) -> None:
    one = add(client, {"match": {"method": "GET", "path": BUILDING}, "answer": {"status": 500}}).get_json()[
        "id"
    ]
    add(client, {"id": "named", "match": {"method": "GET", "path": BUILDING}, "answer": {"status": 502}})
    assert add(client, {"id": "named", "match": {"method": "GET", "path": BUILDING}}).status_code == 400
    assert client.get("/__mock/stubs/named").get_json()["answer"] == {"status": 502}
    assert client.delete(f"/__mock/stubs/{one}").status_code == 204
    assert client.delete(f"/__mock/stubs/{one}").status_code == 404
    assert client.delete("/__mock/stubs").get_json() == {"removed": 1}
    add(client, {"match": {"method": "GET", "path": BUILDING}, "answer": {"status": 500}})
    client.post("/__mock/reset")
    assert client.get("/__mock/stubs").get_json() == {"stubs": []}


def test_stubs_file_is_loaded_and_survives_reset(tmp_path: Path) -> None:
    from mockserver import create_app
    from mockserver.http.stubs import load_stubs_file

    path = tmp_path / "stubs.yaml"
    path.write_text(
        "stubs:\n  - id: down\n    match: {method: GET, path: /api/v3.0/account}\n    answer: {status: 503}\n"
    )
    app = create_app([V3], processing_delay=0)
    assert load_stubs_file(app, path) == 1
    client = app.test_client()
    assert client.get("/api/v3.0/account", headers=READ).status_code == 503
    client.post("/__mock/reset")
    assert [s["id"] for s in client.get("/__mock/stubs").get_json()["stubs"]] == ["down"]
    path.write_text("stubs:\n  - match: {method: GET, path: /api/v3.0/nowhere}\n")
    with pytest.raises(ContractsError, match=r"stubs.yaml: stub #1: match: GET /api/v3.0/nowhere"):
        load_stubs_file(create_app([V3]), path)


EXAMPLES_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "v9.0"},
    "paths": {
        "/api/v9.0/thing": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Thing"},
                                "examples": {
                                    "small": {"value": {"size": 1}},
                                    "shared": {"$ref": "#/components/examples/big~1one"},
                                    "stringified": {"value": '{"size": 3}'},
                                    "wrong": {"value": {"size": "x"}},
                                },
                            }
                        },
                    },
                    "404": {"description": "no", "content": {"application/json": {"example": {"size": 0}}}},
                }
            }
        }
    },
    "components": {
        "schemas": {
            "Thing": {"type": "object", "required": ["size"], "properties": {"size": {"type": "integer"}}}
        },
        "examples": {"big/one": {"value": {"size": 2}}},
    },
}


@pytest.fixture(scope="module")
def examples_client() -> Any:
    from mockserver import create_app

    return create_app([copy.deepcopy(EXAMPLES_SPEC)]).test_client()


@pytest.mark.parametrize(("name", "size"), [("small", 1), ("shared", 2), ("stringified", 3)])
def test_prefer_example_answers_the_named_example(examples_client: Any, name: str, size: int) -> None:
    answer = examples_client.get("/api/v9.0/thing", headers={"Prefer": f"example={name}"})
    assert answer.status_code == 200 and answer.get_json() == {"size": size}


def test_prefer_example_with_code_and_its_errors(examples_client: Any) -> None:
    answer = examples_client.get("/api/v9.0/thing", headers={"Prefer": "code=404, example=default"})
    assert answer.status_code == 404 and answer.get_json() == {"size": 0}
    unknown = examples_client.get("/api/v9.0/thing", headers={"Prefer": "example=huge"})
    assert (
        unknown.status_code == 400
        and "declares small, shared, stringified, wrong" in unknown.get_json()["detail"]
    )
    wrong = examples_client.get("/api/v9.0/thing", headers={"Prefer": "example=wrong"})
    assert wrong.status_code == 400 and "does not fit its own schema" in wrong.get_json()["detail"]
    assert examples_client.get("/api/v9.0/thing", headers={"Prefer": "code=500"}).status_code == 400


def test_a_stub_answers_a_named_example(examples_client: Any) -> None:
    examples_client.delete("/__mock/stubs")
    stub = {"match": {"method": "GET", "path": "/api/v9.0/thing"}, "answer": {"example": "shared"}}
    assert examples_client.post("/__mock/stubs", json=stub).status_code == 201
    assert examples_client.get("/api/v9.0/thing").get_json() == {"size": 2}
    examples_client.delete("/__mock/stubs")


def test_real_v4_examples_are_answered_through_the_platform_repair() -> None:
    from mockserver import create_app

    client = create_app([real_build("v4.0", 28168)]).test_client()
    collections = client.get("/__mock/state").get_json()["versions"]["v4.0"]["collections"]
    known = next(c for c in collections if c["name"] == "commodity")["entities"][0]["id"]
    answer = client.get(  # an example is an answer forced like Prefer: code=: the entity must exist
        f"/api/v4.0/commodity/{known}", headers={**READ, "Prefer": "example=volume"}
    )
    assert answer.status_code == 200
    assert answer.get_json()["functionalUnit"] == "Volume"
    unknown = "/api/v4.0/commodity/6e943637-0163-4e94-8c17-f0dd7ee4eed5"
    assert client.get(unknown, headers={**READ, "Prefer": "example=volume"}).status_code == 404


@settings(max_examples=25, deadline=None)
@given(st.integers(200, 599))
def test_a_checked_stub_takes_the_statuses_the_operation_declares(app: Any, status: int) -> None:
    """An error status gets a ProblemDetails valid for it; a success status whose response has a
    body schema needs a body; one without a schema answers empty; an undeclared one is refused."""
    from tests.mock.conftest import operation

    declared = operation(app, "v3.0", "GET", "/account").response_for(status)
    client = app.test_client()
    client.delete("/__mock/stubs")
    created = add(
        client, {"match": {"method": "GET", "path": "/api/v3.0/account"}, "answer": {"status": status}}
    )
    if declared is None:
        assert created.status_code == 400 and "does not declare" in created.get_json()["detail"]
    elif status < 400 and declared.schema is not None:
        assert created.status_code == 400 and "give a body or an example" in created.get_json()["detail"]
    else:
        assert created.status_code == 201, created.get_json()
        answer = client.get("/api/v3.0/account", headers=READ)
        assert answer.status_code == status
        if status >= 400:
            assert json.loads(answer.data)["status"] == status
        else:
            assert answer.data == b""
    client.delete("/__mock/stubs")
