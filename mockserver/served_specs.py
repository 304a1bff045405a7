"""The specs the mock serves: ``--spec`` files or the snapshot store's newest build per version.

Why its own module: which document is served, whether it still needs validating and the
background validation of ``--spec`` files (``contracts.spec_check``) are one decision, taken before
the app is built; ``mockserver.command`` and ``mockserver.testing`` both take it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from contracts.errors import ContractsError, SpecError


@dataclass(frozen=True)
class ServedSpec:
    """One version the mock serves, and where its spec came from (for the banner)."""

    version: str
    build: str | None
    source: str
    doc: dict[str, Any]
    checked: bool = False
    """True for a stored snapshot whose bytes the store validated, or a file being validated in the
    background (``await_validation`` before serving): the app need not validate it again."""
    validation: Any = None
    """The ``BackgroundValidation`` of a ``--spec`` file, while it runs."""

    def for_app(self) -> Any:
        """What ``create_app`` takes: the path (its errors then name the file), or the checked document."""
        from contracts.spec_loader import CheckedSpec

        return CheckedSpec(self.doc, self.source) if self.checked else self.source


def load_specs(
    spec_files: list[Path], specs_dir: Path | None, *, background: bool = False
) -> list[ServedSpec]:
    """The specs to serve: the ``--spec`` files, else the newest snapshot of each stored version.

    With ``background`` and a spare core the files are validated in a child process
    (``contracts.spec_check``) while the caller builds the app; ``await_validation(specs)`` then says
    whether they may be served. Otherwise ``create_app`` validates them.
    """
    if spec_files:
        if specs_dir is not None:
            raise ContractsError("give either --spec files or --specs-dir, not both")
        specs = _specs_from_files(spec_files)
        from contracts.spec_check import BackgroundValidation, spare_core

        if background and spare_core():
            validation = BackgroundValidation([(s.doc, s.source) for s in specs])
            specs = [replace(s, checked=True, validation=validation) for s in specs]
        return specs
    return _specs_from_store(specs_dir)


def await_validation(specs: list[ServedSpec]) -> None:
    """Raise the SpecError of the first invalid spec validated in the background (one verdict for all)."""
    for spec in specs:
        if spec.validation is not None:
            spec.validation.verdict()


def cancel_validation(specs: list[ServedSpec]) -> None:
    """Stop a background validation nobody will wait for."""
    for spec in specs:
        if spec.validation is not None:
            spec.validation.cancel()


def _specs_from_files(spec_files: list[Path]) -> list[ServedSpec]:
    from contracts.spec_loader import api_version, build_label, load_spec_file, validate_openapi

    served: dict[str, ServedSpec] = {}
    for path in spec_files:
        doc = load_spec_file(path, validate=False)  # create_app validates it, naming the file
        version = api_version(doc)
        if version is None:
            validate_openapi(doc, str(path))  # an invalid document gets the more useful message
            raise SpecError(
                str(path), "cannot tell the API version: no /api/vX.Y/ path and no info.version like v3.0"
            )
        if version in served:
            raise ContractsError(
                f"two specs for {version}: {served[version].source} and {path}; "
                "give one --spec file per version"
            )
        served[version] = ServedSpec(version, build_label(doc), str(path), doc)
    return sorted(served.values(), key=lambda s: _version_key(s.version))


def _specs_from_store(specs_dir: Path | None) -> list[ServedSpec]:
    from contracts.store import SnapshotStore, default_specs_dir

    root = Path(specs_dir) if specs_dir is not None else default_specs_dir()
    if specs_dir is not None and not root.is_dir():
        raise ContractsError(f"--specs-dir {root}: no such folder")
    store = SnapshotStore(root)
    versions = store.versions()
    if not versions:
        raise ContractsError(
            f"no spec snapshots in {root}: capture one with "
            "'madaster-contracts snapshot capture' or pass --spec FILE"
        )
    served = []
    for version in versions:
        snapshot = store.latest(version)
        loaded = snapshot.load_checked()
        checked = not isinstance(loaded, dict)
        doc = loaded if isinstance(loaded, dict) else loaded.doc
        served.append(ServedSpec(version, snapshot.build or snapshot.name, str(snapshot.path), doc, checked))
    return sorted(served, key=lambda s: _version_key(s.version))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.lstrip("v").split(".") if part.isdigit())
