"""Fault found by the @hey-api/openapi-ts clients: every fetch-based client (Node.js, browsers)
sends ``Accept-Language: *``, which the specs' one-code enum refuses; the platform (ASP.NET request
localisation) reads a list of language ranges. Leniency ``accept-language-range``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contracts.platform.leniency import ACCEPT_LANGUAGE_RANGE, chosen_language, known_leniencies
from mockserver import create_app
from tests.conftest import real_build
from tests.mock.conftest import READ

CODES = ["en", "nl", "fr", "de", "nb"]
USAGES = "/api/v3.0/system/buildingusages"


def test_the_leniency_is_listed_in_the_data() -> None:
    assert ACCEPT_LANGUAGE_RANGE in {entry["id"] for entry in known_leniencies()}


def test_a_list_of_ranges_picks_the_allowed_code_of_highest_weight() -> None:
    assert chosen_language("*", CODES) == (True, None)
    assert chosen_language("nl-NL,nl;q=0.9,en;q=0.8", CODES) == (True, "nl")
    assert chosen_language("fr;q=0.2, de-CH", CODES) == (True, "de")
    assert chosen_language("*, en;q=0", CODES) == (True, None)  # q=0: not acceptable
    assert chosen_language("NL", CODES) == (True, "nl")
    # what names no allowed code is refused, as a contract run's schema-violating values must be
    for garbage in (
        "",
        "en;q=2",
        "nl,,en",
        "not a language!",
        "en;level=1",
        "null,null",
        "0",
        "xx",
        "es-ES,en",
    ):
        assert chosen_language(garbage, CODES) == (False, None), garbage


@given(st.lists(st.sampled_from([*CODES, "*", "nl-BE", "EN-gb"]), min_size=1, max_size=5))
def test_the_code_chosen_is_the_first_listed_or_none(ranges: list[str]) -> None:
    valid, code = chosen_language(",".join(ranges), CODES)
    assert valid
    ranges = [r.lower() for r in ranges]
    first = next((r.split("-")[0] for r in ranges if r.split("-")[0] in CODES), None)
    assert code == first


def test_fetch_clients_accept_language_star_is_served_and_named() -> None:
    client = create_app([real_build("v3.0", 30855)]).test_client()
    star = client.get(USAGES, headers={**READ, "Accept-Language": "*"})
    assert star.status_code == 200, star.json
    assert star.headers["X-Mock-Leniency"] == "accept-language-range; header.accept-language"
    assert star.json == client.get(USAGES, headers=READ).json  # as without the header: the default
    dutch = client.get(USAGES, headers={**READ, "Accept-Language": "nl-NL,nl;q=0.9"})
    assert dutch.status_code == 200
    assert dutch.json == client.get(USAGES, headers={**READ, "Accept-Language": "nl"}).json
    plain = client.get(USAGES, headers={**READ, "Accept-Language": "en"})
    assert plain.status_code == 200 and "X-Mock-Leniency" not in plain.headers


def test_what_is_no_list_of_ranges_and_strict_are_still_refused() -> None:
    client = create_app([real_build("v3.0", 30855)]).test_client()
    refused = client.get(USAGES, headers={**READ, "Accept-Language": "not a language!"})
    assert refused.status_code == 400
    assert [e["location"] for e in refused.json["errors"]] == ["header.accept-language"]
    strict = create_app([real_build("v3.0", 30855)], strict=True).test_client()
    assert strict.get(USAGES, headers={**READ, "Accept-Language": "*"}).status_code == 400
