"""The runner pointed at a deliberately broken server: every breakage on its operation and check."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from tests.conftest import requires_shared
from tests.runner.broken_api import KEY, BrokenApi, serving

READ_OPS = r"^GET /api/v3\.0/(account|system|folder)"


def failed_checks(junit: Path) -> set[tuple[str, str]]:
    """(operation, check) pairs that failed, read back from the JUnit report."""
    pairs = set()
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.find("failure") is not None:
            classname = case.get("classname", "")  # "<version label>.<METHOD /path>"
            operation = classname[classname.rfind(".", 0, classname.index(" ")) + 1 :]
            pairs.add((operation, case.get("name", "")))
    return pairs


# the read-only operations, few examples, a fixed seed: what most runs here send
READ_RUN = ("--operation", READ_OPS, "--max-examples", "3", "--seed", "7")


def target_args(spec: Path, url: str) -> list[str]:
    """``--spec``, ``--base-url`` and ``--api-key`` for a run against a local server."""
    return ["--spec", str(spec), "--base-url", url, "--api-key", KEY]


def assert_key_absent(text: str, root: Path) -> None:
    assert KEY not in text
    for path in root.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), f"the key leaked into {path}"


@requires_shared
def test_each_breakage_is_reported_on_its_operation_and_check(cli, build_28168, broken_api, tmp_path):
    api, url = broken_api
    result = cli(
        "test",
        *target_args(build_28168, url),
        *READ_RUN,
        "--junit",
        "out/junit.xml",
        "--report",
        "out/report.md",
    )
    assert result.code == 1, result.err
    failed = failed_checks(tmp_path / "out/junit.xml")
    expected = {
        ("GET /api/v3.0/account", "response_schema_conformance"),  # wrong field types
        ("GET /api/v3.0/account/foldertypes", "status_code_conformance"),  # undeclared 203
        ("GET /api/v3.0/system/classificationmethods", "madaster_auth"),  # no auth
        ("GET /api/v3.0/system/buildingusages", "not_a_server_error"),  # a 500
        ("GET /api/v3.0/folder", "madaster_auth"),  # entity data in the 401 body
    }
    assert expected <= failed
    # the one operation served correctly has no failure at all
    assert not {pair for pair in failed if pair[0] == "GET /api/v3.0/system/materialfamilies"}
    # a read-only run: nothing but GET/HEAD reached the server
    assert {method for method, _ in api.requests} <= {"GET", "HEAD"}
    # failures carry a curl with the key as a variable and the seed to replay
    assert '"X-API-Key: $MADASTER_API_KEY"' in result.out
    assert "--seed 7" in result.out
    report = (tmp_path / "out/report.md").read_text()
    assert "GET /api/v3.0/system/buildingusages" in report and "not_a_server_error" in report
    assert_key_absent(result.out + result.err, tmp_path)


@requires_shared
def test_a_correct_server_passes(cli, build_28168, tmp_path):
    api = BrokenApi(breakages=frozenset())
    with serving(api) as url:
        result = cli(
            "test",
            *target_args(build_28168, url),
            *READ_RUN,
        )
    assert result.code == 0, result.out
    assert "all contracts hold" in result.out
    assert_key_absent(result.out + result.err, tmp_path)


@requires_shared
def test_writes_only_with_allow_writes_then_read_after_delete_and_cleanup(cli, build_28168, tmp_path):
    api = BrokenApi(breakages=frozenset({"still_readable"}))
    with serving(api) as url:
        read_only = cli(
            "test",
            *target_args(build_28168, url),
            "--operation",
            r"/api/v3\.0/folder",
            "--max-examples",
            "3",
            "--seed",
            "3",
        )
        assert {method for method, _ in api.requests} <= {"GET", "HEAD"}
        assert not api.created_names
        result = cli(
            "test",
            *target_args(build_28168, url),
            "--allow-writes",
            "--operation",
            r"/api/v3\.0/(account|folder)",
            "--max-examples",
            "3",
            "--seed",
            "3",
            "--junit",
            "junit.xml",
        )
    assert read_only.code == 0, read_only.out
    assert result.code == 1
    failed = failed_checks(tmp_path / "junit.xml")
    assert ("GET /api/v3.0/folder/{id}", "read_after_delete") in failed
    # every entity the run created carries the run prefix and was deleted at the end
    assert api.created_names and all(name.startswith("mc-") for name in api.created_names)
    assert set(api.folders) <= set(api.deleted)
    assert_key_absent(result.out + result.err, tmp_path)


@requires_shared
def test_a_rejected_key_stops_the_run_at_once(cli, build_28168, broken_api):
    api, url = broken_api
    result = cli("test", "--spec", str(build_28168), "--base-url", url, "--api-key", "wrong-key-123")
    assert result.code == 2
    assert len(api.requests) == 1
    assert "rejected the API key" in result.err and len(result.err.strip().splitlines()) == 1
    assert "wrong-key-123" not in result.out + result.err


@requires_shared
def test_an_unreachable_host_is_one_clear_error(cli, build_28168):
    result = cli(
        "test", "--spec", str(build_28168), "--base-url", "http://127.0.0.1:9", "--api-key", "k-12345"
    )
    assert result.code == 2
    assert "cannot reach http://127.0.0.1:9" in result.err
    assert "Traceback" not in result.err


@requires_shared
def test_a_server_that_goes_away_mid_run_is_one_clear_error(cli, build_28168, tmp_path):
    import threading
    import time

    from mockserver.http.serve import serve_in_thread

    api = BrokenApi(breakages=frozenset())
    with serve_in_thread(api.app()) as (url, stop):

        def stop_after_a_few_requests() -> None:
            while len(api.requests) < 5:
                time.sleep(0.01)
            stop()

        threading.Thread(target=stop_after_a_few_requests, daemon=True).start()
        result = cli(
            "test",
            *target_args(build_28168, url),
            "--max-examples",
            "2",
            "--junit",
            "junit.xml",
            "--report",
            "report.md",
        )
    assert result.code == 2
    assert f"lost the connection to {url}" in result.err and "Traceback" not in result.err
    # the operation it was on is named, and the reports are written with what was found until then
    assert "(on GET /api/v3.0/" in result.err
    assert "run stopped: lost the connection" in (tmp_path / "junit.xml").read_text()
    assert "run stopped" in (tmp_path / "report.md").read_text()
