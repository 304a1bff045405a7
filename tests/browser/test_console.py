"""The developer console in a real browser, against a served mock: log, problems, state, jobs, tokens.

The page is loaded once for the module and never reloaded: every later change must reach it live.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from selenium.webdriver.common.by import By

from mockserver import create_app
from mockserver.auth.tokens import Token
from mockserver.http.serve import serve_in_thread
from tests.browser.conftest import console_errors
from tests.conftest import PROJECT_ROOT
from tests.mock.conftest import body_for

SPECS = [PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml", PROJECT_ROOT / "specs" / "v4.0" / "baseline.yaml"]
TOKENS = (
    Token(key="writer-secret-key", name="browser writer", permission="write"),
    Token(key="reader-secret-key", name="browser reader", permission="read", scope="building:0000"),
)
WRITE = {"X-API-Key": "writer-secret-key"}


@pytest.fixture(scope="module")
def mock() -> Iterator[tuple[str, Any]]:
    app = create_app(SPECS, tokens=TOKENS, processing_delay=3600)  # jobs wait for the buttons
    with serve_in_thread(app) as (base_url, _stop):
        yield base_url, app


@pytest.fixture(scope="module")
def console(browser: Any, mock: tuple[str, Any]) -> Iterator[Any]:
    """The console page, loaded once; the marker shows later that it was never reloaded."""
    base_url, _app = mock
    console_errors(browser)  # start from an empty browser log
    browser.get(f"{base_url}/__mock/console")
    yield browser
    browser.get("about:blank")  # before the mock stops: the page polls it, and the next test's log
    console_errors(browser)  # starts empty


def _tab(driver: Any, name: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f"#tabs button[data-tab='{name}']").click()


def _log_rows(driver: Any, path: str, status: int) -> list[Any]:
    return [
        row
        for row in driver.find_elements(By.CSS_SELECTOR, "#log-rows tr.entry")
        if row.find_element(By.CSS_SELECTOR, ".path").text == path
        and row.find_element(By.CSS_SELECTOR, ".status").text == str(status)
    ]


def test_the_console_loads_every_panel_without_console_errors(console, wait_for) -> None:
    wait_for(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true", "the console"
    )
    console.execute_script("window.loadedOnce = true")
    for name in ("operations", "state", "jobs", "tokens", "requests"):
        _tab(console, name)
        wait_for(lambda d, n=name: d.find_element(By.ID, f"panel-{n}").is_displayed(), f"the {name} panel")
    wait_for(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#swagger .opblock")) > 10, "Swagger UI operations"
    )
    assert console.find_element(By.ID, "status").text == ""
    assert console_errors(console) == []


def test_a_client_request_appears_in_the_log_without_reload(console, mock, wait_for) -> None:
    base_url, _app = mock
    _tab(console, "requests")
    response = requests.get(f"{base_url}/api/v3.0/building?skip=0", headers=WRITE, timeout=10)
    assert response.status_code == 200
    rows = wait_for(lambda d: _log_rows(d, "/api/v3.0/building?skip=0", 200), "the GET in the request log")
    row = rows[0]
    assert row.find_element(By.CSS_SELECTOR, ".method").text == "GET"
    assert row.find_element(By.CSS_SELECTOR, ".key").text == TOKENS[0].masked()
    assert "writer-secret-key" not in console.page_source
    assert console.execute_script("return window.loadedOnce") is True
    # newest first: a second request lands above the first
    requests.get(f"{base_url}/api/v3.0/folder", headers=WRITE, timeout=10)
    wait_for(lambda d: _log_rows(d, "/api/v3.0/folder", 200), "the second GET")
    first = console.find_element(By.CSS_SELECTOR, "#log-rows tr.entry .path").text
    assert first == "/api/v3.0/folder"


def test_an_invalid_request_shows_its_problems_and_bodies(console, mock, wait_for) -> None:
    base_url, _app = mock
    _tab(console, "requests")
    answer = requests.post(f"{base_url}/api/v3.0/building", json={"name": 5}, headers=WRITE, timeout=10)
    assert answer.status_code == 400
    row = wait_for(lambda d: _log_rows(d, "/api/v3.0/building", 400), "the 400 in the request log")[0]
    problems = row.find_elements(By.CSS_SELECTOR, "ul.problems li")
    shown = {p.find_element(By.TAG_NAME, "code").text: p.text for p in problems}
    expected = {e["location"] for e in answer.json()["errors"]}
    assert set(shown) == expected and "body.name" in shown
    assert "string" in shown["body.name"]
    row.click()
    detail = wait_for(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#log-rows tr.detail pre.body"), "the bodies"
    )
    assert '"name": 5' in detail[0].text
    assert "body.name" in detail[1].text  # the ProblemDetails answer


def test_a_leniency_the_mock_applied_is_named_in_the_log(console, mock, wait_for) -> None:
    base_url, app = mock
    _tab(console, "requests")
    folder = requests.get(f"{base_url}/api/v3.0/folder", headers=WRITE, timeout=10).json()[0]
    naive = "2026-11-30T20:18:35"  # no offset: the platform accepts it, the spec's date-time does not
    body = body_for(app, "v3.0", "POST", "/building", folderId=folder["id"], completionDate=naive)
    created = requests.post(f"{base_url}/api/v3.0/building", json=body, headers=WRITE, timeout=10)
    assert created.status_code == 201 and "X-Mock-Leniency" in created.headers, created.text
    row = wait_for(lambda d: _log_rows(d, "/api/v3.0/building", 201), "the lenient create in the log")[0]
    leniency = row.find_element(By.CSS_SELECTOR, "ul.leniencies li").text
    assert leniency == "leniency datetime-without-offset at body.completionDate"


def test_the_state_view_shows_a_created_entity_and_opens_its_get(console, mock, wait_for) -> None:
    base_url, app = mock
    folder = requests.get(f"{base_url}/api/v3.0/folder", headers=WRITE, timeout=10).json()[0]
    body = body_for(app, "v3.0", "POST", "/building", folderId=folder["id"], name="seen-in-the-browser")
    created = requests.post(f"{base_url}/api/v3.0/building", json=body, headers=WRITE, timeout=10)
    assert created.status_code == 201, created.text
    building_id = created.json()["id"]
    _tab(console, "state")
    selector = f"#state tr[data-collection='building'][data-id='{building_id}']"
    row = wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, selector), "the new building in the state")[0]
    assert "seen-in-the-browser" in row.text
    assert folder["id"][:8] in row.text  # its parent folder
    folder_row = console.find_element(
        By.CSS_SELECTOR, f"#state tr[data-collection='folder'][data-id='{folder['id']}']"
    )
    assert building_id[:8] in folder_row.text  # listed among the folder's children
    row.find_element(By.CSS_SELECTOR, "a.get").click()
    title = wait_for(lambda d: d.find_element(By.ID, "entity-title").text, "the entity's GET")
    assert title == f"GET /api/v3.0/building/{building_id} → 200"
    assert "seen-in-the-browser" in console.find_element(By.ID, "entity-body").text


def test_try_it_in_operations_calls_as_the_chosen_token(console, mock, wait_for) -> None:
    _tab(console, "operations")
    summary = wait_for(
        lambda d: [
            s
            for s in d.find_elements(By.CSS_SELECTOR, "#swagger .opblock-get .opblock-summary")
            if s.find_element(By.CSS_SELECTOR, ".opblock-summary-path").get_attribute("data-path")
            == "/api/v3.0/folder"
        ],
        "GET /api/v3.0/folder in Swagger UI",
    )[0]
    summary.click()
    block = summary.find_element(By.XPATH, "./..")
    # the console opens every operation ready to try (tryItOutEnabled): Execute is there at once
    wait_for(lambda d: block.find_element(By.CSS_SELECTOR, "button.execute"), "Execute").click()
    status = wait_for(
        lambda d: (
            block.find_element(By.CSS_SELECTOR, ".live-responses-table .response .response-col_status").text
        ),
        "the response",
    )
    assert status.strip() == "200"
    _tab(console, "requests")
    row = wait_for(lambda d: _log_rows(d, "/api/v3.0/folder", 200), "the try-it call in the log")[0]
    assert row.find_element(By.CSS_SELECTOR, ".key").text == TOKENS[0].masked()


def _start_refinement(base_url: str, index: int) -> tuple[str, str]:
    """Start a refinement job on a fixture file; returns its GET path and the file id."""
    building = requests.get(f"{base_url}/api/v3.0/building", headers=WRITE, timeout=10).json()[0]["id"]
    files = requests.get(f"{base_url}/api/v3.0/building/{building}/files", headers=WRITE, timeout=10).json()
    path = f"/api/v3.0/building/{building}/files/{files[index]['id']}"
    started = requests.post(f"{base_url}{path}/startrefinement", headers=WRITE, timeout=10)
    assert started.status_code < 300, started.text
    return path, files[index]["id"]


def _file_status(driver: Any, file_id: str) -> str:
    row = driver.find_element(
        By.CSS_SELECTOR, f"#state tr[data-collection='building/files'][data-id='{file_id}']"
    )
    return row.find_element(By.CSS_SELECTOR, "[data-field='status']").text


def test_finishing_a_job_moves_the_file_status(console, mock, wait_for) -> None:
    base_url, _app = mock
    path, file_id = _start_refinement(base_url, 0)
    _tab(console, "state")
    wait_for(lambda d: _file_status(d, file_id) == "status: Refining", "the file refining in the state view")
    _tab(console, "jobs")
    job = wait_for(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#jobs tr[data-state='running']"), "the running job"
    )[0]
    assert "Refining" in job.find_element(By.CSS_SELECTOR, ".job-status").text
    job.find_element(By.CSS_SELECTOR, "button.finish").click()
    done = wait_for(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#jobs tr[data-state='done']"), "the finished job"
    )
    assert done[0].find_element(By.CSS_SELECTOR, ".job-status").text == "Mapped"
    assert requests.get(f"{base_url}{path}", headers=WRITE, timeout=10).json()["status"] == "Mapped"
    _tab(console, "state")
    wait_for(lambda d: _file_status(d, file_id) == "status: Mapped", "the file mapped in the state view")


def test_failing_a_job_shows_the_failure_status(console, mock, wait_for) -> None:
    base_url, _app = mock
    path, _file_id = _start_refinement(base_url, 1)
    _tab(console, "jobs")
    job = wait_for(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#jobs tr[data-state='running']"), "the running job"
    )[0]
    job.find_element(By.CSS_SELECTOR, "button.fail").click()
    failed = wait_for(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#jobs tr[data-state='failed']"), "the failed job"
    )
    status = failed[0].find_element(By.CSS_SELECTOR, ".job-status").text
    assert status == requests.get(f"{base_url}{path}", headers=WRITE, timeout=10).json()["status"]
    assert status in ("RefineFailed", "Error")


def test_tokens_are_shown_masked(console, wait_for) -> None:
    _tab(console, "tokens")
    read = "return [...document.querySelectorAll('#token-rows tr')].map(r => [...r.cells].map(c => c.innerText.trim()))"
    shown = wait_for(lambda d: d.execute_script(read), "the tokens")  # one read: the panel may re-render
    assert shown == [
        ["browser writer", TOKENS[0].masked(), "write", "account", "never"],
        ["browser reader", TOKENS[1].masked(), "read", "building:0000", "never"],
    ]
    assert "secret-key" not in console.page_source


def test_the_console_never_reloaded_and_logged_no_errors(console) -> None:
    assert console.execute_script("return window.loadedOnce") is True
    assert console_errors(console) == []
