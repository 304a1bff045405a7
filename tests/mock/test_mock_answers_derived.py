"""Every answer is what a client sent, the catalogue's, or computed from the state: never made up.

After a typical workflow (every write operation of the build once, an authored IFC file uploaded
and refined where the build has uploads), every GET operation of the baselines and of every real
build is called on the entities the state holds: no answer carries a ``mock-NNNN`` placeholder,
every uuid in an answer names something (an entity of the state, an id of the catalogue, the
account, or a value a client sent), and two walks over the same state (the clock held still)
give the same answers (download links aside: each is signed anew, valid for an hour from the
wall clock).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from contracts.platform.catalogue import read_data
from mockserver import create_app
from mockserver.platform.owned_fields import BUILDING_DATABASES
from tests.ifc_models import author
from tests.mock.answer_walk import Answer, placeholders, walk
from tests.mock.conftest import ALL_SPECS, SPEC_IDS, TOKENS, WRITE, concrete_request, load, runtime_of
from tests.mock.lifecycle_helpers import OCTET, FakeClock, new_file

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CATALOGUE_FILES = ("reference.yaml", "commodities.yaml", "v3.0.yaml", "v4.0.yaml")


def _uuids(value: Any, where: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in _uuids(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [found for v in value for found in _uuids(v, f"{where}[]")]
    if isinstance(value, str) and UUID.fullmatch(value):
        return [(where or ".", value)]
    return []


def _catalogue_ids() -> set[str]:
    """Every uuid of the platform catalogue (phases, classes, layers, databases, commodities...)."""
    import yaml

    text = "\n".join(yaml.safe_dump(read_data(name)) for name in CATALOGUE_FILES)
    return set(UUID.findall(text))


def _workflow(app: Any, client: Any, version: str) -> tuple[list[Answer], set[str]]:
    """Every write of the build once, then an IFC upload refined to its end: the answers and the
    uuids the client sent (in paths and bodies)."""
    runtime = runtime_of(app, version)
    answers: list[Answer] = []
    sent: set[str] = set()
    for op in runtime.operations:
        if op.method not in ("POST", "PUT"):
            continue
        url, kwargs, _complete = concrete_request(app, version, op)
        sent |= set(UUID.findall(url)) | {u for _, u in _uuids(kwargs.get("json"))}
        response = client.open(url, method=op.method, headers=WRITE, **kwargs)
        answers.append(Answer(op.label, url, response.status_code, response.get_json(silent=True)))
    labels = {op.label for op in runtime.operations}
    upload = f"POST /api/{version}/building/{{buildingId}}/files/{{id}}/upload/{{fileName}}"
    if upload in labels:
        building = client.get(f"/api/{version}/building", headers=WRITE).json[-1]["id"]
        file_id = new_file(
            app, client, building, preferredDatabaseIds=["00000000-0000-0000-0000-000000000000"]
        )["id"]
        url = f"/api/{version}/building/{building}/files/{file_id}"
        ifc = author("IFC4", 12, seed=5).content
        assert client.post(f"{url}/upload/kantoor.ifc", data=ifc, headers=OCTET).status_code in (201, 202)
        client.get(f"{url}/status", headers=WRITE)  # the job plays out (no processing delay)
        client.post(f"{url}/startrefinement", headers=WRITE)
        sent.add(file_id)
    return answers, sent


@pytest.mark.parametrize("path", ALL_SPECS, ids=SPEC_IDS)
def test_no_answer_carries_a_made_up_value(path: Path, spec_cache) -> None:
    app = create_app([load(path, spec_cache)], tokens=TOKENS, processing_delay=0, clock=FakeClock())
    client = app.test_client()
    version = next(iter(app.extensions["mockserver"]["runtimes"]))
    written, sent = _workflow(app, client, version)
    prefer = sent
    first = walk(client, app, version, WRITE, prefer)
    second = walk(client, app, version, WRITE, prefer)
    assert len(first) >= len([o for o in runtime_of(app, version).operations if o.method == "GET"]) - 2

    found = [f"{a.label}: {p}" for a in written + first for p in placeholders(a.body)]
    assert found == [], "placeholders in answers:\n" + "\n".join(found[:20])

    state = client.get("/__mock/state").json["versions"][version]["collections"]
    known = {e["id"].rsplit("/", 1)[-1] for c in state for e in c["entities"]}
    known |= _catalogue_ids() | sent | {str(runtime_of(app, version).account_id)}
    known |= {str(d["databaseId"]) for d in app.extensions["mockserver"]["store"].list(BUILDING_DATABASES)}
    unknown = sorted(
        {f"{a.label} {where} = {u}" for a in written + first for where, u in _uuids(a.body) if u not in known}
    )
    assert unknown == [], "uuids naming nothing:\n" + "\n".join(unknown[:20])

    # a download link is a capability signed until an hour from the wall clock: it is new each time
    changed = [
        a.path for a, b in zip(first, second, strict=True) if a != b and not a.path.endswith("/download")
    ]
    assert changed == [], f"the same state read twice gave different answers: {changed}"
