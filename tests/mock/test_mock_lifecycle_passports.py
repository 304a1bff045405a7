"""Passport requests create a building file that becomes Uploaded and downloads as a real PDF/XLSX."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.platform.passports import _pdf_text, escape, passport_lines, pdf_bytes, xlsx_bytes
from tests.mock.conftest import WRITE
from tests.mock.lifecycle_helpers import (
    FakeClock,
    file_url,
    first_building,
    lifecycle_app,
    specs_of,
    status_of,
    validates,
)

REQUESTS = {
    "POST /building/{}/passport": ("/passport", "PassportPdf", {"passportType": "Full"}),
    "POST /building/{}/exportpassport": ("/exportpassport", "PassportPdf", None),
    "POST /building/{}/exportexcelpassport": ("/exportexcelpassport", "PassportExcel", None),
}
CASES = [
    pytest.param(path, key, id=f"{ident}:{REQUESTS[key][0][1:]}")
    for key in REQUESTS
    for path, ident in zip(*specs_of("v3.0", (key,)), strict=True)
]

if not CASES:
    pytest.skip("no v3.0 spec with passport requests", allow_module_level=True)


def check_pdf(content: bytes, *texts: str) -> None:
    """A PDF: header, cross-reference table whose offsets point at the objects, trailer, %%EOF."""
    assert content.startswith(b"%PDF-1.4\n") and content.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF", content).group(1))
    assert content[startxref:].startswith(b"xref\n")
    header = re.match(rb"xref\n0 (\d+)\n", content[startxref:])
    count = int(header.group(1))
    entries = content[startxref + header.end() :].split(b"\n")[:count]
    for number, entry in enumerate(entries[1:], start=1):
        offset = int(entry[:10])
        assert content[offset:].startswith(b"%d 0 obj" % number)
    for text in texts:
        assert _pdf_text(text).encode("latin-1") in content


def check_xlsx(content: bytes, *texts: str) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        assert {"[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"} <= names
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    for text in texts:
        assert escape(text) in sheet


@pytest.mark.parametrize(("path", "key"), CASES)
def test_a_passport_request_creates_a_file_that_becomes_uploaded(path, key, spec_cache) -> None:
    suffix, file_type, order = REQUESTS[key]
    clock = FakeClock()
    app = lifecycle_app(path, spec_cache, delay=1.0, clock=clock)
    client = app.test_client()
    building = first_building(client)
    name = client.get(f"/api/v3.0/building/{building}", headers=WRITE).json["name"]
    kwargs = {"json": order} if order is not None else {}
    answer = client.post(f"/api/v3.0/building/{building}{suffix}", headers=WRITE, **kwargs)
    assert answer.status_code == 202, answer.json
    assert validates(app, "v3.0", "POST", f"/building/{{id}}{suffix}", 202, answer.json)
    passport = answer.json
    assert passport["type"] == file_type and passport["status"] == "Creating"
    listed = client.get(f"/api/v3.0/building/{building}/files", headers=WRITE).json
    assert passport["id"] in [f["id"] for f in listed]
    link = client.get(f"{file_url(building, passport['id'])}/download", headers=WRITE).json["url"]
    not_yet = client.get(link)
    assert not_yet.status_code == 404 and "not ready" in not_yet.json["detail"]
    clock.advance(1.0)
    assert status_of(client, building, passport["id"]) == "Uploaded"
    served = client.get(link)
    assert served.status_code == 200
    if file_type == "PassportPdf":
        assert served.mimetype == "application/pdf"
        check_pdf(served.data, name)
    else:
        assert served.mimetype.endswith("spreadsheetml.sheet")
        check_xlsx(served.data, name)
    [job] = client.get("/__mock/jobs").json["jobs"]
    assert job["kind"] == "passport" and job["state"] == "done"


def test_passport_file_ids_follow_the_seed(spec_cache) -> None:
    path, key = CASES[-1].values
    suffix = REQUESTS[key][0]

    def passport_ids(seed: int) -> list[str]:
        app = lifecycle_app(path, spec_cache, delay=0, seed=seed)
        client = app.test_client()
        building = first_building(client)
        return [
            client.post(f"/api/v3.0/building/{building}{suffix}", headers=WRITE).json["id"] for _ in range(2)
        ]

    first = passport_ids(7)
    assert first == passport_ids(7) and len(set(first)) == 2
    assert first != passport_ids(8)


@pytest.mark.parametrize("path, key", [c.values for c in CASES if c.values[1].endswith("/passport")][-1:])
def test_a_deleted_passport_file_never_answers_again(path, key, spec_cache) -> None:
    """Order, delete, order again: the second file is another one (the same count of files in the
    building drew the first one's id again) and the deleted id stays 404."""
    suffix, _type, body = REQUESTS[key]
    client = lifecycle_app(path, spec_cache, delay=0, seed=3).test_client()
    building = first_building(client)
    seen: list[str] = []
    for _ in range(3):
        made = client.post(f"/api/v3.0/building/{building}{suffix}", json=body, headers=WRITE).json["id"]
        assert made not in seen
        seen.append(made)
        assert client.delete(f"/api/v3.0/building/{building}/files/{made}", headers=WRITE).status_code == 204
        for gone in seen:
            assert client.get(f"/api/v3.0/building/{building}/files/{gone}", headers=WRITE).status_code == 404


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.text(max_size=60), city=st.text(max_size=30))
def test_passport_files_are_valid_for_any_building_name(name, city) -> None:
    rows = passport_lines({"name": name, "addressCity": city, "id": "b-1"}, "OnePager")
    check_pdf(pdf_bytes(f"Material passport - {name}", rows))
    check_xlsx(xlsx_bytes(name or "Passport", rows))
    assert pdf_bytes("x", rows) == pdf_bytes("x", rows)  # deterministic bytes
    assert xlsx_bytes("x", rows) == xlsx_bytes("x", rows)


PRESET_SPECS, PRESET_IDS = specs_of(
    "v3.0", ("POST /building/{}/passport", "GET /building/{}/passportpresets/{}")
)


@pytest.mark.parametrize("path", PRESET_SPECS, ids=PRESET_IDS)
def test_a_passport_made_with_a_listed_preset_names_it(path, spec_cache) -> None:
    app = lifecycle_app(path, spec_cache, delay=0)
    client = app.test_client()
    building = first_building(client)
    [preset, *_] = client.get(f"/api/v3.0/building/{building}/passportpresets/OnePager", headers=WRITE).json
    order = {"passportType": "OnePager", "preset": preset["id"]}
    passport = client.post(f"/api/v3.0/building/{building}/passport", json=order, headers=WRITE).json
    assert passport["status"] == "Uploaded" and passport["type"] == "PassportPdf"
    link = client.get(f"{file_url(building, passport['id'])}/download", headers=WRITE).json["url"]
    check_pdf(client.get(link).data, f"Preset: {preset['name']}", "Passport: OnePager")
