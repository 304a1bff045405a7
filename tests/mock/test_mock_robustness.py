"""Where Prism fails: malformed JSON, multipart without Content-Type, non-Latin-1 property names, TRACE.

Plus what the spec allows (no body, text/json, application/*+json) and property-based fuzzing of
raw bodies: the mock always answers, with a 4xx ProblemDetails when the request is wrong.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver import create_app
from tests.conftest import real_build
from tests.mock.conftest import TOKENS, WRITE, body_for, load, multipart

V3 = "/api/v3.0"


@pytest.fixture(scope="module")
def app(spec_cache):
    return create_app([load(real_build("v3.0", 30855), spec_cache)], tokens=TOKENS)


def _building(app) -> str:
    return app.test_client().get(f"{V3}/building", headers=WRITE).json[0]["id"]


def test_malformed_json_is_400_naming_the_spot(app) -> None:
    response = app.test_client().post(
        f"{V3}/building", data=b'{"name": "x",', headers={**WRITE, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json["errors"][0]["location"] == "body"
    assert "malformed JSON" in response.json["errors"][0]["message"]


def test_non_utf8_body_is_400(app) -> None:
    response = app.test_client().post(
        f"{V3}/building", data=b'{"name": "\xff\xfe"}', headers={**WRITE, "Content-Type": "application/json"}
    )
    assert response.status_code == 400 and "UTF-8" in response.json["detail"]


def test_property_names_outside_latin1_are_validated_not_fatal(app) -> None:
    client = app.test_client()
    folder = client.get(f"{V3}/folder", headers=WRITE).json[0]["id"]
    body = body_for(app, "v3.0", "POST", "/building", folderId=folder)
    body["名前"] = "建物"
    response = client.post(f"{V3}/building", json=body, headers=WRITE)
    assert response.status_code == 201
    assert "名前" not in response.json
    broken = client.post(f"{V3}/building", json={"名前": 1}, headers=WRITE)
    assert broken.status_code == 400
    assert client.get(f"{V3}/account", headers=WRITE).status_code == 200


def test_multipart_part_without_content_type(app) -> None:
    client = app.test_client()
    url = f"{V3}/building/{_building(app)}/images"
    body = multipart(["file"], with_content_type=False)
    response = client.post(
        url, data=body, headers={**WRITE, "Content-Type": "multipart/form-data; boundary=mockpart"}
    )
    assert response.status_code == 204
    missing = client.post(
        url,
        data=multipart(["other"]),
        headers={**WRITE, "Content-Type": "multipart/form-data; boundary=mockpart"},
    )
    assert missing.status_code == 400 and missing.json["errors"][0]["location"] == "body.file"
    no_boundary = client.post(url, data=b"--x--", headers={**WRITE, "Content-Type": "multipart/form-data"})
    assert no_boundary.status_code == 400
    garbage = client.post(
        url, data=b"\x00\xff" * 50, headers={**WRITE, "Content-Type": "multipart/form-data; boundary=zz"}
    )
    assert garbage.status_code == 400


def test_trace_is_405_with_allow(app) -> None:
    response = app.test_client().open(f"{V3}/account", method="TRACE", headers=WRITE)
    assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD"
    assert response.json["status"] == 405


def test_what_the_spec_allows_is_accepted(app) -> None:
    client = app.test_client()
    folder = client.get(f"{V3}/folder", headers=WRITE).json[0]["id"]
    body = json.dumps(body_for(app, "v3.0", "POST", "/building", folderId=folder))
    for content_type in (
        "application/json",
        "text/json",
        "application/vnd.madaster+json",
        "application/json; charset=utf-8",
    ):
        response = client.post(f"{V3}/building", data=body, headers={**WRITE, "Content-Type": content_type})
        assert response.status_code == 201, (content_type, response.json)
    assert client.post(f"{V3}/building", headers=WRITE).status_code == 201  # the body is optional
    wrong = client.post(f"{V3}/building", data=body, headers={**WRITE, "Content-Type": "text/plain"})
    assert wrong.status_code == 415


def test_every_problem_is_listed_with_its_location(app) -> None:
    client = app.test_client()
    response = client.post(f"{V3}/building", json={"name": "", "grossSurfaceArea": "big"}, headers=WRITE)
    assert response.status_code == 400
    locations = {p["location"] for p in response.json["errors"]}
    assert {"body.name", "body.grossSurfaceArea", "body"} <= locations
    query = client.get(
        f"{V3}/building/{_building(app)}/availabledatabases?explicitlyShared=maybe", headers=WRITE
    )
    assert query.status_code == 400 and query.json["errors"][0]["location"] == "query.explicitlyShared"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)),
    content_type=st.sampled_from(
        ["application/json", "text/json", "multipart/form-data; boundary=b", "", "x/y"]
    ),
    method=st.sampled_from(["POST", "PUT"]),
)
def test_any_body_gets_an_answer_never_a_crash(app, raw: bytes, content_type: str, method: str) -> None:
    client = app.test_client()
    url = f"{V3}/building" if method == "POST" else f"{V3}/building/{_building(app)}"
    headers = {**WRITE, **({"Content-Type": content_type} if content_type else {})}
    response = client.open(url, method=method, data=raw, headers=headers)
    assert response.status_code in (200, 201, 400, 404, 415, 422), response.json
    if response.status_code >= 400:
        assert response.json["status"] == response.status_code


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_any_path_gets_an_answer(app, path: str) -> None:
    from urllib.parse import quote

    response = app.test_client().get(f"/api/v3.0/{quote(path)}", headers=WRITE)
    assert response.status_code in (200, 400, 404, 405)


@pytest.mark.parametrize(
    "raw",
    [b'{"grossSurfaceArea": 1e999}', b'{"grossSurfaceArea": NaN}', b'{"name": "\\ud800"}', b"[" * 50_000],
    ids=["overflow", "nan", "lone-surrogate", "deep"],
)
def test_json_that_cannot_be_answered_back_is_400(app, raw: bytes) -> None:
    response = app.test_client().post(
        f"{V3}/building", data=raw, headers={**WRITE, "Content-Type": "application/json"}
    )
    expected = "nests deeper than" if raw.startswith(b"[[") else "malformed JSON"
    assert response.status_code == 400 and expected in response.json["detail"]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.dictionaries(st.sampled_from(["name", "folderId", "phase", "tags", "x"]), _JSON) | _JSON)
def test_any_json_document_gets_a_valid_answer(app, document) -> None:
    response = app.test_client().post(f"{V3}/building", json=document, headers=WRITE)
    assert response.status_code in (201, 400, 404, 422), response.json  # 422: a body naming no folder
    assert response.json is not None
