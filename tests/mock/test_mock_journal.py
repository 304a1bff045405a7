"""The request journal as an API: ``GET /__mock/requests`` filters and ``POST /__mock/requests/count``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.http.matching import MatchError, RequestMatch, json_subset
from tests.conftest import PROJECT_ROOT

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
READ = {"X-API-Key": "dev-read"}
WRITE = {"X-API-Key": "dev-write"}


@pytest.fixture(scope="module")
def client() -> Any:
    from mockserver import create_app

    return create_app([V3], processing_delay=0).test_client()


@pytest.fixture
def journal(client: Any) -> Any:
    """A fresh log with a known mix: two GET lists, one GET by id, a refused POST, a 401."""
    client.post("/__mock/reset")
    buildings = client.get("/api/v3.0/building", headers=READ).get_json()
    client.get("/api/v3.0/building", headers=READ)
    client.get(f"/api/v3.0/building/{buildings[0]['id']}?x=1", headers=READ)
    client.post("/api/v3.0/building", json={"name": "no folder"}, headers=WRITE)  # 400
    client.get("/api/v3.0/account")  # 401
    return client


def test_method_filter_is_applied(journal: Any) -> None:
    posts = journal.get("/__mock/requests?method=post").get_json()
    assert [(e["method"], e["status"]) for e in posts] == [("POST", 400)]
    gets = journal.get("/__mock/requests?method=GET").get_json()
    assert len(gets) == 4 and {e["method"] for e in gets} == {"GET"}


def test_path_exact_template_and_regex(journal: Any) -> None:
    exact = journal.get("/__mock/requests?path=/api/v3.0/building").get_json()
    assert [e["method"] for e in exact] == ["GET", "GET", "POST"]
    template = journal.get("/__mock/requests?path=/api/v3.0/building/{id}").get_json()
    assert len(template) == 1 and template[0]["query"] == "x=1"
    regex = journal.get("/__mock/requests", query_string={"path_regex": r"/api/v3\.0/(account|building/.+)"})
    assert [e["path"].rsplit("/", 1)[0] for e in regex.get_json()] == ["/api/v3.0/building", "/api/v3.0"]


def test_status_exact_and_class_and_since(journal: Any) -> None:
    assert [e["status"] for e in journal.get("/__mock/requests?status=4xx").get_json()] == [400, 401]
    assert len(journal.get("/__mock/requests?status=200&method=GET").get_json()) == 3
    first = journal.get("/__mock/requests").get_json()[0]["seq"]
    later = journal.get(f"/__mock/requests?since={first}&method=GET").get_json()
    assert len(later) == 3 and all(e["seq"] > first for e in later)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("verb=GET", "unknown filter verb"),
        ("status=abc", "status 'abc'"),
        ("since=-1", "expected a request number"),
        ("since=-1&method=GET", "expected a request number"),
        ("path=building", "starting with /"),
        ("path_regex=(", "path_regex '('"),
        ("method=GET&method=POST", "give each filter once"),
        ("path=/a&path_regex=b", "either path or path_regex"),
    ],
)
def test_bad_filters_are_one_line_400s(journal: Any, query: str, words: str) -> None:
    response = journal.get(f"/__mock/requests?{query}")
    assert response.status_code == 400
    assert words in response.get_json()["detail"]


def test_count_with_query_and_body(journal: Any) -> None:
    def count(match: Any) -> Any:
        return journal.post("/__mock/requests/count", json=match)

    assert count({"method": "GET", "path": "/api/v3.0/building"}).get_json()["count"] == 2
    assert count({"query": {"x": "1"}}).get_json()["count"] == 1
    assert count({"query": {"x": "2"}}).get_json()["count"] == 0
    assert count({"body": {"name": "no folder"}}).get_json()["count"] == 1
    assert count({"body": {"name": "other"}}).get_json()["count"] == 0
    answer = count({"status": "401"}).get_json()
    assert answer == {"count": 1, "match": {"status": "401"}}
    assert count({}).get_json()["count"] == 5
    refused = count({"methods": ["GET"]})
    assert refused.status_code == 400 and "unknown field methods" in refused.get_json()["detail"]
    assert count([1]).status_code == 400


def test_the_console_polling_still_works(journal: Any) -> None:
    everything = journal.get("/__mock/requests").get_json()
    assert len(everything) == 5
    assert journal.get(f"/__mock/requests?since={everything[-1]['seq']}").get_json() == []
    assert journal.get("/__mock/requests?since=x").status_code == 400


segment = st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=8)


@given(st.lists(segment, min_size=1, max_size=5), st.data())
def test_a_template_matches_one_segment_per_name(segments: list[str], data: Any) -> None:
    hole = data.draw(st.integers(0, len(segments) - 1))
    template = "/" + "/".join("{p}" if i == hole else s for i, s in enumerate(segments))
    match = RequestMatch.parse({"path": template})
    assert match.matches("GET", "/" + "/".join(segments), "")
    assert not match.matches("GET", "/" + "/".join(segments) + "/extra", "")
    with_slash = [*segments]
    with_slash[hole] = "a/b"
    assert not match.matches("GET", "/" + "/".join(with_slash), "")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=10,
)


@given(st.dictionaries(st.text(max_size=3), json_values, max_size=4), st.text(max_size=3), json_values)
def test_json_subset_ignores_extra_members_only(body: dict[str, Any], extra: str, value: Any) -> None:
    assert json_subset(body, body)
    assert json_subset(body, {**body, extra: value}) or extra in body
    if extra not in body:
        assert not json_subset({**body, extra: value}, body)


def test_true_is_not_one() -> None:
    assert not json_subset({"a": True}, {"a": 1})
    assert not json_subset({"a": 1}, {"a": True})
    with pytest.raises(MatchError, match="expected an object"):
        RequestMatch.parse([])
