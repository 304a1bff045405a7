"""Which documents a run tests: snapshots from the store (per version) and/or --spec files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.errors import ContractsError
from contracts.spec_loader import api_version, build_label, load_spec_file


def add_spec_arguments(parser: Any, *, purpose: str) -> None:
    """``--version`` and ``--spec``: the documents to use, chosen alike by ``test`` and ``proxy``.

    ``purpose`` completes the help: "test" or "validate against".
    """
    parser.add_argument(
        "--version",
        dest="versions",
        action="append",
        default=[],
        metavar="V",
        help=f"API version to {purpose} (latest snapshot), or a snapshot ref such as v3.0@28168; repeatable "
        "(default: every version in the store)",
    )
    parser.add_argument(
        "--spec",
        dest="spec_files",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help=f"{purpose} this spec file instead of (or besides) the snapshots; repeatable",
    )


@dataclass
class SpecUnderTest:
    version: str
    build: str | None
    source: str
    doc: dict[str, Any]
    checked: bool = False
    """A document validated already: a ``--spec`` file (validated as it was loaded) or a snapshot
    whose bytes the store validated (``Snapshot.load_checked``). The embedded mock need not
    validate it, nor its repair (``contracts.platform.leniency`` keeps a valid document
    valid, ``tests/platform/test_repaired_documents.py``), again."""

    @property
    def label(self) -> str:
        return f"{self.version}@{self.build}" if self.build else self.version


def from_document(doc: dict[str, Any], source: str) -> SpecUnderTest:
    version = api_version(doc)
    if version is None:
        raise ContractsError(f"{source}: cannot tell the API version (no /api/vX.Y paths, no info.version)")
    return SpecUnderTest(version=version, build=build_label(doc), source=source, doc=doc)


def collect_specs(
    versions: list[str], spec_files: list[Path], specs_dir: Path | None = None
) -> list[SpecUnderTest]:
    """The documents to test, in the order given; every version in the store when nothing is named."""
    found = [from_document(load_spec_file(path), str(path)) for path in spec_files]
    for spec in found:
        spec.checked = True  # load_spec_file validated it (an invalid file is a SpecError)
    if versions or not spec_files:
        found.extend(_from_store(versions, specs_dir))
    if not found:
        raise ContractsError(
            "nothing to test: the snapshot store is empty; add a snapshot or pass --spec FILE"
        )
    return found


def _from_store(versions: list[str], specs_dir: Path | None) -> list[SpecUnderTest]:
    from contracts.store import SnapshotStore, default_specs_dir

    root = specs_dir or default_specs_dir()
    store = SnapshotStore(Path(root))
    refs = versions or store.versions()
    result = []
    for ref in refs:
        snapshot = store.resolve(ref) if "@" in ref else store.latest(ref)
        loaded = snapshot.load_checked()
        doc = loaded if isinstance(loaded, dict) else loaded.doc
        spec = from_document(doc, str(snapshot.path))
        spec.checked = not isinstance(loaded, dict)
        spec.version = snapshot.version or spec.version
        spec.build = snapshot.build or spec.build
        result.append(spec)
    return result
