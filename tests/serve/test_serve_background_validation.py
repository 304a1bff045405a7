"""``--spec`` files are validated in a child process while the mock builds: same verdict, same
error, and nothing served before it; a child that cannot answer leaves the check to this process."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from contracts.errors import SpecError
from contracts.spec_check import BackgroundValidation
from contracts.spec_loader import validate_openapi

VALID: dict[str, Any] = {
    "openapi": "3.0.1",
    "info": {"title": "t", "version": "v3.0"},
    "paths": {"/api/v3.0/thing": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


def _invalid(kind: str) -> dict[str, Any]:
    doc = copy.deepcopy(VALID)
    operation = doc["paths"]["/api/v3.0/thing"]["get"]
    if kind == "parameter":
        operation["parameters"] = [{"name": "a", "in": "bogus"}]
    elif kind == "responses":
        operation["responses"] = "none"
    elif kind == "ref":
        operation["responses"]["200"] = {"$ref": "#/components/responses/Missing"}
    elif kind == "info":
        del doc["info"]["title"]
    return doc


def _in_process_error(doc: dict[str, Any], source: str) -> SpecError | None:
    try:
        validate_openapi(doc, source)
    except SpecError as exc:
        return exc
    return None


@pytest.mark.parametrize("kind", ["parameter", "responses", "ref", "info"])
def test_the_child_names_the_error_this_process_would(kind: str) -> None:
    doc = _invalid(kind)
    expected = _in_process_error(doc, "spec.json")
    assert expected is not None
    check = BackgroundValidation([(VALID, "valid.json"), (doc, "spec.json")])
    with pytest.raises(SpecError) as raised:
        check.verdict()
    assert str(raised.value) == str(expected)
    assert (raised.value.source, raised.value.location) == ("spec.json", expected.location)


def test_valid_documents_pass_and_a_second_verdict_is_free() -> None:
    check = BackgroundValidation([(VALID, "a.json"), (copy.deepcopy(VALID), "b.json")])
    check.verdict()
    check.verdict()


def test_a_child_that_cannot_answer_leaves_the_check_to_this_process(monkeypatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # starts, reads nothing, exits 1 silently
    check = BackgroundValidation([(_invalid("parameter"), "spec.json")])
    with pytest.raises(SpecError, match="invalid OpenAPI"):
        check.verdict()
    monkeypatch.setattr(sys, "executable", "/no/such/python")  # cannot even start
    BackgroundValidation([(VALID, "valid.json")]).verdict()
    with pytest.raises(SpecError, match="invalid OpenAPI"):
        BackgroundValidation([(_invalid("ref"), "spec.json")]).verdict()


def test_a_document_too_deep_to_hand_over_is_validated_here() -> None:
    doc = copy.deepcopy(VALID)
    schema: dict[str, Any] = {"type": "object"}
    for _ in range(sys.getrecursionlimit() * 2):  # pickle itself would overflow
        schema = {"type": "object", "properties": {"x": schema}}
    doc["components"] = {"schemas": {"Deep": schema}}
    check = BackgroundValidation([(doc, "deep.json")])
    assert check._process is None  # the point of the test: no child was started
    check.verdict()


def test_cancel_stops_the_child() -> None:
    check = BackgroundValidation([(VALID, "valid.json")])
    process = check._process
    assert process is not None
    check.cancel()
    assert process.poll() is not None
    check.verdict()  # after a cancel nobody waits: no verdict, no error


BUILD = """
import argparse, json, sys
from mockserver.command import add_arguments, build_app
parser = argparse.ArgumentParser()
add_arguments(parser)
background = None
try:
    setup = build_app(parser.parse_args(sys.argv[1:]))
    outcome = "built"
    background = setup.specs[0].validation is not None  # only with a spare core (load average)
except Exception as exc:
    outcome = f"{type(exc).__name__}: {exc}"
here = "openapi_spec_validator" in sys.modules
print(json.dumps({"outcome": outcome, "background": background, "validator_here": here}))
"""


def _build(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", BUILD, *args], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_mock_validates_spec_files_beside_its_build(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(VALID))
    built = _build("--spec", str(good))
    assert built["outcome"] == "built"
    assert built["validator_here"] is not built["background"]  # validated in one process or the other
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_invalid("parameter")))
    result = _build("--spec", str(bad))
    assert result["outcome"].startswith(f"SpecError: {bad}: #/paths//api/v3.0/thing/get/parameters/0: ")
    assert "invalid OpenAPI" in result["outcome"]
