"""Reports reproduce what happened: full messages, phases, chains, curls as sent, no key, escaped HTML."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.runner.cleanup import collapse
from contracts.runner.curl import curl_for_sent
from contracts.runner.ledger import PathTemplates
from contracts.runner.redact import Redactor
from contracts.runner.reporting.console import ConsoleReporter, failure_lines
from contracts.runner.reporting.html import html_report
from contracts.runner.reporting.junit import junit_xml
from contracts.runner.results import ChainStep, FailureReport, RunResult, VersionResult
from contracts.runner.transport import SentRequest


def failure(
    phase: str = "coverage", message: str = "Invalid data accepted\nmissing required property: parentId"
):
    return FailureReport(
        operation="POST /api/v3.0/folder",
        check="negative_data_rejection",
        title="API accepted schema-violating request",
        message=message,
        status=201,
        response_excerpt='{"id": "1"}',
        curl="curl -X POST x",
        phase=phase,
    )


def test_a_failure_found_in_two_phases_is_listed_once_with_both() -> None:
    version = VersionResult(label="v3.0", source="s", target="t", seed=1)
    assert version.add_failure(failure("coverage"))
    assert not version.add_failure(failure("fuzzing"))
    assert not version.add_failure(failure("coverage"))
    assert len(version.failures) == 1 and version.failures[0].phases == ["coverage", "fuzzing"]


def test_the_console_shows_every_line_of_the_message_and_the_phases() -> None:
    lines = "\n".join(failure_lines(failure()))
    assert "missing required property: parentId" in lines
    assert "found in: coverage" in lines


def test_a_chain_is_shown_in_order_with_every_curl() -> None:
    report = failure("stateful")
    report.chain = [
        ChainStep("DELETE", "http://h/api/v3.0/folder/1", 204, "curl -X DELETE one"),
        ChainStep("GET", "http://h/api/v3.0/folder/1", 200, "curl -X GET two"),
    ]
    text = "\n".join(failure_lines(report))
    assert text.index("1. DELETE http://h/api/v3.0/folder/1 -> 204") < text.index("2. GET")
    assert text.index("curl -X DELETE one") < text.index("curl -X GET two")


def test_progress_marks_a_phase_only_when_it_ran_something() -> None:
    out = io.StringIO()
    console = ConsoleReporter(out)
    console.progress("phase", "stateful")
    console.progress("phase_done", "stateful")
    console.progress("phase", "fuzzing")
    console.progress("scenario", (".", "GET /a"))
    console.progress("scenario", ("F", "GET /b"))
    console.progress("phase_done", "fuzzing")
    assert "stateful" not in out.getvalue()
    assert "fuzzing    .F" in out.getvalue() and "failed: GET /b" in out.getvalue()


def test_cleanup_lines_are_collapsed() -> None:
    lines = ["DELETE /a: 500", "DELETE /a: 500", "created by /b: no DELETE", "DELETE /a: 500"]
    assert collapse(lines) == ["DELETE /a: 500 (x3)", "created by /b: no DELETE"]


def test_curl_from_the_request_as_sent() -> None:
    sent = SentRequest(
        "POST",
        "/api/v3.0/folder/%3F%C3%A9?x=1",
        {"X-Api-Key": "$MADASTER_API_KEY", "Content-Type": "application/json"},
        b'{"name": "mc-abc-it\'s"}',
    )
    command = curl_for_sent(sent, "https://api.example.com/")
    assert command.startswith('curl -X POST -H "X-API-Key: $MADASTER_API_KEY"')
    assert "'https://api.example.com/api/v3.0/folder/%3F%C3%A9?x=1'" in command
    assert "mc-abc-it" in command
    offline = curl_for_sent(sent, "$MADASTER_BASE_URL")
    assert offline.endswith("\"$MADASTER_BASE_URL\"'/api/v3.0/folder/%3F%C3%A9?x=1'")


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def run_with(message: str, excerpt: str) -> RunResult:
    version = VersionResult(label="v3.0@1", source="s", target="t", seed=3)
    report = failure(message=message)
    report.response_excerpt = excerpt
    version.add_failure(report)
    return RunResult(versions=[version], seed=3)


@given(st.text(max_size=40), st.text(max_size=40))
def test_html_escapes_every_value(message: str, excerpt: str) -> None:
    html = html_report(run_with(message + "<script>alert(1)</script>", excerpt))
    assert "<script>" not in html
    parser = Collect()
    parser.feed(html)
    failures = [attrs for tag, attrs in parser.tags if "failure" in (attrs.get("class") or "").split()]
    assert len(failures) == 1 and failures[0]["data-check"] == "negative_data_rejection"
    assert not any(tag in ("script", "link", "img", "iframe") for tag, _ in parser.tags)
    assert "http://" not in html.split("<body>")[0] and "https://" not in html.split("<body>")[0]


def test_the_key_is_redacted_from_html_and_junit_even_when_escaped() -> None:
    key = "k<&>'\"-secret"
    run = run_with(f"echoed {key}", f"body {key}")
    redact = Redactor(key)
    for text in (redact(html_report(run)), redact(junit_xml(run))):
        assert key not in text
        assert "k&lt;&amp;&gt;" not in text


@pytest.mark.parametrize(
    "created, expected",
    [
        (("/api/v4.0/commodity/c1/files/upload", "f1"), "/api/v4.0/commodity/c1/files/f1"),
        (("/api/v3.0/folder", "d1"), "/api/v3.0/folder/d1"),
        (("/api/v3.0/folder/d1", "d1"), "/api/v3.0/folder/d1"),
        (("/api/v4.0/commodity/c1/version", "c2"), "/api/v4.0/commodity/c2"),  # a new version
        (("/api/v3.0/building/b1/passport", "f1"), "/api/v3.0/building/b1/files/f1"),  # its file
        (("/api/v3.0/building/b1/exportexcelpassport", "f1"), "/api/v3.0/building/b1/files/f1"),
        (("/api/v4.0/commodity/c1/matches", "m1"), "/api/v4.0/commodity/c1/matches/m1"),
        (("/api/v4.0/commodity/c1/children/weight", "x1"), None),  # never guessed
        (("/api/v3.0/building/b1/process", "b1"), None),
    ],
)
def test_a_created_entity_is_found_where_the_spec_can_address_it(
    created: tuple[str, str], expected: str | None
) -> None:
    paths = [
        "/api/v3.0/folder/{id}",
        "/api/v3.0/building/{id}",
        "/api/v3.0/building/{buildingId}/files/{id}",
        "/api/v4.0/commodity/{id}",
        "/api/v4.0/commodity/{id}/files/{fileId}",
        "/api/v4.0/commodity/{id}/matches/{matchId}",
        "/api/v4.0/commodity/{id}/children/{childId}",
    ]
    templates = PathTemplates({"paths": {p: {"delete": {}} for p in paths}})
    assert templates.entity_path(*created) == expected
