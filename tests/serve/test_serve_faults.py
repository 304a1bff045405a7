"""The fault middleware: latency, seeded 503s, per-key 429 with Retry-After, exempt paths."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.test import Client

from contracts.errors import ContractsError
from mockserver.admin.faults import FaultInjector, RateLimit


def ok_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"ok": true}']


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def statuses(app, count: int, path: str = "/api/v3.0/building", key: str = "k") -> list[int]:
    client = Client(app)
    return [client.get(path, headers={"X-API-Key": key}).status_code for _ in range(count)]


def test_latency_delays_every_faulted_request_by_at_least_the_given_time() -> None:
    client = Client(FaultInjector(ok_app, latency_ms=60))
    started = time.perf_counter()
    response = client.get("/api/v3.0/account")
    assert time.perf_counter() - started >= 0.060
    assert response.status_code == 200 and response.json == {"ok": True}


def test_error_rate_is_close_to_the_share_and_repeatable_with_the_seed() -> None:
    first = statuses(FaultInjector(ok_app, error_rate=0.25, seed=7), 800)
    again = statuses(FaultInjector(ok_app, error_rate=0.25, seed=7), 800)
    other = statuses(FaultInjector(ok_app, error_rate=0.25, seed=8), 800)
    assert set(first) == {200, 503}
    assert 0.19 < first.count(503) / 800 < 0.31
    assert first == again
    assert first != other


def test_error_rate_answers_problem_details_with_retry_after() -> None:
    response = Client(FaultInjector(ok_app, error_rate=1.0)).get("/api/v3.0/building")
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Retry-After"] == "1"
    body = response.json
    assert body["status"] == 503 and body["title"] == "Service Unavailable"
    assert isinstance(body["type"], str) and "error-rate" in body["detail"]


def test_rate_limit_is_a_token_bucket_per_api_key() -> None:
    clock = FakeClock()
    app = FaultInjector(ok_app, rate_limit=RateLimit(3, 1.5), clock=clock)
    assert statuses(app, 3, key="alice") == [200, 200, 200]
    response = Client(app).get("/api/v3.0/building", headers={"X-API-Key": "alice"})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.json["status"] == 429 and "3/1.5s" in response.json["detail"]
    assert "alice" not in response.get_data(as_text=True)
    assert statuses(app, 3, key="bob") == [200, 200, 200]  # bob has his own bucket
    assert statuses(app, 1, key="") == [200]  # no key: one shared anonymous bucket
    clock.now += 0.5  # refill: 3 tokens per 1.5 s -> one token
    assert statuses(app, 2, key="alice") == [200, 429]
    clock.now += 60
    assert statuses(app, 4, key="alice") == [200, 200, 200, 429]  # the burst never exceeds N


def test_retry_after_rounds_the_wait_up_to_whole_seconds() -> None:
    clock = FakeClock()
    app = FaultInjector(ok_app, rate_limit=RateLimit(1, 10), clock=clock)
    assert statuses(app, 1) == [200]
    clock.now += 2.5
    response = Client(app).get("/api/v3.0/building", headers={"X-API-Key": "k"})
    assert response.headers["Retry-After"] == "8"


@pytest.mark.parametrize("path", ["/__mock/reset", "/__mock/requests", "/__mock", "/api/v3.0/swagger.json"])
def test_admin_and_spec_endpoints_are_never_faulted(path: str) -> None:
    slept: list[float] = []
    app = FaultInjector(
        ok_app, latency_ms=500, error_rate=1.0, rate_limit=RateLimit(1, 60), sleep=slept.append
    )
    assert statuses(app, 5, path=path) == [200] * 5
    assert slept == []


def test_faulted_paths_next_to_exempt_ones_are_faulted() -> None:
    app = FaultInjector(ok_app, error_rate=1.0)
    for path in ("/api/v3.0/swagger.json/x", "/api/v3.0/building/swagger.json", "/__mockery", "/"):
        assert statuses(app, 1, path=path) == [503], path


def test_no_fault_configured_is_inactive() -> None:
    assert not FaultInjector(ok_app).active
    assert FaultInjector(ok_app, latency_ms=1).active
    assert FaultInjector(ok_app).describe() == "none"
    assert "per API key" in FaultInjector(ok_app, rate_limit=RateLimit(5, 1)).describe()


@pytest.mark.parametrize("kwargs", [{"latency_ms": -1}, {"error_rate": 1.5}, {"error_rate": -0.1}])
def test_out_of_range_settings_are_refused(kwargs) -> None:
    with pytest.raises(ContractsError):
        FaultInjector(ok_app, **kwargs)


@given(st.integers(1, 10**6), st.integers(1, 3600), st.sampled_from(["", "s", " s", "sec", "seconds"]))
def test_rate_limit_syntax_is_parsed(requests: int, seconds: int, unit: str) -> None:
    assert RateLimit.parse(f"{requests}/{seconds}{unit}") == RateLimit(requests, float(seconds))


@given(
    st.text(max_size=12).filter(lambda s: "/" not in s)
    | st.sampled_from(["0/1", "5/0", "5/-1", "a/b", "5/", "/5", "5/1m"])
)
def test_bad_rate_limit_syntax_is_one_clear_error(text: str) -> None:
    with pytest.raises(ContractsError, match="--rate-limit"):
        RateLimit.parse(text)


@given(
    requests_per_window=st.integers(1, 20),
    seconds=st.floats(0.5, 30),
    gaps=st.lists(st.floats(0, 5), min_size=1, max_size=80),
)
def test_token_bucket_never_allows_more_than_the_burst_plus_the_refill(
    requests_per_window, seconds, gaps
) -> None:
    clock = FakeClock()
    limit = RateLimit(requests_per_window, seconds)
    app = FaultInjector(ok_app, rate_limit=limit, clock=clock)
    client = Client(app)
    allowed: list[float] = []
    for gap in gaps:
        clock.now += gap
        response = client.get("/api/v3.0/building", headers={"X-API-Key": "k"})
        if response.status_code == 200:
            allowed.append(clock.now)
        else:
            assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    rate = requests_per_window / seconds
    for i, start in enumerate(allowed):
        in_window = [t for t in allowed[i:] if t - start <= seconds]
        assert len(in_window) <= requests_per_window + rate * seconds + 1e-9


@given(requests_per_window=st.integers(1, 20), seconds=st.floats(0.5, 30), count=st.integers(1, 60))
def test_requests_spaced_by_the_refill_time_are_never_limited(requests_per_window, seconds, count) -> None:
    clock = FakeClock()
    app = FaultInjector(ok_app, rate_limit=RateLimit(requests_per_window, seconds), clock=clock)
    client = Client(app)
    for _ in range(count):
        assert client.get("/api/v3.0/building", headers={"X-API-Key": "k"}).status_code == 200
        clock.now += seconds / requests_per_window


@given(seconds_waited=st.floats(0, 100))
def test_a_client_that_waits_retry_after_is_let_through(seconds_waited) -> None:
    clock = FakeClock()
    app = FaultInjector(ok_app, rate_limit=RateLimit(2, 7), clock=clock)
    client = Client(app)
    headers = {"X-API-Key": "k"}
    assert [client.get("/x", headers=headers).status_code for _ in range(2)] == [200, 200]
    clock.now += seconds_waited
    response = client.get("/x", headers=headers)
    if response.status_code == 429:
        clock.now += int(response.headers["Retry-After"])
        assert client.get("/x", headers=headers).status_code == 200
