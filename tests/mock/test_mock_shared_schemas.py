"""Apps built again from one document share its compiled schemas, and only while it is unchanged."""

from __future__ import annotations

import copy
import json

import yaml

from mockserver import create_app
from mockserver.spec.schemas import SchemaSet
from tests.conftest import PROJECT_ROOT

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
KEY = {"X-API-Key": "dev-write"}


def baseline() -> dict:
    return yaml.safe_load(V3.read_text())


def runtime_of(app) -> object:
    return app.extensions["mockserver"]["runtimes"]["v3.0"]


def test_one_document_built_twice_shares_its_schemas() -> None:
    doc = baseline()
    first, second = create_app([doc]), create_app([doc])
    assert runtime_of(first).schemas is runtime_of(second).schemas
    assert runtime_of(create_app([copy.deepcopy(doc)])).schemas is not runtime_of(first).schemas


def test_a_document_edited_in_place_is_read_as_edited() -> None:
    doc = baseline()
    before = create_app([doc])
    doc["components"]["schemas"]["FolderInput"]["properties"]["name"]["maxLength"] = 3
    after = create_app([doc])
    assert runtime_of(after).schemas is not runtime_of(before).schemas
    body = {"name": "longer than three", "foldertypeId": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
    answers = []
    for app in (before, after):
        client = app.test_client()
        parent = client.get("/api/v3.0/account", headers=KEY).get_json()["id"]
        answers.append(client.post("/api/v3.0/folder", headers=KEY, json={**body, "parentId": parent}))
    assert "body.name" not in answers[0].get_data(as_text=True)
    assert answers[1].status_code == 400 and "body.name" in answers[1].get_data(as_text=True)


def test_the_shared_sets_are_bounded() -> None:
    docs = [baseline() for _ in range(12)]
    sets = [SchemaSet.shared(doc, json.dumps(doc).encode()) for doc in docs]
    assert len(SchemaSet._shared) <= 8
    assert SchemaSet.shared(docs[-1], json.dumps(docs[-1]).encode()) is sets[-1]
    assert SchemaSet.shared(docs[0], json.dumps(docs[0]).encode()) is not sets[0]  # evicted: built anew
