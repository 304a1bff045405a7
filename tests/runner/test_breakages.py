"""One realistic breakage at a time: the runner names the operation and the check that catch it.

The server is ``broken_api.BrokenApi`` over HTTP with one breakage switched on, tested against
the real build 30855 (which declares ``default`` error responses, so ``default`` would hide a
wrong success code from schemathesis). Each run is narrowed to the operations involved and
few examples; times are kept tiny with the flags (``--max-response-time 0.2``,
``--request-timeout 0.5``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import requires_shared
from tests.runner.broken_api import BREAKAGES, READ_KEY, BrokenApi, serving
from tests.runner.test_broken_server import assert_key_absent, failed_checks, target_args

FOLDER_WRITES = r"^(GET|POST|PUT|DELETE) /api/v3\.0/(account|folder)"
CASES = {
    # breakage: (operations, with writes, extra flags, (operation, check) expected)
    "accepted_not_ok": (
        r"^GET /api/v3\.0/account/foldertypes$",
        False,
        (),
        ("GET /api/v3.0/account/foldertypes", "declared_success_status"),
    ),
    "ok_not_created": (FOLDER_WRITES, True, (), ("POST /api/v3.0/folder", "declared_success_status")),
    "slow_get": (
        r"^GET /api/v3\.0/system/materialfamilies$",
        False,
        ("--max-response-time", "0.2"),
        ("GET /api/v3.0/system/materialfamilies", "response_time"),
    ),
    "truncated_read_back": (
        FOLDER_WRITES,
        True,
        (),
        ("GET /api/v3.0/folder/{id}", "read_back_after_create"),
    ),
    "update_ignored": (FOLDER_WRITES, True, (), ("GET /api/v3.0/folder/{id}", "read_back_after_update")),
    "list_misses_created": (FOLDER_WRITES, True, (), ("GET /api/v3.0/folder", "list_contains_created")),
    "still_readable": (FOLDER_WRITES, True, (), ("GET /api/v3.0/folder/{id}", "read_after_delete")),
    "accepts_invalid": (FOLDER_WRITES, True, (), ("POST /api/v3.0/folder", "negative_data_rejection")),
    "text_plain": (
        r"^GET /api/v3\.0/system/buildingusages$",
        False,
        (),
        ("GET /api/v3.0/system/buildingusages", "content_type_conformance"),
    ),
    "entity_in_401": (r"^GET /api/v3\.0/folder$", False, (), ("GET /api/v3.0/folder", "madaster_auth")),
    "no_auth": (
        r"^GET /api/v3\.0/system/classificationmethods$",
        False,
        (),
        ("GET /api/v3.0/system/classificationmethods", "madaster_auth"),
    ),
    "server_error": (
        r"^GET /api/v3\.0/system/buildingusages$",
        False,
        (),
        ("GET /api/v3.0/system/buildingusages", "not_a_server_error"),
    ),
    "unchecked_query": (
        r"^GET /api/v3\.0/building/\{id\}/availabledatabases$",
        False,
        (),
        # found only if the query reaches the server: a forwarder that drops it sees a valid request
        ("GET /api/v3.0/building/{id}/availabledatabases", "negative_data_rejection"),
    ),
    "undeclared_status": (
        r"^GET /api/v3\.0/account/foldertypes$",
        False,
        (),
        # build 30855's `default` covers a 203 for schemathesis (28168 has none: status_code_conformance)
        ("GET /api/v3.0/account/foldertypes", "declared_success_status"),
    ),
    "head_differs": (
        r"^GET /api/v3\.0/system/buildingusages$",
        False,
        (),
        ("GET /api/v3.0/system/buildingusages", "head_like_get"),
    ),
    "trailing_slash_500": (
        r"^GET /api/v3\.0/account$",
        False,
        (),
        ("GET /api/v3.0/account", "trailing_slash"),
    ),
    "undeclared_method_500": (FOLDER_WRITES, True, (), ("GET /api/v3.0/account", "undeclared_method")),
    "bare_429": (
        r"^GET /api/v3\.0/system/materialfamilies$",
        False,
        (),
        ("GET /api/v3.0/system/materialfamilies", "retry_after"),
    ),
    "wrong_location": (FOLDER_WRITES, True, (), ("POST /api/v3.0/folder", "created_location")),
    "astral_500": (FOLDER_WRITES, True, (), ("POST /api/v3.0/folder", "troublemaker_strings")),
    # found only when the workflow sends more than the required fields (contracts/runner/bodies.py)
    "optional_ignored": (FOLDER_WRITES, True, (), ("GET /api/v3.0/folder/{id}", "read_back_after_create")),
    "read_key_writes": (
        FOLDER_WRITES,
        True,
        ("--read-only-key", READ_KEY),
        ("PUT /api/v3.0/folder/{id}", "read_only_key"),
    ),
    "wrong_types": (
        r"^GET /api/v3\.0/account$",
        False,
        (),
        ("GET /api/v3.0/account", "response_schema_conformance"),
    ),
}


def run_broken(cli, spec: Path, breakage: str, operations: str, writes: bool, extra: tuple[str, ...]):
    api = BrokenApi(breakages=frozenset({breakage}))
    with serving(api) as url:
        result = cli(
            "test",
            *target_args(spec, url),
            "--operation",
            operations,
            "--max-examples",
            "2",
            "--seed",
            "5",
            "--junit",
            "junit.xml",
            "--report",
            "report.html",
            *(["--allow-writes"] if writes else []),
            *extra,
        )
    return api, result


def test_every_breakage_has_a_test() -> None:
    assert set(CASES) | {"hanging_get"} == set(BREAKAGES)


@requires_shared
@pytest.mark.parametrize("breakage", sorted(CASES))
def test_the_breakage_is_named_by_operation_and_check(cli, build_30855, tmp_path, breakage: str) -> None:
    operations, writes, extra, expected = CASES[breakage]
    api, result = run_broken(cli, build_30855, breakage, operations, writes, extra)
    assert result.code == 1, result.out + result.err
    failed = failed_checks(tmp_path / "junit.xml")
    assert expected in failed, f"{BREAKAGES[breakage]}: expected {expected}, got {sorted(failed)}"
    operation, check = expected
    html = (tmp_path / "report.html").read_text()
    assert f'data-operation="{operation}" data-check="{check}"' in html
    assert f"check:    {check}" in result.out
    if not writes:
        assert {method for method, _ in api.requests} <= {"GET", "HEAD"}
    assert_key_absent(result.out + result.err, tmp_path)
    assert READ_KEY not in result.out + result.err


@requires_shared
def test_the_same_server_without_the_breakage_is_green(cli, build_30855) -> None:
    api = BrokenApi(breakages=frozenset())
    with serving(api) as url:
        result = cli(
            "test",
            *target_args(build_30855, url),
            "--operation",
            r"^(GET|POST|PUT|DELETE) /api/v3\.0/(account|system|folder|building/\{id\}/availabledatabases)",
            "--allow-writes",
            "--max-examples",
            "2",
            "--seed",
            "5",
            "--read-only-key",
            READ_KEY,
        )
    assert result.code == 0, result.out


@requires_shared
def test_a_hanging_operation_is_a_finding_and_the_run_goes_on(cli, build_30855, tmp_path) -> None:
    operations = r"^GET /api/v3\.0/system/(classificationmethods|materialfamilies)$"
    api, result = run_broken(cli, build_30855, "hanging_get", operations, False, ("--request-timeout", "0.5"))
    assert result.code == 1, result.out + result.err
    failed = failed_checks(tmp_path / "junit.xml")
    assert failed == {("GET /api/v3.0/system/classificationmethods", "response_time")}
    assert "No answer in time" in result.out and "no answer within 0.5 s" in result.out
    # the other operation was tested all the same, and passed
    assert ("GET", "/api/v3.0/system/materialfamilies") in api.requests
    assert (
        'data-operation="GET /api/v3.0/system/classificationmethods"'
        in (tmp_path / "report.html").read_text()
    )


@requires_shared
def test_the_curl_of_a_query_finding_carries_the_query(cli, build_30855, tmp_path) -> None:
    operations, writes, extra, _ = CASES["unchecked_query"]
    _, result = run_broken(cli, build_30855, "unchecked_query", operations, writes, extra)
    block = result.out[result.out.index("check:    negative_data_rejection") :].split("-- failure")[0]
    curl = next(line for line in block.splitlines() if line.strip().startswith("curl "))
    assert "/availabledatabases?explicitlyShared=" in curl, block


@requires_shared
def test_a_cause_on_a_later_line_reaches_the_console(cli, build_30855, tmp_path) -> None:
    _, result = run_broken(cli, build_30855, "accepts_invalid", FOLDER_WRITES, True, ())
    block = result.out[result.out.index("negative_data_rejection") :]
    assert "parentId" in block.split("-- failure")[0], block[:1500]


@requires_shared
def test_a_workflow_failure_shows_its_whole_chain(cli, build_30855, tmp_path) -> None:
    _, result = run_broken(cli, build_30855, "still_readable", FOLDER_WRITES, True, ())
    block = result.out[result.out.index("check:    read_after_delete") :].split("-- failure")[0]
    chain = block[block.index("chain:") : block.index("reproduce")]
    steps = [line.split(". ", 1)[1] for line in chain.splitlines()[1:] if ". " in line]
    # the DELETE that should have removed the folder comes right before the GET that still finds it
    assert steps[-2].startswith("DELETE http") and steps[-2].endswith("-> 204")
    assert steps[-1].startswith("GET http") and steps[-1].endswith("-> 200")
    assert any(step.startswith("POST http") for step in steps[:-2])
    # the run-prefixed name that was sent is in the reproduction, as sent
    assert '"name": "mc-' in block
    html = (tmp_path / "report.html").read_text()
    assert '<ol class="chain">' in html
