"""A JSON body nested deeper than the limit is a 400 naming it, wherever the mock parses one
(the API, an unchecked stub's match, the admin API, the request log's view), never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.json_depth import MAX_JSON_DEPTH, TOO_DEEP
from tests.mock.conftest import WRITE, real_app

DEPTHS = [MAX_JSON_DEPTH + 1, 255, 256, 300, 5000]


def _arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def _objects(depth: int) -> str:
    return '{"name":' * depth + "1" + "}" * depth


@pytest.fixture(scope="module")
def shared_v3(spec_cache: dict[Any, Any]) -> Any:
    """One v3.0 app for the 20 rejected bodies below (building it is most of each test's time)."""
    return real_app("v3.0", 30855, spec_cache)


@pytest.fixture
def fresh_v3(shared_v3: Any) -> Any:
    """The shared app as good as new: a reset empties the store, the request log and the stubs."""
    assert shared_v3.test_client().post("/__mock/reset").status_code == 200
    return shared_v3


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("shape", [_arrays, _objects], ids=["arrays", "objects"])
@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/api/v3.0/folder"), ("PUT", "/api/v3.0/building/{building}")]
)
def test_a_too_deep_body_is_a_400_naming_the_limit(
    fresh_v3: Any, depth: int, shape: Any, method: str, path: str
) -> None:
    client = fresh_v3.test_client()
    building = client.get("/api/v3.0/building", headers=WRITE).json[0]["id"]
    answer = client.open(
        path.format(building=building),
        method=method,
        data=shape(depth),
        content_type="application/json",
        headers=WRITE,
    )
    assert answer.status_code == 400 and answer.json["status"] == 400  # ProblemDetails, as declared
    assert f"deeper than {MAX_JSON_DEPTH} levels (the limit)" in answer.json["detail"]
    log = client.get("/__mock/requests")  # the log shows the body as text, not parsed
    assert log.status_code == 200 and log.json[-1]["status"] == 400


def test_a_body_at_the_limit_is_checked_as_usual(v3: Any) -> None:
    client = v3.test_client()
    answer = client.post(
        "/api/v3.0/folder", data=_arrays(MAX_JSON_DEPTH), content_type="application/json", headers=WRITE
    )
    assert answer.status_code == 400 and TOO_DEEP not in answer.json["detail"]


def test_an_unchecked_stub_sees_a_too_deep_body_as_no_json(v3: Any) -> None:
    client = v3.test_client()
    stub = {
        "match": {"path": "/api/v3.0/folder"},
        "answer": {"status": 200, "body": "stubbed"},
        "unchecked": True,
    }
    assert client.post("/__mock/stubs", json=stub).status_code == 201
    answer = client.post("/api/v3.0/folder", data=_arrays(5000), content_type="application/json")
    assert answer.status_code == 200 and answer.data == b"stubbed"


@pytest.mark.parametrize("depth", [300, 5000])
def test_a_too_deep_admin_body_is_a_400(v3: Any, depth: int) -> None:
    answer = v3.test_client().post("/__mock/stubs", data=_arrays(depth), content_type="application/json")
    assert answer.status_code == 400 and answer.json["detail"] == TOO_DEEP
