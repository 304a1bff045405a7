"""The ownership gate on its own: whatever a write names, it is sent only if the run made it.

A recording WSGI app stands behind the gate, so "sent" means it reached the app. Fast and
property-based: random ids, paths and bodies, against a ledger the test fills.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from contracts.runner.gate import NOT_SENT_HEADER, OwnershipGate, answer_ids
from contracts.runner.ledger import PathTemplates, canonical_path

DOC: dict[str, Any] = {
    "paths": {
        "/api/v3.0/account": {"get": {}},
        "/api/v3.0/folder": {"post": {}, "get": {}},
        "/api/v3.0/folder/{id}": {"get": {}, "put": {}, "delete": {}},
        "/api/v3.0/building": {"post": {}},
        "/api/v3.0/building/{id}": {"get": {}, "put": {}, "delete": {}},
        "/api/v3.0/building/{buildingId}/files/{id}/upload/{fileName}": {"post": {}},
        "/api/v3.0/building/{buildingId}/files/{id}": {"get": {}, "delete": {}},
        "/api/v3.0/building/{buildingId}/files/{id}/active": {"post": {}},
        "/api/v4.0/database": {"post": {}, "put": {}},
        "/api/v4.0/database/{id}": {"get": {}, "delete": {}},
    }
}
ACCOUNT = "acc00000-0000-0000-0000-000000000001"


class Recorder:
    """The target: remembers every request that reached it and answers a new entity."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.received.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        start_response("200 OK", [("Content-Type", "application/json")])
        if environ["PATH_INFO"].endswith("/account"):
            return [json.dumps({"id": ACCOUNT}).encode()]
        if environ["REQUEST_METHOD"] == "GET":
            return [json.dumps([{"id": "seen-1"}, {"id": "seen-2"}]).encode()]
        return [json.dumps({"id": str(uuid.uuid4())}).encode()]


def gate_with(owned: list[tuple[str, str]]) -> tuple[OwnershipGate, Recorder]:
    target = Recorder()
    gate = OwnershipGate(target, PathTemplates(DOC))
    for entity_id, path in owned:
        gate.ledger.add(entity_id, path, "POST test")
    Client(gate).get("/api/v3.0/account")
    return gate, target


ids = st.one_of(st.uuids().map(str), st.text(min_size=1, max_size=12).filter(lambda t: "/" not in t))
writes = st.sampled_from(
    [
        ("PUT", "/api/v3.0/folder/{a}"),
        ("DELETE", "/api/v3.0/folder/{a}"),
        ("DELETE", "/api/v3.0/building/{a}"),
        ("POST", "/api/v3.0/building/{a}/files/{b}/active"),
        ("POST", "/api/v3.0/building/{a}/files/{b}/upload/model.ifc"),
        ("DELETE", "/api/v3.0/building/{a}/files/{b}"),
    ]
)


@settings(max_examples=150, deadline=None)
@given(writes, ids, ids, st.booleans(), st.booleans())
def test_a_write_reaches_the_target_only_when_every_entity_it_names_is_owned(
    write: tuple[str, str], a: str, b: str, own_a: bool, own_b: bool
) -> None:
    from contracts.runner.ledger import segment

    owned = [(a, f"/api/v3.0/x/{segment(a)}")] if own_a else []
    if own_b and b != a:
        owned.append((b, f"/api/v3.0/y/{segment(b)}"))
    gate, target = gate_with(owned)
    method, template = write
    path = template.replace("{a}", segment(a)).replace("{b}", segment(b))
    before = len(target.received)
    response = Client(gate).open(path, method=method)
    names = [a] if "{b}" not in template else [a, b]
    allowed = all(gate.ledger.owns(value) for value in names)
    assert (len(target.received) > before) == allowed
    assert (NOT_SENT_HEADER in response.headers) == (not allowed)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["folderId", "parentId", "databaseId"]), ids, st.booleans())
def test_a_create_under_a_parent_the_run_did_not_make_is_not_sent(
    field: str, parent: str, owned: bool
) -> None:
    gate, target = gate_with([(parent, f"/api/v3.0/folder/{parent}")] if owned else [])
    before = len(target.received)
    Client(gate).post("/api/v3.0/building", json={"name": "n", field: parent})
    assert (len(target.received) > before) == owned
    top = Client(gate).post("/api/v3.0/building", json={"name": "n", field: ACCOUNT})
    assert NOT_SENT_HEADER not in top.headers  # the account itself is the top of the portfolio


def test_an_update_by_body_id_goes_only_to_the_runs_own_and_the_answer_enters_the_ledger() -> None:
    gate, target = gate_with([])
    refused = Client(gate).put("/api/v4.0/database", json={"id": "seen-1", "name": "x"})
    assert NOT_SENT_HEADER in refused.headers and target.received[-1][0] == "GET"
    created = Client(gate).post("/api/v4.0/database", json={"name": "mine"})
    mine = created.json["id"]
    assert gate.ledger.owned[mine].path == f"/api/v4.0/database/{mine}"
    assert NOT_SENT_HEADER not in Client(gate).put("/api/v4.0/database", json={"id": mine}).headers
    Client(gate).get("/api/v3.0/folder")  # lists seen-1, seen-2: foreign from now on
    assert {"seen-1", "seen-2"} <= gate.ledger.foreign
    assert not gate.ledger.add("seen-1", "/api/v3.0/folder/seen-1", "POST /api/v3.0/folder")


def test_a_delete_forgets_the_entity_and_what_lies_below_it() -> None:
    gate, _ = gate_with([("b1", "/api/v3.0/building/b1"), ("f1", "/api/v3.0/building/b1/files/f1")])
    assert NOT_SENT_HEADER not in Client(gate).delete("/api/v3.0/building/b1").headers
    assert not gate.ledger.owned and {"b1", "f1"} <= gate.ledger.gone
    assert NOT_SENT_HEADER not in Client(gate).delete("/api/v3.0/building/b1").headers  # a 404 at most
    assert NOT_SENT_HEADER in Client(gate).put("/api/v3.0/building/b1", json={}).headers


def test_cleanup_order_is_children_first() -> None:
    gate, _ = gate_with(
        [
            ("b1", "/api/v3.0/building/b1"),
            ("f1", "/api/v3.0/building/b1/files/f1"),
            ("d1", "/api/v3.0/folder/d1"),
        ]
    )
    assert [e.entity_id for e in gate.ledger.for_cleanup()] == ["f1", "d1", "b1"]


@given(st.lists(st.text(max_size=8), min_size=1, max_size=4))
def test_one_canonical_form_for_any_encoding_of_a_path(segments: list[str]) -> None:
    from urllib.parse import quote

    raw = "/" + "/".join(segments)
    encoded = "/" + "/".join(quote(s, safe="") for s in segments)
    assert canonical_path(encoded) == canonical_path(canonical_path(encoded))
    assert canonical_path(encoded).count("/") == len(segments)  # an encoded "/" stays inside its segment
    del raw


def test_answer_ids_read_entities_lists_and_a_bare_id() -> None:
    assert answer_ids(b'{"id": "a"}') == ["a"]
    assert answer_ids(b'[{"id": "a"}, {"id": 2}]') == ["a", "2"]
    assert answer_ids(b'"6a32c5b4-9bcc-4099-ab00-32059bb868f5"') == ["6a32c5b4-9bcc-4099-ab00-32059bb868f5"]
    assert answer_ids(b'"not an id"') == [] and answer_ids(b"oops") == []
