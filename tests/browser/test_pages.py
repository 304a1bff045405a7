"""The pages people look at, in a real browser: the mock's front door, the console's tab URLs and
its stubs panel, and the diff's HTML page with breaking changes first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from selenium.webdriver.common.by import By

from mockserver import create_app
from mockserver.auth.tokens import Token
from mockserver.http.serve import serve_in_thread
from tests.browser.conftest import console_errors
from tests.browser.test_reports import _cli, _open
from tests.conftest import PROJECT_ROOT, real_build, requires_shared

SPECS = [PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml", PROJECT_ROOT / "specs" / "v4.0" / "baseline.yaml"]
TOKENS = (Token(key="pages-writer-key", name="pages writer", permission="write"),)
WRITE = {"X-API-Key": "pages-writer-key"}
LEVEL_RANK = {"breaking": 2, "warning": 1, "info": 0}


@pytest.fixture(scope="module")
def mock() -> Iterator[str]:
    with serve_in_thread(create_app(SPECS, tokens=TOKENS, processing_delay=0)) as (base_url, _stop):
        yield base_url


@pytest.fixture
def page(browser: Any, mock: str) -> Iterator[Any]:
    console_errors(browser)
    yield browser
    browser.get("about:blank")  # before the mock stops: the console polls it
    console_errors(browser)


def _ready(driver: Any, wait_for: Any) -> None:
    wait_for(
        lambda d: d.execute_script("return document.body.dataset.ready === 'true'"), "the console's data"
    )


def _active(driver: Any) -> tuple[str, str]:
    """(active tab button, active panel) as the page shows them."""
    button = driver.find_element(By.CSS_SELECTOR, "#tabs button.active").get_attribute("data-tab")
    panels = [
        p.get_attribute("id") for p in driver.find_elements(By.CSS_SELECTOR, ".panel") if p.is_displayed()
    ]
    return button, ",".join(panels)


def test_the_front_door_leads_to_the_console_first(page: Any, mock: str, wait_for: Any) -> None:
    page.get(f"{mock}/")
    links = page.find_elements(By.CSS_SELECTOR, "main a")
    assert links[0].text == "Open the console" and links[0].get_attribute("href") == f"{mock}/__mock/console"
    door = page.find_element(By.ID, "console")
    assert door.location["y"] < page.find_element(By.ID, "versions").location["y"]
    assert door.value_of_css_property("background-color") == "rgba(255, 255, 255, 1)"  # styled, a card
    assert page.find_element(By.CSS_SELECTOR, "header").value_of_css_property("background-color") != (
        "rgba(0, 0, 0, 0)"
    )
    operations = page.find_element(By.CSS_SELECTOR, "#versions details")
    assert not operations.find_element(By.CSS_SELECTOR, "ul").is_displayed()  # folded away
    page.find_element(By.CSS_SELECTOR, "ul.tabs a[href$='#state']").click()
    _ready(page, wait_for)
    assert page.current_url.endswith("/__mock/console#state")
    wait_for(lambda d: _active(d) == ("state", "panel-state"), "the State tab, opened by its link")
    assert console_errors(page) == []


def test_each_tab_has_its_url_kept_by_reload_and_back(page: Any, mock: str, wait_for: Any) -> None:
    page.get(f"{mock}/__mock/console")
    _ready(page, wait_for)
    assert _active(page) == ("requests", "panel-requests")
    for name in ("jobs", "tokens", "operations"):
        page.find_element(By.CSS_SELECTOR, f"#tabs button[data-tab='{name}']").click()
        assert page.current_url.endswith(f"#{name}")
        assert _active(page) == (name, f"panel-{name}")
    page.refresh()
    _ready(page, wait_for)
    wait_for(lambda d: _active(d) == ("operations", "panel-operations"), "the Operations tab after a reload")
    wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "#swagger .opblock"), "Swagger UI's operations")
    page.back()
    wait_for(lambda d: _active(d) == ("tokens", "panel-tokens"), "the Tokens tab after Back")
    assert page.current_url.endswith("#tokens")
    assert page.execute_script("return window.versions && window.versions.swaggerUI.version").startswith("5.")
    assert console_errors(page) == []


def test_the_stubs_panel_lists_adds_and_removes_stubs(page: Any, mock: str, wait_for: Any) -> None:
    requests.delete(f"{mock}/__mock/stubs", timeout=10)
    page.get(f"{mock}/__mock/console#stubs")
    _ready(page, wait_for)
    wait_for(lambda d: d.find_elements(By.ID, "no-stubs"), "the empty list")
    box = page.find_element(By.ID, "stub-json")
    box.clear()
    box.send_keys('{"id": "busy", "match": {"method": "GET", "path": "/api/v3.0/building"},'
                  ' "answer": {"status": 503}, "times": 2}')  # fmt: skip
    page.find_element(By.CSS_SELECTOR, "#stub-form button[type=submit]").click()
    row = wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "tr[data-stub='busy']"), "the new stub's row")[
        0
    ]
    assert "GET /api/v3.0/building" in row.text and "2 left" in row.text
    answer = requests.get(f"{mock}/api/v3.0/building", headers=WRITE, timeout=10)
    assert answer.status_code == 503 and answer.headers["X-Mock-Stub"] == "busy"
    page.find_element(By.ID, "stubs-refresh").click()
    wait_for(lambda d: "1 left" in d.find_element(By.CSS_SELECTOR, "tr[data-stub='busy'] .hits").text, "hits")

    box.clear()  # a stub the spec does not allow: refused, with the reason under the form
    box.send_keys(
        '{"match": {"method": "GET", "path": "/api/v3.0/building"}, "answer": {"body": [{"name": 1}]}}'
    )
    page.find_element(By.CSS_SELECTOR, "#stub-form button[type=submit]").click()
    error = wait_for(lambda d: d.find_element(By.ID, "stub-error").text, "the refusal")
    assert "not a valid 200" in error
    assert len(page.find_elements(By.CSS_SELECTOR, "#stub-table tbody tr")) == 1

    page.find_element(By.CSS_SELECTOR, "tr[data-stub='busy'] button.delete").click()
    wait_for(lambda d: d.find_elements(By.ID, "no-stubs"), "the list empty again")
    assert requests.get(f"{mock}/__mock/stubs", timeout=10).json()["stubs"] == []
    assert requests.get(f"{mock}/api/v3.0/building", headers=WRITE, timeout=10).status_code == 200
    assert [e for e in console_errors(page) if "/__mock/stubs" not in e.get("message", "")] == []


FINDINGS_IN_ORDER = """
return Array.from(document.querySelectorAll('section.operation')).map(function (s) {
  return Array.from(s.querySelectorAll('li.finding')).map(function (f) {
    return [f.dataset.level, f.dataset.ignored === 'true', f.getBoundingClientRect().top];
  });
});
"""


@requires_shared
def test_the_diff_page_shows_breaking_changes_first(browser: Any, tmp_path: Path, monkeypatch) -> None:
    old, new = real_build("v3.0", 7980).resolve(), real_build("v3.0", 30855).resolve()
    report = tmp_path / "diff.html"
    assert _cli(monkeypatch, tmp_path, "diff", str(old), str(new), "--format", "html", "-o", str(report)) == 1
    _open(browser, report)
    groups = browser.execute_script(FINDINGS_IN_ORDER)
    worst = [max(LEVEL_RANK[level] for level, ignored, _ in g if not ignored) for g in groups if g]
    assert worst[0] == 2 and worst == sorted(worst, reverse=True)
    for group in groups:
        ranks = [LEVEL_RANK[level] for level, ignored, _ in group if not ignored]
        assert ranks == sorted(ranks, reverse=True)
    height = browser.get_window_size()["height"]
    on_first_screen = [g for g in groups if g and g[0][2] < height]  # operations seen without scrolling
    assert on_first_screen and all(g[0][0] == "breaking" for g in on_first_screen)
    assert console_errors(browser) == []
