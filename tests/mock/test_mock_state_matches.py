"""``/__mock/state`` on v3.0 build 7980 (material and product matches, an item GET that answers
a one-entry array): a 200, and every entity it shows answers its ``get`` path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mock.conftest import WRITE, real_app


@pytest.fixture
def client(spec_cache: dict) -> Any:
    return real_app("v3.0", 7980, spec_cache).test_client()


def _shown(client: Any) -> dict[str, list[dict[str, Any]]]:
    answer = client.get("/__mock/state")
    assert answer.status_code == 200, answer.data[:300]
    return {c["name"]: c["entities"] for c in answer.json["versions"]["v3.0"]["collections"]}


def test_the_state_view_answers_and_every_entity_it_links_is_served(client: Any) -> None:
    shown = _shown(client)
    assert shown["material/matches"] and shown["product/matches"]
    linked = [e for entities in shown.values() for e in entities if e["get"]]
    assert len(linked) > 20
    for entity in linked:
        answer = client.get(entity["get"], headers=WRITE)
        assert answer.status_code == 200, (entity["get"], answer.json)


@pytest.mark.parametrize("kind", ["material", "product"])
def test_a_match_is_stored_as_one_entity_and_read_back_as_a_one_entry_array(client: Any, kind: str) -> None:
    owner = next(e for e in _shown(client)[kind])
    base = owner["get"] + "/matches"
    made = client.post(
        base, json={"value": "beton", "matchType": "Contains", "languageCode": "nl"}, headers=WRITE
    )
    assert made.status_code == 200 and made.json["value"] == "beton"
    read = client.get(f"{base}/{made.json['id']}", headers=WRITE)
    assert read.status_code == 200 and read.json == [made.json]
    assert made.json in client.get(base, headers=WRITE).json
    assert any(e["id"] == made.json["id"] for e in _shown(client)[f"{kind}/matches"])
