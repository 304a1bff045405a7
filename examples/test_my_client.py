"""A team's tests of its own client (``madaster_client.py``), offline, with the ``madaster_mock`` fixture.

Copy this file next to your client: installing madaster-contracts registers the fixture. Run
with ``pytest examples/test_my_client.py`` (add ``-n auto`` with pytest-xdist: one mock per worker).
"""

from __future__ import annotations

import pytest
from madaster_client import MadasterClient, MadasterError

IFC = b"""ISO-10303-21;
HEADER;
FILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');
FILE_NAME('model.ifc','2026-11-30T12:00:00',(''),(''),'','','');
FILE_SCHEMA(('IFC4'));
ENDSEC;
DATA;
#1=IFCPROJECT('2O2Fr$t4X7Zf8NOew3FLOH',$,'Project',$,$,$,$,$,$);
#2=IFCWALL('1kTvXnbbzCWw8lcMd1dR4o',$,'Wall',$,$,$,$,$,$);
ENDSEC;
END-ISO-10303-21;
"""
"""A small IFC file with one wall: the mock imports it (one element) as the platform does."""


@pytest.fixture
def client(madaster_mock):
    return MadasterClient(madaster_mock.api("v3.0"), madaster_mock.key("write"))


def first_building(client):
    return client._call("GET", "/building")[0]["id"]


def test_lists_the_building_names(client, madaster_mock):
    names = client.building_names()
    assert names and names == sorted(names)
    assert madaster_mock.count(method="GET", path="/api/v3.0/building") == 1


def test_state_does_not_leak_between_tests(madaster_mock):
    assert madaster_mock.requests() == []  # the test above called the mock; this one starts clean


def test_a_503_is_retried_once(client, madaster_mock):
    madaster_mock.stub(
        match={"method": "GET", "path": "/api/v3.0/building"},
        answer={"status": 503, "headers": {"Retry-After": "0"}},
        times=1,
    )
    assert client.building_names()
    calls = madaster_mock.requests(method="GET", path="/api/v3.0/building")
    assert [c["status"] for c in calls] == [503, 200]


def test_an_error_the_api_declares_reaches_the_caller(client, madaster_mock):
    madaster_mock.stub(match={"method": "GET", "path": "/api/v3.0/building"}, answer={"status": 403})
    with pytest.raises(MadasterError) as raised:
        client.building_names()
    assert raised.value.status == 403


def test_a_stub_the_spec_does_not_allow_is_refused(madaster_mock):
    from contracts.errors import ContractsError

    with pytest.raises(ContractsError, match="not a valid 200"):
        madaster_mock.stub(
            match={"method": "GET", "path": "/api/v3.0/building"}, answer={"body": [{"name": 1}]}
        )


@pytest.mark.madaster_mock(processing_delay=60)  # the platform takes its time: the test says when it is done
def test_an_upload_is_waited_for_until_mapped(client, madaster_mock):
    building = first_building(client)
    file_id = client.upload_ifc(building, "model.ifc", IFC)
    assert [j["kind"] for j in madaster_mock.jobs() if j["state"] == "running"] == ["file-processing"]
    madaster_mock.finish_jobs()
    assert client.wait_for_file(building, file_id, timeout=5) == "Mapped"
    assert madaster_mock.count(method="POST", path="/api/v3.0/building/{id}/files/{file}/upload/{name}") == 1


@pytest.mark.madaster_mock(processing_delay=60)
def test_a_failed_import_is_reported(client, madaster_mock):
    building = first_building(client)
    file_id = client.upload_ifc(building, "model.ifc", IFC)
    madaster_mock.fail_job(kind="file-processing", status="ImportFailed")
    with pytest.raises(MadasterError, match="ImportFailed"):
        client.wait_for_file(building, file_id, timeout=5)


def test_a_read_token_cannot_upload(madaster_mock):
    reader = MadasterClient(madaster_mock.api("v3.0"), madaster_mock.key("read"))
    with pytest.raises(MadasterError) as raised:
        reader.upload_ifc(first_building(reader), "model.ifc", IFC)
    assert raised.value.status == 403


def test_the_calls_are_saved_for_diff_usage(client, madaster_mock, tmp_path):
    """``madaster-contracts diff --usage calls.har OLD NEW`` then names the changes that hit this client."""
    from contracts.har import load_har

    client.building_names()
    har = madaster_mock.save_har(tmp_path / "calls.har")
    assert [(e.method, e.path, e.status) for e in load_har(har)] == [("GET", "/api/v3.0/building", 200)]
