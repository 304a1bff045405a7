"""The snapshot store: per-version history of OpenAPI spec builds under ``specs/``.

Layout::

    specs/<version>/<name>.<json|yaml>        the document exactly as served
    specs/<version>/<name>.meta.json          provenance: source, capture time, sha256, build

A snapshot exists once its ``.meta.json`` exists: the document is written first,
the metadata last, each through a temporary file and an atomic rename, so an
interrupted capture leaves the store as it was (at worst an orphan document
that listing ignores and the next write removes).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contracts.errors import ContractsError
from contracts.spec_loader import (
    CheckedSpec,
    api_version,
    build_label,
    bundle_file,
    load_spec_bytes,
    load_spec_file,
)

META_SUFFIX = ".meta.json"
_VERSION_RE = re.compile(r"^v\d+(\.\d+)?$")


class StoreError(ContractsError):
    """Unknown version or reference, or a store that cannot be read or written."""


def default_specs_dir() -> Path:
    """``$MADASTER_SPECS_DIR``, else ``./specs``."""
    env = os.environ.get("MADASTER_SPECS_DIR")
    return Path(env) if env else Path.cwd() / "specs"


def canonical_sha256(doc: Any) -> str:
    """A hash of the document's meaning: key order and formatting (JSON or YAML) do not count."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_version_name(version: str) -> str:
    if not _VERSION_RE.match(version):
        raise StoreError(f"{version!r} is not an API version; expected a name like v3.0")
    return version


@dataclass(frozen=True)
class Snapshot:
    """One stored build of one API version."""

    version: str
    path: Path
    meta: dict[str, Any] = field(compare=False)

    @property
    def build(self) -> str | None:
        return self.meta.get("build")

    @property
    def name(self) -> str:
        return self.path.name.split(".")[0]

    @property
    def label(self) -> str:
        """How a user refers to it: ``v3.0@30855`` (or the file name when there is no build)."""
        return f"{self.version}@{self.build or self.name}"

    def load(self) -> dict[str, Any]:
        return load_spec_file(self.path, validate=False)

    def load_checked(self) -> dict[str, Any] | CheckedSpec:
        """The document, as a ``CheckedSpec`` when its bytes are those the store validated.

        The store validates every document it adds and records the sha256 of its bytes; a file
        edited since (or placed by hand with another digest) is returned as a plain document,
        for its consumer to validate.
        """
        try:
            raw = self.path.read_bytes()
        except OSError:
            return self.load()  # the loader's one-line SpecError
        doc = load_spec_bytes(raw, str(self.path), validate=False, base=self.path)
        if hashlib.sha256(raw).hexdigest() == self.meta.get("sha256"):
            return CheckedSpec(doc, str(self.path))
        return doc

    def sort_key(self) -> tuple[int, int, str]:
        """Numbered builds by number; unnumbered ones (baselines) first, by capture time."""
        build = self.build
        if build and build.isdigit():
            return (1, int(build), self.meta.get("captured_at", ""))
        return (0, 0, self.meta.get("captured_at", ""))


@dataclass(frozen=True)
class AddResult:
    snapshot: Snapshot
    added: bool
    """False when an identical document was already stored (``snapshot`` is that one)."""


