"""The HTML reports, opened from disk in a real browser: their findings render, the diff's filter works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

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
    driver.get("about:blank")  # whatever page was open stops talking to its (maybe stopped) server
    console_errors(driver)  # and what it logged is not this page's
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


SHOWN_FINDINGS = """
return Array.from(document.querySelectorAll("li.finding"))
  .filter((f) => f.checkVisibility() && f.getBoundingClientRect().height > 0)
  .map((f) => ({
    level: f.dataset.level,
    rule: f.dataset.rule,
    levelText: f.querySelector(".level").textContent,
    message: f.querySelector(".message").textContent,
    text: f.textContent,
    operation: (f.closest("section.operation") || {dataset: {}}).dataset.operation,
  }));
"""


def _shown(driver: Any) -> list[dict[str, str]]:
    """The findings the page shows (read in one script call: a report has hundreds)."""
    return driver.execute_script(SHOWN_FINDINGS)


def _levels(findings: list[dict[str, str]]) -> set[str]:
    return {f["level"] for f in findings}


def _only_levels(driver: Any, *levels: str) -> None:
    """Tick exactly ``levels`` in the report's filter (``form#filters input[name=level]``)."""
    for box in driver.find_elements(By.CSS_SELECTOR, "form#filters input[name=level]"):
        if box.is_selected() != (box.get_attribute("value") in levels):
            box.click()


def test_the_diff_report_renders_findings_and_filters_them(browser, tmp_path, monkeypatch) -> None:
    old, new = real_build("v3.0", 7980).resolve(), real_build("v3.0", 30855).resolve()
    report = tmp_path / "diff.html"
    code = _cli(
        monkeypatch, tmp_path, "diff", str(old), str(new), "--format", "html", "--output", str(report)
    )
    assert code == 1 and report.is_file()  # this pair has breaking changes
    _open(browser, report)
    _only_levels(browser, "breaking", "warning", "info")
    findings = _shown(browser)
    total = len(browser.find_elements(By.CSS_SELECTOR, "li.finding"))
    assert len(findings) == total > 0 and {"breaking", "warning"} <= _levels(findings)
    for finding in findings:  # each finding shows its level and message, grouped under its operation
        assert finding["levelText"].lower() == finding["level"]
        assert finding["message"].strip() and finding["operation"]
    assert browser.find_element(By.ID, "shown-count").text == f"{total} of {total} findings shown"

    _only_levels(browser, "breaking")
    breaking = _shown(browser)
    assert breaking and _levels(breaking) == {"breaking"} and len(breaking) < total
    assert browser.find_element(By.ID, "shown-count").text == f"{len(breaking)} of {total} findings shown"
    hidden_groups = [
        s for s in browser.find_elements(By.CSS_SELECTOR, "section.operation") if not s.is_displayed()
    ]
    assert hidden_groups  # operations with no breaking change fold away

    rule = breaking[0]["rule"]
    browser.find_element(By.ID, "filter-text").send_keys(rule)
    by_rule = _shown(browser)
    assert by_rule and all(rule in f["text"] for f in by_rule) and len(by_rule) <= len(breaking)
    search = browser.find_element(By.ID, "filter-text")
    search.clear()
    search.send_keys("no finding says this 42")
    assert _shown(browser) == [] and browser.find_element(By.ID, "no-match").is_displayed()
    assert console_errors(browser) == []
