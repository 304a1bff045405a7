"""Placement: a write's parents are found among the run's own entities, or made along the chain.

Against the embedded mock (in-process): a body parent asked for as ``/folder/{}`` is a folder of
the run, found again on the next ask (not one new folder per write), and a file asked for under
a building the write fixed is made in that building.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contracts.runner.core import SpecSession
from contracts.runner.ledger import Ledger, compile_template
from contracts.runner.options import RunOptions
from contracts.runner.specs import collect_specs
from tests.conftest import PROJECT_ROOT


def session() -> SpecSession:
    spec = next(s for s in collect_specs(["v3.0"], [], PROJECT_ROOT / "specs") if s.version == "v3.0")
    return SpecSession.open(spec, RunOptions(seed=3), 3)


def test_an_unnamed_parameter_matches_one_segment() -> None:
    template = compile_template("/api/v3.0/folder/{}")
    assert template.regex.match("/api/v3.0/folder/abc") and not template.regex.match("/api/v3.0/folder/a/b")
    assert template.parameters("/api/v3.0/folder/abc") == {"": "abc"}


@given(st.lists(st.sampled_from(["folder", "building"]), min_size=1, max_size=20))
def test_the_newest_entity_of_a_kind_is_the_newest_one_added(kinds: list[str]) -> None:
    ledger = Ledger()
    for index, kind in enumerate(kinds):
        ledger.add(f"id{index}", f"/api/v3.0/{kind}/id{index}", "POST")
    for kind in ("folder", "building"):
        found = ledger.newest_under(compile_template(f"/api/v3.0/{kind}/{{}}"))
        expected = [f"id{i}" for i, k in enumerate(kinds) if k == kind]
        assert (found.entity_id if found else None) == (expected[-1] if expected else None)
        assert [e.entity_id for e in ledger.under(compile_template(f"/api/v3.0/{kind}/{{}}"))] == expected[
            ::-1
        ]


def test_a_body_parent_is_one_folder_of_the_run_found_again() -> None:
    placement = session().placement()
    first = placement.own_or_create("/api/v3.0/folder/{}")
    assert first is not None and placement.gate.ledger.owns(first)
    assert placement.own_or_create("/api/v3.0/folder/{}") == first
    folders = [e for e in placement.gate.ledger.owned.values() if "/folder/" in (e.path or "")]
    assert len(folders) == 1


def test_a_file_is_made_in_the_building_the_write_fixed() -> None:
    placement = session().placement()
    older = placement.own_or_create("/api/v3.0/building/{buildingId}")
    newer = placement.own_or_create("/api/v3.0/building/{}")
    assert older is not None and older == newer
    file_id = placement.own_or_create(f"/api/v3.0/building/{older}/files/{{fileId}}")
    assert file_id is not None
    assert placement.gate.ledger.owned[file_id].path == f"/api/v3.0/building/{older}/files/{file_id}"


def test_an_own_id_put_into_a_path_is_quoted_as_schemathesis_quotes_its_values() -> None:
    """An id the run chose (a client-keyed child: an element) may hold "?" or "/": sent raw, it
    would end the path or split it (werkzeug refused it: "Query string is defined in the path")."""
    from types import SimpleNamespace

    from schemathesis.transport.prepare import prepare_path

    from contracts.runner.owned_cases import own_path

    chosen = "el?1/2 #"
    ledger = SimpleNamespace(owns=lambda value: value == chosen, owned={})
    placement = SimpleNamespace(gate=SimpleNamespace(ledger=ledger), own_or_create=lambda entity: chosen)
    case = SimpleNamespace(
        operation=SimpleNamespace(path="/api/v3.0/element/{id}"), path_parameters={"id": "not-ours"}
    )
    own_path(placement, case)
    assert case.path_parameters["id"] == "el%3F1%2F2%20%23"
    assert prepare_path(case.operation.path, case.path_parameters) == "/api/v3.0/element/el%3F1%2F2%20%23"
    own_path(placement, case)  # the quoted value read back is the run's own: kept as it is
    assert case.path_parameters["id"] == "el%3F1%2F2%20%23"


def test_create_bodies_are_the_same_whichever_session_asks_first() -> None:
    """A --jobs worker shares its placements' bodies between sessions: each body comes from its
    own seed, so the sessions of a worker send what one whole-run session would."""
    spec = next(s for s in collect_specs(["v3.0"], [], PROJECT_ROOT / "specs") if s.version == "v3.0")
    shared: dict = {}
    building_first = SpecSession.open(spec, RunOptions(seed=3), 3, bodies=shared).placement()
    building_first.own_or_create("/api/v3.0/building/{}")  # a folder's body, then a building's
    assert set(shared) >= {"POST /api/v3.0/folder", "POST /api/v3.0/building"}
    alone = SpecSession.open(spec, RunOptions(seed=3), 3).placement()
    alone.own_or_create("/api/v3.0/folder/{}")
    assert alone.bodies["POST /api/v3.0/folder"] == shared["POST /api/v3.0/folder"]
    reused = SpecSession.open(spec, RunOptions(seed=3), 3, bodies=shared)
    assert reused.placement().bodies is shared
    other_seed = SpecSession.open(spec, RunOptions(seed=4), 4).placement()
    other_seed.own_or_create("/api/v3.0/building/{}")
    assert other_seed.bodies.keys() == shared.keys()
