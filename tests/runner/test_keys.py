"""The checks of keys and of whole lists: ``scoped_key``, ``lookup_exact`` and ``list_complete``.

Each fault is planted in the conforming mock (``broken_api.MockFaults``) served over HTTP with a
key scoped to one of its fixture folders; the same mock without a fault is green in both modes.
The scope logic itself is tested on generated trees of folders and buildings.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.platform.scopes import parent_links, scope_rules, shared_ids, topmost, within
from contracts.runner import RunOptions, run_contracts
from contracts.runner.lookups import answered_key
from contracts.runner.paging import paging
from tests.conftest import PROJECT_ROOT
from tests.runner.broken_api import MOCK_BREAKAGES, MockFaults
from tests.runner.conforming import SCOPED_KEY, explain, mock_over_http, run_against

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"
FOLDERS_AND_BUILDINGS = (
    r"^(GET|POST|PUT|DELETE) /api/v3\.0/(account|account/foldertypes|folder|folder/\{id\}|"
    r"folder/external/\{externalId\}|building|building/\{id\}|system/classificationmethods)$"
)
EXPECTED = {
    "scoped_leak": ("GET /api/v3.0/building", "scoped_key", "outside folder", ("keys",), (False, True)),
    "lookup_partial": (
        "GET /api/v3.0/folder/external/{externalId}",
        "lookup_exact",
        "cut short",
        ("workflows", "keys"),
        (False, True),
    ),
    "list_truncated": ("GET /api/v3.0/folder", "list_complete", "missing", ("workflows",), (True,)),
}
CHECKS = {"scoped_key", "lookup_exact", "list_complete"}


def keys_run(url: str, seed: int, writes: bool) -> tuple[object, str]:
    return run_against(
        url,
        V3,
        allow_writes=writes,
        scoped_key=SCOPED_KEY,
        seed=seed,
        max_examples=1,
        operations=[FOLDERS_AND_BUILDINGS],
        phases=("stateful",),  # the workflows and the checks of keys run in the stateful unit
    )


@pytest.mark.parametrize(("breakage", "writes"), [(b, w) for b in sorted(EXPECTED) for w in EXPECTED[b][4]])
def test_a_key_or_list_fault_is_named_by_operation_and_check(breakage: str, writes: bool) -> None:
    operation, check, words, phases, _ = EXPECTED[breakage]
    with mock_over_http(V3, 4, wrap=lambda app: MockFaults(app, breakage)) as url:
        run, out = keys_run(url, 4, writes)
    failures = [f for version in run.versions for f in version.failures]  # type: ignore[attr-defined]
    found = [f for f in failures if (f.operation, f.check) == (operation, check)]
    assert found, f"{MOCK_BREAKAGES[breakage]}: expected {operation} {check}\n" + explain(run, out)  # type: ignore[arg-type]
    assert words in found[0].message
    assert found[0].phase in phases
    assert {f.check for f in failures} <= CHECKS | {"list_contains_created"}, explain(run, out)  # type: ignore[arg-type]


@pytest.mark.parametrize(("seed", "writes"), [(1, False), (1, True), (4, True)])
def test_the_mock_without_a_fault_passes_the_checks_of_keys(seed: int, writes: bool) -> None:
    with mock_over_http(V3, seed) as url:
        run, out = keys_run(url, seed, writes)
    assert run.passed, explain(run, out)  # type: ignore[attr-defined,arg-type]
    stateful = [op for version in run.versions for op in version.stateful.values()]  # type: ignore[attr-defined]
    checks = {name for op in stateful for name, state in op.checks.items() if state == "passed"}
    assert {"scoped_key", "lookup_exact"} | ({"list_complete"} if writes else set()) <= checks, checks


def test_the_embedded_mock_makes_its_own_scoped_key_on_a_folder_of_its_fixtures() -> None:
    out = io.StringIO()
    run = run_contracts(
        RunOptions(
            spec_files=[V3], seed=2, max_examples=1, phases=("stateful",), operations=[FOLDERS_AND_BUILDINGS]
        ),
        stream=out,
    )
    assert run.passed, explain(run, out.getvalue())
    version = run.versions[0]
    assert version.stateful["GET /api/v3.0/building"].checks.get("scoped_key") == "passed", explain(
        run, out.getvalue()
    )
    assert "keys" in out.getvalue()


def test_skip_check_leaves_the_checks_of_keys_out() -> None:
    out = io.StringIO()
    run = run_contracts(
        RunOptions(
            spec_files=[V3],
            seed=2,
            max_examples=1,
            phases=("stateful",),
            operations=[FOLDERS_AND_BUILDINGS],
            skipped_checks=["scoped_key", "lookup_exact", "list_complete"],
        ),
        stream=out,
    )
    checks = {name for op in run.versions[0].stateful.values() for name in op.checks}
    assert not checks & CHECKS, checks


Tree = dict[str, str | None]


@st.composite
def trees(draw: st.DrawFn) -> Tree:
    """Folder ids -> their parent folder (None at the top), a forest of up to 12 folders."""
    count = draw(st.integers(1, 12))
    parents: Tree = {"f0": None}
    for index in range(1, count):
        parents[f"f{index}"] = draw(st.sampled_from([None, *parents]))
    return parents


def lists_of(tree: Tree, buildings: dict[str, str]) -> dict[str, list[dict[str, object]]]:
    return {
        "/folder": [{"id": f, **({"parentId": p} if p else {})} for f, p in tree.items()],
        "/building": [{"id": b, "folderId": f} for b, f in buildings.items()],
    }


@given(trees(), st.data())
def test_a_key_listing_one_folder_and_what_hangs_below_is_inside_its_scope(
    tree: Tree, data: st.DataObject
) -> None:
    scope = data.draw(st.sampled_from(sorted(tree)))
    buildings = {f"b-{f}": f for f in tree}
    links = parent_links(lists_of(tree, buildings))
    below = [("/folder", f) for f in tree if within(("/folder", f), ("/folder", scope), links)]
    below += [
        ("/building", b) for b, f in buildings.items() if within(("/folder", f), ("/folder", scope), links)
    ]
    assert topmost(below, links) == ("/folder", scope)
    outside = [("/building", b) for b, f in buildings.items() if ("/folder", f) not in below]
    if outside:  # one building of another folder: the scope suggested holds less than everything listed
        listed = [*below, outside[0]]
        top = topmost(listed, links)
        assert top is not None and not all(within(e, top, links) for e in listed)


def test_scope_rules_name_the_scoped_lists_and_the_lookup_key() -> None:
    rules = scope_rules()
    assert rules.scoped_lists["/building"] == {"folderId": "/folder"}
    assert rules.lookup_key("/folder/external/{externalId}") == "externalId"
    assert rules.lookup_key("/folder/{id}") is None
    assert "00000000-0000-0000-0000-000000000000" in shared_ids("v4.0")


class _Operation:
    path = "/api/v3.0/folder/external/{externalId}"


def test_a_lookup_answer_is_judged_by_its_key_field() -> None:
    assert answered_key(_Operation(), {"externalId": "ab"}, b'{"externalId": "abc"}') == ("ab", "abc")
    assert answered_key(_Operation(), {"externalId": "ab"}, b'{"name": "x"}') is None
    assert answered_key(_Operation(), {"externalId": "ab"}, b"not json") is None


def test_paging_reads_the_declared_offset_and_limit() -> None:
    import schemathesis

    from contracts.spec_loader import load_spec_file

    schema = schemathesis.openapi.from_dict(load_spec_file(PROJECT_ROOT / "specs" / "v4.0" / "baseline.yaml"))
    paged = schema.find_operation_by_label("GET /api/v4.0/database/{id}/commodities")
    assert paging(paged)[:2] == ("skip", "take")
    assert paging(schema.find_operation_by_label("GET /api/v4.0/database")) == (None, None, None)


@given(st.text(min_size=1))
def test_a_key_goes_out_as_one_path_segment_and_comes_back_whole(value: str) -> None:
    from urllib.parse import unquote

    from contracts.runner.key_checks import path_segment

    sent = path_segment(value)
    assert "/" not in sent and sent not in (".", "..")
    assert unquote(sent, errors="surrogatepass") == value or any(0xD800 <= ord(c) <= 0xDFFF for c in value)
