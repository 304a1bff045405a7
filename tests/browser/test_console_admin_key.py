"""A mock whose tokens define an admin token: the console asks for its key once and then works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from selenium.webdriver.common.by import By

from mockserver import create_app
from mockserver.auth.tokens import Token
from mockserver.http.serve import serve_in_thread
from tests.browser.conftest import console_errors
from tests.conftest import PROJECT_ROOT

TOKENS = (
    Token(key="admin-secret-key", name="console admin", permission="admin"),
    Token(key="writer-secret-key", name="writer", permission="write"),
)


@pytest.fixture(scope="module")
def guarded_mock() -> Iterator[str]:
    app = create_app([PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"], tokens=TOKENS)
    with serve_in_thread(app) as (base_url, _stop):
        yield base_url


def test_the_console_asks_for_the_admin_key_then_shows_the_log(browser, guarded_mock, wait_for) -> None:
    base_url = guarded_mock
    assert requests.get(f"{base_url}/__mock/requests", timeout=10).status_code == 401
    console_errors(browser)
    browser.get(f"{base_url}/__mock/console")
    browser.execute_script("sessionStorage.clear()")  # no admin key kept from an earlier visit
    browser.refresh()
    form = wait_for(
        lambda d: (
            d.find_element(By.ID, "admin-key-form").is_displayed() and d.find_element(By.ID, "admin-key-form")
        ),
        "the admin key form",
    )
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-ready") is None
    form.find_element(By.ID, "admin-key").send_keys("admin-secret-key")
    form.find_element(By.CSS_SELECTOR, "button[type='submit']").click()
    wait_for(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true", "the console"
    )
    requests.get(f"{base_url}/api/v3.0/folder", headers={"X-API-Key": "writer-secret-key"}, timeout=10)
    row = wait_for(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#log-rows tr.entry"), "the request in the log"
    )[0]
    assert row.find_element(By.CSS_SELECTOR, ".path").text == "/api/v3.0/folder"
    browser.find_element(By.CSS_SELECTOR, "#tabs button[data-tab='tokens']").click()
    names = wait_for(
        lambda d: [r.text for r in d.find_elements(By.CSS_SELECTOR, "#token-rows td:first-child")], "tokens"
    )
    assert names == ["console admin", "writer"]
    assert "secret-key" not in browser.page_source.replace('value="admin-secret-key"', "")
    assert console_errors(browser) == []
