"""Where OLD and NEW come from: a spec file (JSON or YAML) or a store reference like ``v3.0@latest``."""

from __future__ import annotations

import os
import re

from contracts.errors import ContractsError, SpecError
from contracts.records import record
from contracts.spec_loader import api_version, build_label, check_openapi_version, load_spec_file

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)
if TYPE_CHECKING:
    from typing import Any

_REF_RE = re.compile(r"^v\d+(?:\.\d+)?(?:@[^/\\]*)?$")


@record
class LoadedSpec:
    doc: dict[str, Any]
    label: str  # what the report calls it: "v3.0@30855" or the file path
    version: str | None


def looks_like_ref(text: str) -> bool:
    return bool(_REF_RE.match(text)) and not os.path.exists(text)


def check_openapi(doc: dict[str, Any], source: str) -> None:
    """The cheap checks the diff needs (full validation is opt-in with --validate: it costs seconds)."""
    check_openapi_version(doc, source)
    if not isinstance(doc.get("paths", {}), dict):
        raise SpecError(source, "'paths' must be a mapping", "paths")


def load_file(path: str, *, validate: bool = False) -> LoadedSpec:
    doc = load_spec_file(path, validate=validate)
    check_openapi(doc, path)
    return LoadedSpec(doc, path, api_version(doc))


def open_store(specs_dir: str | None) -> Any:
    from pathlib import Path

    from contracts.store import SnapshotStore, default_specs_dir

    return SnapshotStore(Path(specs_dir) if specs_dir else default_specs_dir())


def load_ref(ref: str, store: Any, *, validate: bool = False) -> LoadedSpec:
    snapshot = store.resolve(ref)
    doc = load_spec_file(snapshot.path, validate=validate)
    check_openapi(doc, str(snapshot.path))
    return LoadedSpec(doc, snapshot.label, snapshot.version)


def load_source(text: str, specs_dir: str | None, *, validate: bool = False) -> LoadedSpec:
    """A file when such a file exists (or the text looks like a path), else a store reference."""
    if looks_like_ref(text):
        return load_ref(text, open_store(specs_dir), validate=validate)
    if not os.path.exists(text) and not re.search(r"[/\\.]", text):
        raise ContractsError(
            f"{text!r} is neither a spec file nor a store reference (expected e.g. v3.0@latest, v3.0@28168)"
        )
    return load_file(text, validate=validate)


def describe(spec: LoadedSpec) -> str:
    """A file's label with its version and build when the document says them."""
    if "@" in spec.label and not os.path.exists(spec.label):
        return spec.label
    build = build_label(spec.doc)
    extra = "@".join(part for part in (spec.version, build) if part)
    return f"{spec.label} ({extra})" if extra else spec.label
