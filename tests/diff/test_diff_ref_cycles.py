"""A ``$ref`` cycle with no schema in it (A -> B -> A): one line naming it and exit 2, for the
diff, ``snapshot import``, ``test --spec`` and ``mock --spec`` alike, never a made-up finding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.cli import main
from contracts.diff import diff_specs
from contracts.errors import SpecError
from contracts.spec_loader import load_spec_bytes
from tests.conftest import contracts_command
from tests.diff.builders import ITEM, base_spec, op, schemas

A, B = "#/components/schemas/A", "#/components/schemas/B"
CYCLE = f"$ref cycle with no schema in it: {A} -> {B} -> {A}"


def cyclic_spec() -> dict[str, Any]:
    """The base spec whose item read answers A, where A -> B -> A."""
    spec = base_spec()
    schemas(spec).update({"A": {"$ref": B}, "B": {"$ref": A}})
    op(spec, "get", ITEM)["responses"]["200"]["content"]["application/json"]["schema"] = {"$ref": A}
    return spec


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(base_spec()))
    bad.write_text(json.dumps(cyclic_spec()))
    return good, bad


@pytest.mark.parametrize("extra", [[], ["--validate"]])
def test_diff_refuses_the_cycle_instead_of_reporting_a_type_change(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    good, bad = files
    for old, new in ((good, bad), (bad, good)):
        code = main(["diff", str(old), str(new), *extra])
        assert code == 2
        assert one_line(capsys.readouterr().err).endswith(f"{bad}: {CYCLE}")


def test_snapshot_import_refuses_it_and_stores_nothing(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, bad = files
    store = tmp_path / "specs"
    assert main(["snapshot", "import", str(bad), "--specs-dir", str(store)]) == 2
    assert CYCLE in one_line(capsys.readouterr().err)
    assert not store.exists() or not any(store.rglob("*.json"))


@pytest.mark.parametrize(
    "command",
    [
        ["test", "--base-url", "http://127.0.0.1:9", "--api-key", "k", "--spec"],
        ["mock", "--port", "0", "--spec"],
    ],
    ids=["test", "mock"],
)
def test_contract_run_and_mock_refuse_it_before_validating(
    files: tuple[Path, Path], command: list[str]
) -> None:
    _, bad = files
    result = contracts_command(*command, str(bad), timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert CYCLE in one_line(result.stderr)


def test_a_cycle_through_other_files_is_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = base_spec()
    schemas(spec)["A"] = {"$ref": "other.json#/B"}
    (tmp_path / "api.json").write_text(json.dumps(spec))
    (tmp_path / "other.json").write_text(json.dumps({"B": {"$ref": "api.json#/components/schemas/A"}}))
    assert main(["diff", str(tmp_path / "api.json"), str(tmp_path / "api.json")]) == 2
    assert one_line(capsys.readouterr().err).endswith(f"$ref cycle with no schema in it: {A} -> {A}")


def test_a_document_handed_to_the_diff_directly_is_refused_too() -> None:
    with pytest.raises(SpecError, match="cycle with no schema in it"):
        diff_specs(base_spec(), cyclic_spec())
    # and one that is no component: a property that is a reference to itself
    spec = base_spec()
    where = "#/components/schemas/Item/properties/note"
    schemas(spec)["Item"]["properties"]["note"] = {"$ref": where}
    with pytest.raises(SpecError, match=f"no schema in it: {where} -> {where}$"):
        diff_specs(base_spec(), spec)


def test_a_cycle_of_parameters_is_refused_by_name() -> None:
    spec = base_spec()
    spec["components"]["parameters"] = {
        "P": {"$ref": "#/components/parameters/Q"},
        "Q": {"$ref": "#/components/parameters/P"},
    }
    op(spec, "get", ITEM)["parameters"] = [{"$ref": "#/components/parameters/P"}]
    cycle = "#/components/parameters/P -> #/components/parameters/Q -> #/components/parameters/P"
    with pytest.raises(SpecError, match=cycle):
        load_spec_bytes(json.dumps(spec), "spec.json", validate=False)
    with pytest.raises(SpecError, match=cycle):
        diff_specs(base_spec(), spec)


def test_recursion_through_a_schema_and_3_1_siblings_are_no_cycle() -> None:
    spec = base_spec()
    # B aliases A, and A holds B: a recursive schema, with a schema in the cycle
    schemas(spec).update({"A": {"type": "object", "properties": {"b": {"$ref": B}}}, "B": {"$ref": A}})
    load_spec_bytes(json.dumps(spec), "spec.json", validate=False)
    assert diff_specs(spec, spec).changes == []
    spec = base_spec()
    spec["openapi"] = "3.1.0"
    schemas(spec).update({"A": {"$ref": B, "properties": {"x": {"type": "string"}}}, "B": {"$ref": A}})
    load_spec_bytes(json.dumps(spec), "spec.json", validate=False)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=1, max_size=6))
def test_any_alias_graph_is_refused_exactly_when_it_loops(links: list[int | None]) -> None:
    """Component i is a schema (None) or an alias to component links[i] (a missing one is a
    dangling reference, not a cycle): refused iff following aliases from one never ends."""
    names = [f"S{i}" for i in range(len(links))]
    spec = base_spec()
    for name, link in zip(names, links, strict=True):
        schemas(spec)[name] = (
            {"type": "string"} if link is None else {"$ref": f"#/components/schemas/S{link}"}
        )
    loops = False
    for start in range(len(links)):
        at: int | None = start
        for _ in range(len(links) + 1):
            at = links[at] if at is not None and at < len(links) else None
        loops |= at is not None
    if not loops:
        load_spec_bytes(json.dumps(spec), "spec.json", validate=False)
        return
    with pytest.raises(SpecError) as caught:
        load_spec_bytes(json.dumps(spec), "spec.json", validate=False)
    cycle = caught.value.reason.split(": ", 1)[1].split(" -> ")
    assert cycle[0] == cycle[-1] and len(set(cycle)) == len(cycle) - 1
    for here, there in zip(cycle, cycle[1:], strict=False):
        assert links[int(here.rsplit("S", 1)[1])] == int(there.rsplit("S", 1)[1])