class SnapshotStore:
    """Read and add snapshots below ``root``; see the module docstring for the layout."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    # -- reading -----------------------------------------------------------------------
    def versions(self) -> list[str]:
        if not self.root.is_dir():
            return []
        found = [p.name for p in self.root.iterdir() if p.is_dir() and _VERSION_RE.match(p.name)]
        return sorted((v for v in found if self.builds(v)), key=_version_key)

    def builds(self, version: str) -> list[Snapshot]:
        """Every snapshot of ``version``, oldest first."""
        folder = self.root / version
        if not folder.is_dir():
            return []
        snapshots = []
        for meta_path in folder.glob(f"*{META_SUFFIX}"):
            meta = _read_meta(meta_path)
            document = folder / str(meta.get("file", ""))
            if document.is_file():
                snapshots.append(Snapshot(version=version, path=document, meta=meta))
        return sorted(snapshots, key=Snapshot.sort_key)

    def latest(self, version: str) -> Snapshot:
        builds = self.builds(check_version_name(version))
        if not builds:
            raise StoreError(self._unknown_version_message(version))
        return builds[-1]

    def resolve(self, ref: str) -> Snapshot:
        """``v3.0``, ``v3.0@latest``, ``v3.0@previous`` or ``v3.0@<build or name>``."""
        version, _, which = ref.partition("@")
        builds = self.builds(check_version_name(version))
        if not builds:
            raise StoreError(self._unknown_version_message(version))
        if which in ("", "latest"):
            return builds[-1]
        if which == "previous":
            if len(builds) < 2:
                raise StoreError(
                    f"{version} has only one stored build ({builds[0].label}); there is no previous"
                )
            return builds[-2]
        for snapshot in builds:
            if which in (snapshot.build, snapshot.name):
                return snapshot
        known = ", ".join(s.build or s.name for s in builds)
        raise StoreError(f"no build {which!r} of {version} in {self.root} (stored: {known})")

    def _unknown_version_message(self, version: str) -> str:
        known = ", ".join(self.versions()) or "none"
        return f"no snapshots of {version} in {self.root} (stored versions: {known})"

    # -- writing -----------------------------------------------------------------------
    def add(
        self,
        raw: bytes,
        *,
        source: str,
        version: str | None = None,
        kind: str = "capture",
        note: str | None = None,
        captured_at: datetime | None = None,
    ) -> AddResult:
        """Validate and store a document as served; an identical one already stored adds nothing."""
        doc = load_spec_bytes(raw, source)
        doc_version = api_version(doc)
        version = version or doc_version
        if not version:
            raise StoreError(
                f"{source}: cannot tell the API version (no /api/vX.Y paths, no info.version); pass --version"
            )
        check_version_name(version)
        if doc_version and doc_version != version:
            raise StoreError(f"{source}: the document is {doc_version}, not {version}")
        canonical = canonical_sha256(doc)
        folder = self.root / version
        with self._locked(folder):
            for existing in self.builds(version):
                if existing.meta.get("canonical_sha256") == canonical:
                    return AddResult(existing, added=False)
            build = build_label(doc)
            name = self._free_name(folder, build, kind, canonical)
            extension = "json" if raw.lstrip()[:1] in (b"{", b"[") else "yaml"
            document = folder / f"{name}.{extension}"
            meta = {
                "version": version,
                "build": build,
                "file": document.name,
                "kind": kind,
                "source": source,
                "captured_at": (captured_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "sha256": hashlib.sha256(raw).hexdigest(),
                "canonical_sha256": canonical,
                "title": (doc.get("info") or {}).get("title"),
                "operations": _count_operations(doc),
            }
            if note:
                meta["note"] = note
            _atomic_write(document, raw)
            try:
                _atomic_write(folder / f"{name}{META_SUFFIX}", (json.dumps(meta, indent=2) + "\n").encode())
            except BaseException:
                document.unlink(missing_ok=True)
                raise
        return AddResult(Snapshot(version=version, path=document, meta=meta), added=True)

    def add_file(self, path: str | Path, **kwargs: Any) -> AddResult:
        """Store a spec file; one split across files is stored as one self-contained document."""
        path = Path(path)
        return self.add(bundle_file(path), source=str(path), **kwargs)

    def _free_name(self, folder: Path, build: str | None, kind: str, canonical: str) -> str:
        base = f"build-{build}" if build else ("baseline" if kind == "baseline" else "snapshot")
        if base != "snapshot" and not (folder / f"{base}{META_SUFFIX}").exists():
            return base
        return f"{base}-{canonical[:10]}"

    @contextlib.contextmanager
    def _locked(self, folder: Path) -> Iterator[None]:
        """One writer per version folder at a time (several processes may capture at once)."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle = open(folder / ".lock", "a+")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise StoreError(f"cannot write to {folder}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            _remove_orphans(folder)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version[1:].split("."))


def _count_operations(doc: dict[str, Any]) -> int:
    from contracts.openapi import OPERATION_METHODS as methods

    return sum(
        1
        for item in (doc.get("paths") or {}).values()
        if isinstance(item, dict)
        for m in item
        if m in methods
    )


def _read_meta(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable snapshot metadata: {exc}") from None
    if not isinstance(meta, dict) or "file" not in meta:
        raise StoreError(f"{path}: snapshot metadata without a 'file' entry")
    return meta


def _remove_orphans(folder: Path) -> None:
    """Documents without metadata are left-overs of an interrupted write."""
    referenced = {_read_meta(m).get("file") for m in folder.glob(f"*{META_SUFFIX}")}
    for candidate in folder.iterdir():
        is_document = candidate.suffix in (".json", ".yaml") and not candidate.name.endswith(META_SUFFIX)
        if is_document and candidate.name not in referenced:
            candidate.unlink(missing_ok=True)
    for temporary in folder.glob(".tmp-*"):
        temporary.unlink(missing_ok=True)


def _atomic_write(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
