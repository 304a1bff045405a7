"""The protocol-edge probes and the troublemaker strings: their pieces, and turning them off.

The planted faults each probe catches are in ``test_breakages`` (``head_differs``,
``trailing_slash_500``, ``undeclared_method_500``, ``bare_429``, ``wrong_location``,
``astral_500``); here: what they send, and that ``--skip-check`` silences exactly one.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contracts.runner.probes import slash_variants
from contracts.runner.transport import BARE_429_HEADER, HttpForwarder, RetryPolicy
from contracts.runner.troublemakers import TROUBLEMAKERS, fit, free_string
from tests.conftest import requires_shared
from tests.runner.broken_api import KEY, BrokenApi, serving
from tests.runner.test_broken_server import failed_checks, target_args


def test_a_path_ending_in_a_parameter_is_probed_with_a_slash_and_with_it_empty() -> None:
    assert slash_variants("/api/v3.0/folder/abc?x=1", "/api/v3.0/folder/{id}") == [
        "/api/v3.0/folder/abc/?x=1",
        "/api/v3.0/folder/?x=1",
    ]
    assert slash_variants("/api/v3.0/account", "/api/v3.0/account") == ["/api/v3.0/account/"]


@given(
    st.sampled_from(sorted(TROUBLEMAKERS.values())),
    st.one_of(st.none(), st.integers(0, 12)),
    st.integers(0, 12),
)
def test_a_troublemaker_fits_the_length_its_schema_allows(
    text: str, longest: int | None, shortest: int
) -> None:
    schema = {
        "type": "string",
        "minLength": shortest,
        **({"maxLength": longest} if longest is not None else {}),
    }
    fitted = fit(text, schema)
    if longest is not None and longest < 1:
        assert fitted is None
        return
    assert fitted is not None
    if longest is None or shortest <= longest:
        assert shortest <= len(fitted)
    if longest is not None:
        assert len(fitted) <= max(longest, shortest)
    assert fitted.startswith(text[: min(len(text), longest or len(text))])


def test_only_text_any_string_fits_gets_troublemakers() -> None:
    assert free_string({}, {"type": "string", "nullable": True}) is not None
    for schema in (
        {"type": "string", "format": "uuid"},
        {"type": "string", "enum": ["a"]},
        {"type": "integer"},
    ):
        assert free_string({}, schema) is None


def test_a_429_without_retry_after_retried_away_is_marked() -> None:
    """The retry hides the 429 from the checks; the answer after it carries the mark."""
    api = BrokenApi(breakages=frozenset({"bare_429"}))
    with serving(api) as url:
        forwarder = HttpForwarder(url, RetryPolicy(backoff=0.01), sleep=lambda _s: None)
        from werkzeug.test import Client

        answer = Client(forwarder).get("/api/v3.0/system/materialfamilies", headers={"X-API-Key": KEY})
        again = Client(forwarder).get("/api/v3.0/system/materialfamilies", headers={"X-API-Key": KEY})
    assert answer.status_code == 200
    assert BARE_429_HEADER in answer.headers
    assert BARE_429_HEADER not in again.headers


@requires_shared
def test_skip_check_turns_off_that_check_only(cli, build_30855, tmp_path) -> None:
    api = BrokenApi(breakages=frozenset({"head_differs", "trailing_slash_500"}))
    with serving(api) as url:
        result = cli(
            "test",
            *target_args(build_30855, url),
            "--operation",
            r"^GET /api/v3\.0/(account|system/buildingusages)$",
            "--max-examples",
            "1",
            "--seed",
            "3",
            "--skip-check",
            "head_like_get",
            "--junit",
            "junit.xml",
        )
    assert result.code == 1, result.out
    assert failed_checks(tmp_path / "junit.xml") == {("GET /api/v3.0/account", "trailing_slash")}
    assert not any(method == "HEAD" for method, _ in api.requests)


def test_skip_check_with_an_unknown_name_is_one_line_exit_2(cli) -> None:
    result = cli("test", "--version", "v3.0", "--skip-check", "head_like_gte")
    assert result.code == 2
    assert "head_like_get" in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
