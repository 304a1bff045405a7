"""The HTML reports, opened from disk in a real browser: their findings render, the diff's filter works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from contracts.cli import main
from tests.browser.conftest import console_errors
from tests.conftest import real_build
from tests.runner.broken_api import KEY, BrokenApi, serving

READ_OPS = r"^GET /api/v3\.0/(account|system|folder)"
PLANTED = {  # (operation, check) the broken API is known to break, as the runner reports them
    ("GET /api/v3.0/account", "response_schema_conformance"),
    ("GET /api/v3.0/system/buildingusages", "not_a_server_error"),
}


def _cli(monkeypatch: pytest.MonkeyPatch, cwd: Path, *argv: str) -> int:
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("MADASTER_API_KEY", raising=False)
    return main(list(argv))


def _open(driver: Any, path: Path) -> None:
    console_errors(driver)
    driver.get(path.resolve().as_uri())


def _visible(elements: list[Any]) -> list[Any]:
    return [e for e in elements if e.is_displayed() and e.size["height"] > 0]


def test_the_runner_report_renders_each_planted_failure(browser, tmp_path, monkeypatch) -> None:
    spec = real_build("v3.0", 28168).resolve()
    report = tmp_path / "report.html"
    with serving(BrokenApi()) as url:
        code = _cli(
            monkeypatch,
            tmp_path,
            "test",
            *("--spec", str(spec), "--base-url", url, "--api-key", KEY),
            *("--operation", READ_OPS, "--max-examples", "3", "--seed", "7"),
            *("--report", str(report)),
        )
    assert code == 1 and report.is_file()
    _open(browser, report)
    verdict = browser.find_element(By.ID, "verdict")
    assert verdict.is_displayed() and "failed" in verdict.get_attribute("class").split()
    assert [
        row.text.split()[-1] for row in browser.find_elements(By.CSS_SELECTOR, "#summary tr.version")
    ] == ["failed"]
    failures = _visible(browser.find_elements(By.CSS_SELECTOR, "article.failure"))
    shown = {(f.get_attribute("data-operation"), f.get_attribute("data-check")) for f in failures}
    assert shown >= PLANTED
    for failure in failures:
        heading = failure.find_element(By.TAG_NAME, "h3").text
        assert (
            failure.get_attribute("data-operation") in heading
            and failure.get_attribute("data-check") in heading
        )
        assert failure.find_element(By.CSS_SELECTOR, ".status").text.startswith("Response:")
        curls = _visible(failure.find_elements(By.CSS_SELECTOR, "pre.curl"))
        assert curls and all(c.text.startswith("curl ") for c in curls)
    assert "$MADASTER_API_KEY" in browser.page_source and KEY not in browser.page_source
    assert console_errors(browser) == []


def _levels(findings: list[Any]) -> set[str]:
    return {f.get_attribute("data-level") for f in findings}


def _filter_to(driver: Any, level: str) -> None:
    """Use the report's filter control to show ``level`` findings only (a select or checkboxes)."""
    selects = [s for s in driver.find_elements(By.TAG_NAME, "select") if s.is_displayed()]
    if selects:
        Select(selects[0]).select_by_value(level)
        return
    boxes = [b for b in driver.find_elements(By.CSS_SELECTOR, "input[type=checkbox]") if b.is_displayed()]
    assert boxes, "the diff report has no filter control (a select or checkboxes)"
    for box in boxes:
        if box.is_selected() != (box.get_attribute("value") == level):
            box.click()


@pytest.mark.xfail(reason="diff --format html is not merged yet (branch diff)", strict=False)
def test_the_diff_report_renders_findings_and_filters_them(browser, tmp_path, monkeypatch) -> None:
    old, new = real_build("v3.0", 7980).resolve(), real_build("v3.0", 30855).resolve()
    report = tmp_path / "diff.html"
    code = _cli(
        monkeypatch, tmp_path, "diff", str(old), str(new), "--format", "html", "--output", str(report)
    )
    assert code in (0, 1) and report.is_file()
    _open(browser, report)
    findings = _visible(browser.find_elements(By.CSS_SELECTOR, ".finding"))
    assert findings and {"breaking", "warning"} <= _levels(findings)
    assert all(f.text.strip() for f in findings)
    total = len(findings)
    _filter_to(browser, "breaking")
    breaking = _visible(browser.find_elements(By.CSS_SELECTOR, ".finding"))
    assert breaking and _levels(breaking) == {"breaking"} and len(breaking) < total
    assert console_errors(browser) == []
