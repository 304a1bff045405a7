"""The published programs again, with clients of a second generator nobody here wrote: OpenAPI
Generator's ``python`` (pydantic models with strict types), generated from each real build."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clients.steps import Session
from tests.clients.test_generated_clients import PUBLISHED_V3_PROGRAMS, Workflow, spec_id
from tests.conftest import SKIP_REASON, real_builds

WORKFLOWS = PUBLISHED_V3_PROGRAMS
pytestmark = pytest.mark.filterwarnings(r"ignore:POST /api/v3\.0/.* is deprecated:DeprecationWarning")
CASES = [(w, spec) for w in WORKFLOWS for spec in real_builds() if spec.parent.name == w.version]


@pytest.mark.parametrize(("workflow", "spec"), CASES, ids=[f"{w.name}-{spec_id(p)}" for w, p in CASES])
def test_workflow(workflow: Workflow, spec: Path, oag_client, mock_url) -> None:
    """One published program, run by the OpenAPI Generator client of one build, against its mock."""
    api = oag_client(spec)
    lacking = [f"{m} {p}" for m, p in workflow.needs if not api.has(m, p)]
    if lacking:
        pytest.skip(f"{spec_id(spec)} has no {', '.join(lacking)}")
    base_url = mock_url(spec)
    workflow.run(Session(api, api.client(base_url), base_url))


@pytest.mark.skipif(bool(CASES), reason="the real builds are present: their tests ran above")
def test_real_builds_absent_is_reported() -> None:
    pytest.skip(SKIP_REASON)
