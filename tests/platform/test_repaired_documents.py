"""The spec repair keeps a valid document valid OpenAPI: why the embedded mock may serve the repair
of a snapshot the store validated without validating it again (``SpecUnderTest.checked``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.platform.leniency import find_and_repair
from contracts.runner.specs import collect_specs
from contracts.spec_loader import load_spec_file, validate_openapi
from tests.conftest import real_builds

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", real_builds(), ids=lambda p: f"{p.parent.name}@{p.stem}")
def test_the_repair_of_every_real_build_is_valid_openapi(path: Path) -> None:
    doc = load_spec_file(path)
    repaired, defects = find_and_repair(doc)
    assert repaired is not doc or not defects  # a repair is a new document, the original untouched
    validate_openapi(repaired, str(path))  # raises SpecError when the repair broke the document


def test_the_store_snapshots_are_marked_checked_and_their_repair_validates() -> None:
    specs = collect_specs([], [], ROOT / "specs")
    assert specs and all(spec.checked for spec in specs)  # their bytes match the store's digests
    for spec in specs:
        validate_openapi(find_and_repair(spec.doc)[0], spec.source)


def test_a_snapshot_edited_since_the_store_checked_it_is_not_trusted(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    snapshot = next(p for p in (tmp_path / "specs" / "v3.0").iterdir() if p.suffix in {".json", ".yaml"})
    snapshot.write_bytes(snapshot.read_bytes() + b"\n")  # same document, other bytes: digest differs
    specs = collect_specs(["v3.0"], [], tmp_path / "specs")
    assert [spec.checked for spec in specs] == [False]


def test_a_spec_file_is_validated_as_it_is_loaded_and_then_trusted(tmp_path: Path) -> None:
    from contracts.errors import ContractsError

    good = next(p for p in (ROOT / "specs" / "v3.0").iterdir() if p.suffix in {".json", ".yaml"})
    assert [spec.checked for spec in collect_specs([], [good])] == [True]
    broken = tmp_path / "broken.json"
    broken.write_text('{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {"/api/v3.0/x": {}}}')
    with pytest.raises(ContractsError):  # invalid (info.version missing): never reaches the mock
        collect_specs([], [broken])


def test_a_process_keeps_only_the_newest_documents_it_built_mocks_on() -> None:
    import copy

    from contracts.runner import target
    from mockserver import create_app

    spec = next(s for s in collect_specs(["v3.0"], [], ROOT / "specs") if s.version == "v3.0")
    docs = [copy.deepcopy(spec.doc) for _ in range(target.VALIDATED_KEPT + 3)]
    for doc in docs:
        target.create_mock(create_app, spec, doc, [], 0)
    kept = list(target._VALIDATED.values())
    assert len(kept) <= target.VALIDATED_KEPT
    assert any(doc is docs[-1] for doc in kept) and not any(doc is docs[0] for doc in kept)
