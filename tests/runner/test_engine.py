"""Folding schemathesis's results: false positives from links, curl reproductions, reports."""

from __future__ import annotations

import schemathesis
from hypothesis import given
from hypothesis import strategies as st

from contracts.runner.curl import curl_for_case
from contracts.runner.engine import path_parameters_valid
from contracts.runner.redact import Redactor
from contracts.runner.reporting.junit import junit_xml
from contracts.runner.reporting.markdown import markdown_report
from contracts.runner.results import FailureReport, RunResult, VersionResult

DOC = {
    "openapi": "3.0.1",
    "info": {"title": "t", "version": "v3.0"},
    "paths": {
        "/api/v3.0/folder/{id}": {
            "get": {
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    }
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}
OPERATION = schemathesis.openapi.from_dict(DOC).find_operation_by_label("GET /api/v3.0/folder/{id}")


def test_a_link_value_outside_the_schema_is_not_schema_valid() -> None:
    assert not path_parameters_valid(OPERATION.Case(path_parameters={"id": "null"}))
    assert path_parameters_valid(
        OPERATION.Case(path_parameters={"id": "0f8fad5b-d9cb-469f-a165-70867728950e"})
    )


def test_curl_names_the_key_and_the_offline_base_as_variables() -> None:
    case = OPERATION.Case(path_parameters={"id": "0f8fad5b-d9cb-469f-a165-70867728950e"})
    offline = curl_for_case(case, "$MADASTER_BASE_URL")
    assert '-H "X-API-Key: $MADASTER_API_KEY"' in offline
    assert '"$MADASTER_BASE_URL"' in offline and "madaster-contracts.invalid" not in offline
    remote = curl_for_case(case, "https://api.example.com/", auth="no key")
    assert "X-API-Key" not in remote and "https://api.example.com/api/v3.0/folder/" in remote


@given(
    st.text(min_size=4, max_size=30).filter(lambda s: s.strip() == s and "$" not in s), st.text(max_size=50)
)
def test_redactor_removes_every_occurrence(secret: str, around: str) -> None:
    redact = Redactor(secret)
    assert secret not in redact(around + secret + around + secret)


def sample_run() -> RunResult:
    version = VersionResult(label="v3.0@1", source="s", target="mock", seed=5)
    version.operation("GET /a").record_check("not_a_server_error", False)
    version.operation("GET /a").record_check("status_code_conformance", True)
    version.operation("GET /b").skipped = "no examples"
    version.failures.append(
        FailureReport(
            "GET /a", "not_a_server_error", "Server error", "boom", 500, "{}", "curl -X GET x", "fuzzing"
        )
    )
    return RunResult(versions=[version], seed=5)


def test_junit_has_a_case_per_operation_and_check() -> None:
    xml = junit_xml(sample_run())
    assert 'classname="v3.0@1.GET /a" name="not_a_server_error"' in xml
    assert "<failure" in xml and "--seed 5" in xml
    assert 'tests="3"' in xml and 'failures="1"' in xml and 'skipped="1"' in xml


def test_markdown_report_has_the_table_and_the_reproduction() -> None:
    text = markdown_report(sample_run())
    assert "| v3.0@1 | mock | 2 |" in text and "curl -X GET x" in text and "--seed 5" in text
