"""Faults around the real app, served by waitress in a thread: errors look like the app's own errors."""

from __future__ import annotations

import pytest
import requests

from mockserver import create_app
from mockserver.admin.faults import FaultInjector, RateLimit
from mockserver.http.serve import serve_in_thread
from tests.conftest import real_build
from tests.serve.mock_client import READ


@pytest.fixture(scope="module")
def spec_v3():
    return real_build("v3.0", 30855)


def test_injected_errors_match_the_apps_problem_details(spec_v3) -> None:
    plain = create_app([spec_v3])
    with (
        serve_in_thread(plain) as (plain_url, _),
        serve_in_thread(FaultInjector(plain, error_rate=1.0)) as (base_url, _),
    ):
        own = requests.get(f"{plain_url}/api/v3.0/account", headers={"X-API-Key": "nope"}, timeout=10)
        injected = requests.get(f"{base_url}/api/v3.0/account", headers=READ, timeout=10)
        spec = requests.get(f"{base_url}/api/v3.0/swagger.json", timeout=10)
        health = requests.get(f"{base_url}/__mock/health", timeout=10)
    assert own.status_code == 401 and injected.status_code == 503
    assert injected.headers["Content-Type"] == own.headers["Content-Type"]
    assert set(own.json()) >= set(injected.json()) >= {"type", "title", "status", "detail"}
    assert injected.json()["instance"] == "/api/v3.0/account"
    assert spec.status_code == 200 and health.status_code == 200


def test_rate_limit_spares_other_keys_and_the_admin_endpoints(spec_v3) -> None:
    app = FaultInjector(create_app([spec_v3]), rate_limit=RateLimit(2, 60))
    with serve_in_thread(app) as (base_url, _):
        url = f"{base_url}/api/v3.0/account"
        reader = [requests.get(url, headers=READ, timeout=10).status_code for _ in range(3)]
        writer = requests.get(url, headers={"X-API-Key": "dev-write"}, timeout=10).status_code
        admin = [requests.get(f"{base_url}/__mock/health", timeout=10).status_code for _ in range(5)]
    assert reader == [200, 200, 429]
    assert writer == 200
    assert admin == [200] * 5


def test_a_created_entity_is_served_back_through_waitress(spec_v3) -> None:
    from tests.serve.mock_client import WRITE, building_body

    with serve_in_thread(create_app([spec_v3])) as (base_url, _):
        created = requests.post(
            f"{base_url}/api/v3.0/building",
            json=building_body(base_url, "threaded"),
            headers=WRITE,
            timeout=10,
        )
        assert created.status_code == 201
        fetched = requests.get(
            f"{base_url}/api/v3.0/building/{created.json()['id']}", headers=READ, timeout=10
        )
    assert fetched.status_code == 200 and fetched.json()["name"] == "threaded"
