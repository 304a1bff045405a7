"""The proxy in front of the mock: a clean session passes untouched with verdict ok; bad requests are named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from contracts.proxy.app import PROXY_IDENT, VERDICT_HEADER
from tests.mock.conftest import WRITE, body_for
from tests.proxy.conftest import spec_doc
from tests.proxy.proxy_helpers import V3, running_proxy, v3_workflow

IGNORED_HEADERS = {"date", "via", VERDICT_HEADER.lower()}


def test_a_clean_session_passes_with_verdict_ok(mock_app: Any, mock_url: str, v3_doc: dict[str, Any]) -> None:
    with running_proxy(mock_url, {"v3.0": v3_doc}) as proxy:
        session = v3_workflow(mock_app, proxy.url)
    verdicts = [response.headers[VERDICT_HEADER] for _, response in session]
    assert verdicts == ["ok"] * len(session), proxy.console.getvalue()
    assert proxy.console.getvalue() == ""
    assert proxy.reporter.exchanges == len(session)
    assert "0 with violations" in proxy.reporter.summary()


def test_answers_are_the_targets_byte_for_byte(mock_url: str, v3_doc: dict[str, Any]) -> None:
    with running_proxy(mock_url, {"v3.0": v3_doc}) as proxy:
        for path in ("/building", "/folder", "/system/classificationmethods", "/building/nope"):
            direct = requests.get(mock_url + V3 + path, headers=WRITE, timeout=10)
            proxied = requests.get(proxy.url + V3 + path, headers=WRITE, timeout=10)
            assert proxied.status_code == direct.status_code
            assert proxied.content == direct.content
            assert _headers(proxied) == _headers(direct)
            assert proxied.headers["Via"] == PROXY_IDENT  # the one header a proxy adds, by the HTTP rules


def test_a_request_that_breaks_the_contract_is_named_and_still_forwarded(
    mock_app: Any, mock_url: str, v3_doc: dict[str, Any], tmp_path: Path
) -> None:
    log = tmp_path / "proxy.jsonl"
    with running_proxy(mock_url, {"v3.0": v3_doc}, log=log) as proxy:
        body = body_for(mock_app, "v3.0", "POST", "/building", name=7)
        response = requests.post(proxy.url + V3 + "/building", json=body, headers=WRITE, timeout=10)
    assert response.status_code == 400  # the mock's own answer: it was forwarded
    assert response.headers[VERDICT_HEADER] == "violations=2"
    line = proxy.console.getvalue().strip()
    assert line.startswith("✗ POST /api/v3.0/building -> 400 [POST /api/v3.0/building]")
    assert "request body.name" in line
    record = json.loads(log.read_text().splitlines()[0])
    assert record["operation"] == "POST /api/v3.0/building"
    assert record["violations"] == [
        {"side": "request", "location": "body.name", "message": '7 is not of type "string"'},
        # build 28168 declares only 201 for this operation: the mock's 400 is outside the contract
        {"side": "response", "location": "status", "message": "status 400 is not declared (declared: 201)"},
    ]
    logged = [e["path"] for e in mock_app.extensions["mockserver"]["log"].entries()]
    assert logged == ["/api/v3.0/building"]


def test_strict_mode_answers_400_without_forwarding(
    mock_app: Any, mock_url: str, v3_doc: dict[str, Any]
) -> None:
    with running_proxy(mock_url, {"v3.0": v3_doc}, strict=True) as proxy:
        bad = requests.get(proxy.url + V3 + "/building/x/y/z/w", headers=WRITE, timeout=10)
        good = requests.get(proxy.url + V3 + "/building", headers=WRITE, timeout=10)
    assert bad.status_code == 400
    problem = bad.json()
    assert problem["status"] == 400 and "breaks the contract" in problem["detail"]
    assert problem["errors"][0]["location"] == "path"
    assert bad.headers[VERDICT_HEADER] == "violations=1"
    assert good.status_code == 200 and good.headers[VERDICT_HEADER] == "ok"
    logged = [e["path"] for e in mock_app.extensions["mockserver"]["log"].entries()]
    assert logged == ["/api/v3.0/building"]  # the bad one never reached the target


def test_paths_outside_the_contract_pass_unchecked(mock_url: str, v3_doc: dict[str, Any]) -> None:
    with running_proxy(mock_url, {"v3.0": v3_doc}) as proxy:
        index = requests.get(proxy.url + "/", timeout=10)
        swagger = requests.get(proxy.url + V3 + "/swagger.json", timeout=10)
    assert index.status_code == 200 and index.headers[VERDICT_HEADER] == "unchecked"
    assert swagger.json()["openapi"].startswith("3.")
    assert proxy.reporter.with_violations == 0


def test_target_down_is_a_502_problem(v3_doc: dict[str, Any]) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with running_proxy(f"http://127.0.0.1:{port}", {"v3.0": v3_doc}) as proxy:
        response = requests.get(proxy.url + V3 + "/building", headers=WRITE, timeout=10)
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert "refused the connection" in response.json()["detail"]
    assert "answered by the proxy" in proxy.console.getvalue()


def _headers(response: requests.Response) -> list[tuple[str, str]]:
    return sorted((k.lower(), v) for k, v in response.headers.items() if k.lower() not in IGNORED_HEADERS)


def test_known_platform_leniencies_are_noted_not_counted(
    mock_app: Any, mock_url: str, v3_doc: dict[str, Any], tmp_path: Path
) -> None:
    """A date-time without an offset: the platform (and the mock) accept it, the spec does not say so."""
    folder = mock_app.test_client().get(V3 + "/folder", headers=WRITE).get_json()[0]["id"]
    body = body_for(mock_app, "v3.0", "POST", "/building", folderId=folder, completionDate="2024-11-10T13:21")
    log = tmp_path / "proxy.jsonl"
    with running_proxy(mock_url, {"v3.0": v3_doc}, log=log) as proxy:
        lenient = requests.post(proxy.url + V3 + "/building", json=body, headers=WRITE, timeout=10)
    with running_proxy(mock_url, {"v3.0": v3_doc}, lenient=False) as proxy:
        strict = requests.post(proxy.url + V3 + "/building", json=body, headers=WRITE, timeout=10)
    assert lenient.status_code == 201 and "datetime-without-offset" in lenient.headers["X-Mock-Leniency"]
    assert lenient.headers[VERDICT_HEADER] == "ok; leniencies=1"
    record = json.loads(log.read_text())
    assert record["leniencies"] == ["request body.completionDate: datetime-without-offset"]
    assert strict.headers[VERDICT_HEADER] == "violations=1"
    assert "request body.completionDate: " in proxy.console.getvalue()


def test_a_response_leniency_is_noted_and_a_real_problem_still_counts(
    mock_app: Any, v3_doc: dict[str, Any]
) -> None:
    building = mock_app.test_client().get(V3 + "/building", headers=WRITE).get_json()[0]
    naive = {**building, "completionDate": "2024-11-10T13:21:00.123456"}
    broken = {**naive, "name": 12}
    answers = {f"{V3}/building/{building['id']}": naive, f"{V3}/building/{building['folderId']}": broken}

    def target(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        payload = json.dumps(answers[environ["PATH_INFO"]]).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [payload]

    from mockserver.http.serve import serve_in_thread

    with (
        serve_in_thread(target, threads=2) as running,
        running_proxy(running.base_url, {"v3.0": v3_doc}) as proxy,
    ):
        ok = requests.get(proxy.url + V3 + f"/building/{building['id']}", timeout=10)
        bad = requests.get(proxy.url + V3 + f"/building/{building['folderId']}", timeout=10)
    assert ok.headers[VERDICT_HEADER] == "ok; leniencies=1"
    assert bad.headers[VERDICT_HEADER] == "violations=1; leniencies=1"
    assert "response body.name: 12 is not valid" in proxy.console.getvalue()


def test_an_accept_language_range_is_a_leniency_as_on_the_mock(mock_url: str, v3_doc: dict[str, Any]) -> None:
    """``Accept-Language: *`` (every fetch client's) and ``nl-NL,nl;q=0.9``: the mock reads them,
    so the proxy notes the leniency; ``--no-leniency`` counts them; a foreign language still counts."""
    url = V3 + "/system/buildingusages"
    with running_proxy(mock_url, {"v3.0": v3_doc}) as proxy:
        verdicts = {
            value: requests.get(proxy.url + url, headers={**WRITE, "Accept-Language": value}, timeout=10)
            for value in ("*", "nl-NL,nl;q=0.9", "xx")
        }
    with running_proxy(mock_url, {"v3.0": v3_doc}, lenient=False) as proxy:
        strict = requests.get(proxy.url + url, headers={**WRITE, "Accept-Language": "*"}, timeout=10)
    assert verdicts["*"].status_code == 200 and verdicts["*"].headers[VERDICT_HEADER] == "ok; leniencies=1"
    assert verdicts["nl-NL,nl;q=0.9"].headers[VERDICT_HEADER] == "ok; leniencies=1"
    assert verdicts["xx"].status_code == 400 and verdicts["xx"].headers[VERDICT_HEADER].startswith(
        "violations="
    )
    assert "leniencies" not in verdicts["xx"].headers[VERDICT_HEADER]
    assert strict.headers[VERDICT_HEADER] == "violations=1"


@pytest.mark.parametrize("build", [28168, 17265])
def test_a_commodity_type_naming_no_subtype_is_a_violation_as_on_the_mock(build: int) -> None:
    """One reading for the mock, the runner and the proxy: the published union takes any
    commodityType as the abstract base; the platform builds only Material and Product."""
    from contracts.proxy.contract import ContractSet

    doc = spec_doc("v4.0", build)
    body = json.dumps({"commodityType": "AAA", "databaseId": "4b872da2-2156-45a8-8161-c078f3b98199"})
    material = json.dumps({"commodityType": "Material", "databaseId": "4b872da2-2156-45a8-8161-c078f3b98199"})
    for lenient, expected in ((True, ["body"]), (False, [])):
        contracts = ContractSet({"v4.0": doc}, lenient=lenient)
        routed = contracts.route("POST", "/api/v4.0/commodity")
        checked = contracts.check_request(routed, "", {}, "application/json", body.encode())
        assert [v.location for v in checked.violations] == expected, checked.violations
        fine = contracts.check_request(routed, "", {}, "application/json", material.encode())
        assert fine.violations == [], fine.violations
