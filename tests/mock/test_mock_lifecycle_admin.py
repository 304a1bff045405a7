"""The jobs admin API: list the work, finish it all or one job at once, force a failure state."""

from __future__ import annotations

import pytest

from tests.conftest import real_build
from tests.mock.conftest import WRITE
from tests.mock.lifecycle_helpers import (
    IFC,
    OCTET,
    FakeClock,
    enum_of,
    file_url,
    first_building,
    lifecycle_app,
    new_file,
    status_of,
    with_new_file,
)

JOB_KEYS = {"id", "version", "kind", "entity", "status", "next", "due", "state"}


@pytest.fixture
def running(spec_cache):
    """An app on build 30855 whose clock stands still, with an IFC upload just started."""
    clock = FakeClock()
    app, client, building, file_id = with_new_file(
        real_build("v3.0", 30855), spec_cache, delay=10.0, clock=clock
    )
    client.post(f"{file_url(building, file_id)}/upload/model.ifc", data=IFC, headers=OCTET)
    return app, client, clock, building, file_id


def test_jobs_list_what_runs_with_next_status_and_due_time(running) -> None:
    app, client, clock, building, file_id = running
    [job] = client.get("/__mock/jobs").json["jobs"]
    assert set(job) == JOB_KEYS
    assert job["version"] == "v3.0" and job["kind"] == "file-processing" and job["state"] == "running"
    assert job["entity"] == {
        "collection": "building/files",
        "id": file_id,
        "path": file_url(building, file_id),
    }
    assert (job["status"], job["next"]) == ("Uploaded", "Importing")
    assert job["due"] == pytest.approx(clock.now + 10.0)
    assert client.get(job["entity"]["path"], headers=WRITE).json["status"] == job["status"]
    clock.advance(25)
    [job] = client.get("/__mock/jobs").json["jobs"]
    assert (job["status"], job["next"]) == ("Imported", "Refining")
    assert job["due"] == pytest.approx(clock.now + 5.0)


def test_finish_one_job(running) -> None:
    _, client, _, building, file_id = running
    job_id = client.get("/__mock/jobs").json["jobs"][0]["id"]
    done = client.post(f"/__mock/jobs/{job_id}/finish")
    assert done.status_code == 200
    assert done.json["state"] == "done" and done.json["status"] == "Mapped" and done.json["due"] is None
    assert status_of(client, building, file_id) == "Mapped"
    assert client.post("/__mock/jobs/no-such-job/finish").status_code == 404


def test_finish_all_pending_work_at_once(running) -> None:
    app, client, _, building, file_id = running
    client.post(f"/api/v3.0/building/{building}/process", headers=WRITE)
    passport = client.post(f"/api/v3.0/building/{building}/exportpassport", headers=WRITE).json["id"]
    assert {j["state"] for j in client.get("/__mock/jobs").json["jobs"]} == {"running"}
    finished = client.post("/__mock/jobs/finish").json
    assert finished["finished"] == 3
    assert {j["kind"] for j in finished["jobs"]} == {"file-processing", "activation", "passport"}
    assert {j["state"] for j in client.get("/__mock/jobs").json["jobs"]} == {"done"}
    assert status_of(client, building, file_id) == "Mapped"
    assert status_of(client, building, passport) == "Uploaded"
    assert client.get(f"/api/v3.0/building/{building}", headers=WRITE).json["isDirty"] is False
    assert client.post("/__mock/jobs/finish").json["finished"] == 0


def test_fail_forces_the_lifecycles_failure_state(running) -> None:
    app, client, clock, building, file_id = running
    job_id = client.get("/__mock/jobs").json["jobs"][0]["id"]
    failed = client.post(f"/__mock/jobs/{job_id}/fail")
    assert failed.status_code == 200 and failed.json["state"] == "failed"
    assert failed.json["status"] == "ImportFailed" and failed.json["next"] is None
    clock.advance(3600)  # a failed job stays where it failed
    assert status_of(client, building, file_id) == "ImportFailed"
    assert client.post(f"/__mock/jobs/{job_id}/finish").json["status"] == "ImportFailed"


def test_fail_with_a_chosen_status(running) -> None:
    app, client, _, building, file_id = running
    job_id = client.get("/__mock/jobs").json["jobs"][0]["id"]
    assert "UnknownImportFile" in enum_of(app)
    failed = client.post(f"/__mock/jobs/{job_id}/fail", json={"status": "UnknownImportFile"})
    assert failed.status_code == 200 and failed.json["status"] == "UnknownImportFile"
    assert status_of(client, building, file_id) == "UnknownImportFile"


def test_fail_refuses_what_the_lifecycle_cannot_fail_into(running) -> None:
    app, client, _, building, file_id = running
    job_id = client.get("/__mock/jobs").json["jobs"][0]["id"]
    wrong = client.post(f"/__mock/jobs/{job_id}/fail", json={"status": "Mapped"})
    assert wrong.status_code == 400 and "ImportFailed" in wrong.json["detail"]
    assert wrong.headers["Content-Type"].startswith("application/problem+json")
    assert client.post(f"/__mock/jobs/{job_id}/fail", json=["x"]).status_code == 400
    assert client.post("/__mock/jobs/nope/fail").status_code == 404
    client.post(f"/api/v3.0/building/{building}/process", headers=WRITE)
    activation = next(j for j in client.get("/__mock/jobs").json["jobs"] if j["kind"] == "activation")
    refused = client.post(f"/__mock/jobs/{activation['id']}/fail")
    assert refused.status_code == 409 and "no failure state" in refused.json["detail"]
    assert status_of(client, building, file_id) == "Uploaded"  # nothing changed


def test_failure_states_follow_the_build(spec_cache) -> None:
    """Build 7980 declares neither ImportFailed nor RefineFailed: its refinement fails into Error."""
    app, client, building, file_id = with_new_file(real_build("v3.0", 7980), spec_cache, delay=10.0)
    assert client.post(f"{file_url(building, file_id)}/setimporting", headers=WRITE).status_code == 204
    assert client.post(f"{file_url(building, file_id)}/startrefinement", headers=WRITE).status_code == 202
    job_id = client.get("/__mock/jobs").json["jobs"][0]["id"]
    assert client.post(f"/__mock/jobs/{job_id}/fail", json={"status": "RefineFailed"}).status_code == 400
    assert client.post(f"/__mock/jobs/{job_id}/fail").json["status"] == "Error"
    assert status_of(client, building, file_id) == "Error"


def test_reset_forgets_the_jobs(running) -> None:
    _, client, _, _, _ = running
    assert client.post("/__mock/reset").status_code == 200
    assert client.get("/__mock/jobs").json == {"jobs": []}


def test_without_admin_there_is_no_jobs_api_but_downloads_still_work(spec_cache) -> None:
    app = lifecycle_app(real_build("v3.0", 30855), spec_cache, delay=0, admin=False)
    client = app.test_client()
    assert client.get("/__mock/jobs").status_code == 404
    assert client.post("/__mock/jobs/finish").status_code == 404
    building = first_building(client)
    file_id = new_file(app, client, building)["id"]
    client.post(f"{file_url(building, file_id)}/upload/model.ifc", data=IFC, headers=OCTET)
    link = client.get(f"{file_url(building, file_id)}/download", headers=WRITE).json["url"]
    assert client.get(link).data == IFC
