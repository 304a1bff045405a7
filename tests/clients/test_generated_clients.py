"""Clients that nobody here wrote, generated from each real build and baseline, run their whole
workflows against the mock served over HTTP (see docs/mock.md, "Tested with generated clients")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.clients import steps_v3, workflows_csharp, workflows_v3, workflows_v4
from tests.clients.conftest import client_specs, spec_id
from tests.clients.generated import GeneratedApi
from tests.clients.steps import Session
from tests.conftest import SHARED_SPECS, SKIP_REASON, real_build

V3_BASIC = [
    ("GET", "/account/foldertypes"),
    ("POST", "/folder"),
    ("POST", "/building"),
    ("POST", "/building/{buildingId}/files"),
    ("POST", "/building/{buildingId}/files/{id}/startrefinement"),
    ("POST", "/building/{buildingId}/files/{id}/active"),
    ("POST", "/building/{id}/exportpassport"),
    ("GET", "/building/{buildingId}/files/{id}/download"),
]
V3_EXTERNAL_IDS = [
    ("GET", "/folder/external/{externalId}"),
    ("GET", "/building/external/{externalId}"),
    ("POST", "/building/{buildingId}/files/{fileId}/elements"),
]
V3_CSHARP_BASIC = [("GET", "/system/classificationmethods"), *V3_BASIC[1:6]]
V3_IFC = [("POST", "/building/{buildingId}/files/{id}/upload/{fileName}")]
V3_MAPPING = [("POST", "/building/{buildingId}/files/{fileId}/elements"), *V3_BASIC[1:6]]
V3_IMAGES = [
    ("POST", "/building/{id}/images"),
    ("GET", "/building/{id}/images"),
    ("DELETE", "/building/{id}/images/{fileName}"),
]
V4_CATALOGUE = [
    ("GET", "/database/external/{externalId}"),
    ("POST", "/database"),
    ("GET", "/commodity/{databaseId}/external/{externalId}"),
    ("POST", "/commodity"),
    ("POST", "/commodity/{id}/matches"),
    ("POST", "/commodity/{id}/children/weight"),
    ("POST", "/commodity/{id}/children/quantity"),
]
V4_ATTACHMENTS = [
    *V4_CATALOGUE[:4],
    ("POST", "/commodity/{id}/files/upload"),
    ("GET", "/commodity/{id}/files"),
    ("DELETE", "/commodity/{id}/files/{fileId}"),
    ("POST", "/commodity/{id}/images"),
    ("DELETE", "/commodity/{id}/images/{name}"),
]


def session_for(
    spec: Path,
    needs: list[tuple[str, str]],
    generated_client: Callable[[Path], GeneratedApi],
    mock_url: Callable[[Path], str],
) -> Session:
    """The generated client of ``spec`` against its mock; skips when the build lacks an operation."""
    api = generated_client(spec)
    lacking = [f"{m} {p}" for m, p in needs if not api.has(m, p)]
    if lacking:
        pytest.skip(f"{spec_id(spec)} has no {', '.join(lacking)}")
    base_url = mock_url(spec)
    return Session(api, api.client(base_url), base_url)


@dataclass(frozen=True)
class Workflow:
    name: str
    version: str
    run: Callable[[Session], None]
    needs: list[tuple[str, str]]


PUBLISHED_V3_PROGRAMS = [
    Workflow("v3-python-example", "v3.0", workflows_v3.python_example, V3_BASIC),
    Workflow("v3-csharp-basic", "v3.0", workflows_csharp.basic, V3_CSHARP_BASIC),
    Workflow("v3-csharp-external-id", "v3.0", workflows_csharp.external_id, V3_EXTERNAL_IDS),
    Workflow("v3-csharp-upload-ifc-file", "v3.0", workflows_csharp.upload_ifc_file, V3_IFC),
    Workflow("v3-refinement-mapping", "v3.0", workflows_csharp.refinement_mapping, V3_MAPPING),
]
"""The published v3.0 programs (and refinement mapping): every generator's clients run these."""

WORKFLOWS = [
    *PUBLISHED_V3_PROGRAMS,
    Workflow("v3-building-images", "v3.0", workflows_v3.building_images, V3_IMAGES),
    Workflow("v4-catalogue", "v4.0", workflows_v4.catalogue, V4_CATALOGUE),
    Workflow("v4-attachments", "v4.0", workflows_v4.attachments, V4_ATTACHMENTS),
]
CASES = [(w, spec) for w in WORKFLOWS for spec in client_specs() if spec.parent.name == w.version]


@pytest.mark.parametrize(("workflow", "spec"), CASES, ids=[f"{w.name}-{spec_id(p)}" for w, p in CASES])
def test_workflow(workflow: Workflow, spec: Path, generated_client, mock_url) -> None:
    """One published workflow, run by the client generated from one build, against its mock."""
    workflow.run(session_for(spec, workflow.needs, generated_client, mock_url))


@pytest.mark.skipif(SHARED_SPECS.is_dir(), reason="the real builds are present: their tests ran above")
def test_real_builds_absent_is_reported() -> None:
    """Without ../shared the real builds are simply not parametrized; say so once."""
    pytest.skip(SKIP_REASON)


def test_every_spec_generates_a_client_with_the_workflow_operations(generated_client) -> None:
    """Generation itself: each package imports, and the operations the workflows use are there."""
    for spec in client_specs():
        api = generated_client(spec)
        assert api.operations, spec
        needs = V3_BASIC if spec.parent.name == "v3.0" else V4_CATALOGUE
        assert [f"{m} {p}" for m, p in needs if not api.has(m, p)] == [], spec_id(spec)


def test_a_strict_mock_refuses_the_date_time_the_published_client_sends(generated_client) -> None:
    """The leniency is what lets the workflow through: with ``strict=True`` the same typed call
    (``completionDate`` without an offset) is a 400 naming the field."""
    from mockserver import create_app
    from mockserver.http.serve import serve_in_thread

    spec = next(p for p in client_specs() if p.parent.name == "v3.0" and p.stem == "baseline")
    api = generated_client(spec)
    with serve_in_thread(create_app([spec], strict=True, processing_delay=0), threads=2) as (url, _stop):
        session = Session(api, api.client(url), url)
        with pytest.raises(
            AssertionError, match=r"POST /building: expected \(201,\), got 400.*completionDate"
        ):
            steps_v3.setup_building(session)


def test_the_basic_workflow_runs_twice_against_one_mock(generated_client, mock_url) -> None:
    """A team runs its integration test again against the same mock: the same IFC element ids go
    into a second file of a second building, as they may on the platform."""
    spec = real_build("v3.0", 30855)
    session = session_for(spec, V3_BASIC, generated_client, mock_url)
    workflows_v3.python_example(session)
    workflows_v3.python_example(session)
