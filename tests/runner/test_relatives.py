"""Read-back of an entity's relatives in the workflows: the parent, the list, the children.

Each fault is planted in the conforming mock (``broken_api.MockFaults``) served over HTTP; the
same mock without it is green (``test_conforming_server``). The walk stops after the building
step (the file operations are not selected), so a folder and a building are made twice: once
for the chain, once for the cascade.
"""

from __future__ import annotations

import pytest

from contracts.runner.relatives import entries, listing_problem, parent_of
from contracts.runner.workflows import CHAINS
from tests.conftest import PROJECT_ROOT
from tests.runner.broken_api import MOCK_BREAKAGES, MockFaults
from tests.runner.conforming import explain, mock_over_http, run_against

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
FOLDER_AND_BUILDING = r"^(GET|POST|PUT|DELETE) /api/v3\.0/(account|account/foldertypes|folder|folder/\{id\}|building|building/\{id\}|system/classificationmethods)$"
EXPECTED = {
    "parent_touched": ("GET /api/v3.0/folder/{id}", "parent_unchanged", "(renamed)"),
    "list_twice": ("GET /api/v3.0/folder", "list_entry_matches", "listed 2 times"),
    "orphans_listed": ("GET /api/v3.0/building", "children_gone_after_delete", "still lists"),
}


def test_every_mock_breakage_has_a_test() -> None:
    from tests.runner.test_keys import EXPECTED as KEYS_EXPECTED

    assert set(EXPECTED) | set(KEYS_EXPECTED) == set(MOCK_BREAKAGES)


@pytest.mark.parametrize("breakage", sorted(EXPECTED))  # the faults of keys and lists: test_keys
def test_a_relative_read_back_fault_is_named_by_operation_and_check(breakage: str) -> None:
    operation, check, words = EXPECTED[breakage]
    with mock_over_http(V3, 4, wrap=lambda app: MockFaults(app, breakage)) as url:
        run, out = run_against(
            url,
            V3,
            allow_writes=True,
            seed=4,
            max_examples=1,
            operations=[FOLDER_AND_BUILDING],
            phases=("stateful",),  # the workflows run in the stateful unit; the other phases add nothing here
        )
    failures = [f for version in run.versions for f in version.failures]
    found = [f for f in failures if (f.operation, f.check) == (operation, check)]
    assert found, f"{MOCK_BREAKAGES[breakage]}: expected {operation} {check}\n" + explain(run, out)
    assert words in found[0].message
    assert found[0].phase == "workflows" and found[0].chain


def test_the_parent_of_a_step_is_the_step_it_links_to() -> None:
    names = {step.name: parent_of(step) for step in CHAINS["v3.0"]}
    assert names == {"folder": None, "building": "folder", "file": "building", "element": "file"}
    assert parent_of(CHAINS["v4.0"][1]) == "database"


def test_a_listing_entry_must_be_there_once_with_the_fields_of_the_entity() -> None:
    entity = {"id": "a", "name": "n", "size": 2}
    assert listing_problem([{"id": "a", "name": "n"}], entity, "a") is None
    assert listing_problem([{"id": "b"}], entity, "a") is None  # absence is list_contains_created's
    assert listing_problem([{"id": "a"}, {"id": "a"}], entity, "a") == "listed 2 times"
    assert "name" in (listing_problem([{"id": "a", "name": "old"}], entity, "a") or "")
    assert listing_problem([{"id": "a", "size": 2.0}], entity, "a") is None
    assert entries({"items": [{"id": "a"}, 3]}) == [{"id": "a"}]
    assert entries("text") is None


@pytest.mark.parametrize("seed", [1, 4])
def test_the_mock_without_a_fault_passes_every_relative_check(seed: int) -> None:
    with mock_over_http(V3, seed) as url:
        run, out = run_against(
            url,
            V3,
            allow_writes=True,
            seed=seed,
            max_examples=1,
            operations=[FOLDER_AND_BUILDING],
            phases=("stateful",),
        )
    assert run.passed, explain(run, out)
    checks = {name for version in run.versions for op in version.stateful.values() for name in op.checks}
    assert {"parent_unchanged", "list_entry_matches", "children_gone_after_delete"} <= checks, checks
