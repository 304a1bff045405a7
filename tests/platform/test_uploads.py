"""Uploads carry a file: the mock refuses an upload without one, the runner tests the spec so."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.platform.leniency import find_and_repair
from contracts.platform.uploads import NO_FILE, file_parts, missing_file, require_upload_files
from contracts.spec_loader import load_spec_file
from mockserver import create_app
from tests.conftest import real_builds

UPLOAD_SCHEMA = {
    "type": "object",
    "properties": {"file": {"type": "string", "format": "binary"}, "note": {"type": "string"}},
}
DOC = {
    "openapi": "3.0.1",
    "info": {"title": "t", "version": "v9.1"},
    "paths": {
        "/api/v9.1/thing/{id}/upload": {
            "post": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {
                    "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/Up"}}}
                },
                "responses": {"200": {"description": "ok"}, "default": {"description": "error"}},
            }
        }
    },
    "components": {"schemas": {"Up": UPLOAD_SCHEMA}},
}


def identity(node):
    return node


def test_the_file_parts_are_the_binary_properties() -> None:
    assert file_parts(UPLOAD_SCHEMA, identity) == ["file"]
    assert file_parts({"type": "object", "properties": {"a": {"type": "string"}}}, identity) == []
    assert missing_file(UPLOAD_SCHEMA, identity, set()) == "file"
    assert missing_file(UPLOAD_SCHEMA, identity, {"file"}) is None


@given(st.sets(st.sampled_from(["file", "note", "other"])))
@settings(max_examples=30)
def test_an_upload_lacks_its_file_exactly_when_no_file_part_was_sent(sent: set[str]) -> None:
    assert (missing_file(UPLOAD_SCHEMA, identity, sent) is None) == ("file" in sent)


def test_the_repair_requires_the_file_part_and_leaves_the_original_alone() -> None:
    original = copy.deepcopy(DOC)
    repaired, defects = find_and_repair(DOC)
    assert original == DOC
    assert repaired["components"]["schemas"]["Up"]["required"] == ["file"]
    assert repaired["paths"]["/api/v9.1/thing/{id}/upload"]["post"]["requestBody"]["required"] is True
    assert any("leave the file part optional" in d.problem for d in defects)
    assert require_upload_files(repaired) == []  # repaired once, nothing left to repair


def multipart(parts: bytes) -> dict:
    return {"data": parts + b"--x--\r\n", "content_type": "multipart/form-data; boundary=x"}


FILE_PART = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n'
NOTE_PART = b'--x\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'


@pytest.mark.parametrize(
    "request_kw, refused",
    [({}, True), (multipart(b""), True), (multipart(NOTE_PART), True), (multipart(FILE_PART), False)],
    ids=["no body", "no parts", "no file part", "a file"],
)
def test_the_mock_refuses_an_upload_without_a_file(request_kw: dict, refused: bool) -> None:
    client = create_app([copy.deepcopy(DOC)]).test_client()
    answer = client.post("/api/v9.1/thing/1/upload", headers={"X-API-Key": "dev-write"}, **request_kw)
    if refused:
        assert answer.status_code == 400 and NO_FILE in answer.json["detail"]
    else:
        assert answer.status_code != 400, answer.json


@pytest.mark.parametrize("path", [p for p in real_builds() if p.parent.name == "v4.0"], ids=lambda p: p.stem)
def test_the_real_v4_uploads_are_repaired(path) -> None:
    _, defects = find_and_repair(load_spec_file(path))
    assert any("POST /api/v4.0/commodity/{id}/files/upload" in d.problem for d in defects)


def test_a_ref_cycle_in_a_request_body_is_left_alone() -> None:
    cycle = {"$ref": "#/components/requestBodies/B"}
    doc = {"paths": {"/u": {"post": {"requestBody": cycle}}}, "components": {"requestBodies": {"B": cycle}}}
    assert require_upload_files(doc) == []
