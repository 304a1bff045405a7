"""``mockserver.testing.running()``: the mock over HTTP for scripts and unittest, and its helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests

from contracts.errors import ContractsError
from mockserver.testing import MockOptions, running
from tests.conftest import PROJECT_ROOT

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
ADMIN_TOKENS = [
    {"key": "team-read", "name": "reader", "permission": "read"},
    {"key": "team-admin", "name": "admin", "permission": "admin"},
]


@pytest.fixture(scope="module")
def mock() -> Any:
    with running(specs=[V3], tokens=ADMIN_TOKENS, processing_delay=60) as served:
        yield served


def test_serves_over_http_with_the_given_tokens(mock: Any) -> None:
    mock.reset()
    assert mock.url.startswith("http://127.0.0.1:") and mock.versions == ("v3.0",)
    answer = requests.get(mock.api() + "/account", headers={"X-API-Key": mock.key("read")}, timeout=5)
    assert answer.status_code == 200
    assert (
        requests.get(mock.api() + "/account", headers={"X-API-Key": "dev-read"}, timeout=5).status_code == 401
    )
    # the admin token defined: admin calls need its key, and the helpers send it
    assert requests.get(mock.url + "/__mock/requests", timeout=5).status_code == 401
    assert [r["status"] for r in mock.requests()] == [200, 401]


def test_key_finds_tokens_by_permission_scope_and_name(mock: Any) -> None:
    assert mock.key("read") == "team-read"
    assert mock.key(name="admin") == "team-admin"
    with pytest.raises(ContractsError, match="no served token with permission 'write'"):
        mock.key("write")
    with pytest.raises(ContractsError, match="and scope 'folder:x'"):
        mock.key("read", scope="folder:x")
    with pytest.raises(ContractsError, match="v9.0 is not served"):
        mock.api("v9.0")


def test_requests_and_count_filter_on_the_server(mock: Any) -> None:
    mock.reset()
    key = {"X-API-Key": mock.key("read")}
    for suffix in ("/building", "/building", "/account"):
        requests.get(mock.api() + suffix, headers=key, timeout=5)
    assert len(mock.requests(method="GET", path="/api/v3.0/building")) == 2
    assert mock.requests(method="POST") == []
    assert mock.count(path="/api/v3.0/{any}") == 3
    assert mock.count(method="GET", status="2xx") == 3
    newest = mock.requests()[-1]["seq"]
    assert mock.requests(since=newest) == []


def test_jobs_finish_and_fail_by_kind(mock: Any) -> None:
    mock.reset()
    with pytest.raises(ContractsError, match="no running file-processing job"):
        mock.fail_job(kind="file-processing")
    assert mock.finish_jobs() == 0
    with pytest.raises(ContractsError, match=r"POST /__mock/jobs/nope/fail: 404"):
        mock.fail_job("nope")


def test_stub_helpers_add_list_and_remove(mock: Any) -> None:
    mock.reset()
    created = mock.stub(match={"method": "GET", "path": "/api/v3.0/account"}, answer={"status": 503})
    assert [s["id"] for s in mock.stubs()] == [created["id"]]
    key = {"X-API-Key": mock.key("read")}
    assert requests.get(mock.api() + "/account", headers=key, timeout=5).status_code == 503
    mock.remove_stub(created["id"])
    assert mock.stubs() == []
    mock.stub({"match": {"method": "GET", "path": "/api/v3.0/account"}, "answer": {"status": 500}})
    mock.reset()
    assert (
        mock.stubs() == []
        and requests.get(mock.api() + "/account", headers=key, timeout=5).status_code == 200
    )


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"specz": [V3]}, "unknown mock option specz"),
        ({"specs": [Path("/nowhere.yaml")]}, "/nowhere.yaml"),
        ({"specs_dir": "/nowhere"}, "no such folder"),
        ({"specs": [V3], "tokens": [{"key": "k", "name": "n", "permission": "god"}]}, "god"),
        ({"specs": [V3], "processing_delay": -1}, "expected a number of seconds"),
        ({"specs": [V3], "stubs": "/nowhere.yaml"}, "no such stubs file"),
    ],
)
def test_bad_options_are_one_line_errors_before_serving(options: dict[str, Any], words: str) -> None:
    with pytest.raises(ContractsError, match=words), running(**options):
        pass


def test_the_port_is_free_again_after_the_block() -> None:
    with running(specs=[V3]) as served:
        url = served.url
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/__mock/health", timeout=2)


def test_equal_options_are_equal_whatever_their_spelling() -> None:
    assert MockOptions.of(spec=V3) == MockOptions.of(specs=[str(V3)])
    assert MockOptions.of(tokens=ADMIN_TOKENS) == MockOptions.of(tokens=[dict(t) for t in ADMIN_TOKENS])
    assert hash(MockOptions.of(tokens=ADMIN_TOKENS, fixtures=Path("f.yaml"))) is not None
