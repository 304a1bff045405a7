"""Read OpenAPI 3.0/3.1 documents from JSON or YAML and check that they are valid.

Everything that takes a spec (store, diff, mock, runner) goes through here, so
a broken document always produces the same single message: file, location, reason.
A spec split across files (``$ref: schemas/building.yaml#/Building``) is loaded as one
self-contained document (contracts.external_refs), so every consumer sees local ``$ref`` values only.
"""

from __future__ import annotations

import json
import os
import re

from contracts.errors import SpecError
from contracts.ref_cycles import check_alias_cycles

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)

if TYPE_CHECKING:
    from pathlib import Path  # imported where a file reference needs it: a plain load starts faster
    from typing import Any

_BUILD_RE = re.compile(r"Build:\s*([0-9A-Za-z._-]+)")
# A ``$ref`` whose value does not start with "#" (JSON or YAML, quoted or not): a cheap scan of
# the raw text, so documents without one (nearly all) are never walked for file references.
_EXTERNAL_REF_HINT = re.compile(rb"""\$ref['"]?\s*+:\s*+['"]?+(?!#)""")
_VERSION_PREFIX_RE = re.compile(r"^/api/(v\d+(?:\.\d+)?)/")


def may_refer_to_other_files(raw: bytes | str) -> bool:
    """True when the text may hold a ``$ref`` to another file (false positives only cost a walk)."""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    return b"$ref" in data and _EXTERNAL_REF_HINT.search(data) is not None


def parse_text(raw: bytes | str, source: str) -> Any:
    """Parse JSON or YAML text into Python values, however deeply nested (no OpenAPI checks)."""
    from contracts.deep import call_deep

    text = raw.decode("utf-8-sig", errors="strict") if isinstance(raw, bytes) else raw
    stripped = text.lstrip()
    if not stripped:
        raise SpecError(source, "the document is empty")
    if stripped[0] in "{[":
        try:
            return call_deep(lambda: json.loads(text), source, "parse")
        except json.JSONDecodeError as exc:
            raise SpecError(
                source, f"invalid JSON: {exc.msg}", f"line {exc.lineno} column {exc.colno}"
            ) from None
    fast = _fast_yaml(text)
    if fast is not None:
        return fast
    import yaml  # only YAML documents pay for it

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # C: 5-10x faster on the real builds
    try:
        try:
            return call_deep(lambda: yaml.load(text, Loader=loader), source, "parse")
        except yaml.YAMLError as exc:
            if "maximum nesting depth" not in str(exc) or loader is yaml.SafeLoader:
                raise
            # libyaml stops at 1,000 levels; the pure-Python parser (slower) has no such limit
            return call_deep(lambda: yaml.load(text, Loader=yaml.SafeLoader), source, "parse")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(source, f"invalid YAML: {problem}", where) from None


def _fast_yaml(text: str) -> Any:
    """The document parsed by yaml-rs (YAML 1.2, in Rust), or None: then PyYAML parses it,
    for its messages (line and column) on broken input, duplicate keys and very deep nesting."""
    try:
        import yaml_rs
    except ImportError:  # pragma: no cover - optional speed-up
        return None
    try:
        return yaml_rs.loads(text)
    except Exception:  # any refusal: PyYAML decides, with its own error message
        return None


def parse_document(raw: bytes | str, source: str) -> dict[str, Any]:
    """Parse JSON or YAML text into a mapping (no OpenAPI validation)."""
    doc = parse_text(raw, source)
    if not isinstance(doc, dict):
        raise SpecError(
            source, f"not an OpenAPI document: expected a mapping at the top level, got {type(doc).__name__}"
        )
    return doc


def check_openapi_version(doc: dict[str, Any], source: str) -> str:
    """The document's ``openapi`` version; SpecError unless it is 3.0.x or 3.1.x (cheap, no validation)."""
    version = doc.get("openapi")
    if not isinstance(version, str):
        if "swagger" in doc:
            raise SpecError(source, "Swagger 2.0 is not supported; expected OpenAPI 3.0 or 3.1", "swagger")
        raise SpecError(source, "not an OpenAPI document (no 'openapi' field)")
    if not re.match(r"^3\.[01]\.\d+", version):
        raise SpecError(
            source, f"unsupported OpenAPI version {version!r}; expected 3.0.x or 3.1.x", "openapi"
        )
    return version


def validate_openapi(doc: dict[str, Any], source: str) -> None:
    """Raise SpecError unless ``doc`` is a valid OpenAPI 3.0 or 3.1 document."""
    version = check_openapi_version(doc, source)
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    from contracts.deep import call_deep

    validator_cls = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    try:
        error = call_deep(lambda: next(iter(validator_cls(doc).iter_errors()), None), source, "validate")
    except SpecError:
        raise
    except Exception as exc:  # the validator's own failures (an unresolvable $ref and the like)
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        text = text.split(" within {", 1)[0]  # the resolver would print the whole document
        raise SpecError(source, f"invalid OpenAPI: {text[:300]}") from None
    if error is not None:
        path = "/".join(str(part) for part in getattr(error, "absolute_path", []) or [])
        message = str(getattr(error, "message", None) or error).strip().splitlines()[0]
        raise SpecError(source, f"invalid OpenAPI: {message}", f"#/{path}")


class CheckedSpec:
    """A document known to be valid OpenAPI, so a consumer need not validate it again.

    Validation (openapi-spec-validator: ~0.35 s to import, ~0.13 s per build) was most of the
    mock's start-up; a snapshot whose bytes still match the digest the store recorded when it
    validated and stored them is such a document (``Snapshot.load_checked``).
    """

    __slots__ = ("doc", "source")

    def __init__(self, doc: dict[str, Any], source: str) -> None:
        self.doc = doc
        self.source = source


def load_spec_bytes(
    raw: bytes | str, source: str, *, validate: bool = True, base: str | Path | None = None
) -> dict[str, Any]:
    """Parse and (by default) validate a spec given as bytes or text.

    ``base`` is the file the text came from: references to other files are resolved next to it.
    Without one (a spec fetched from a URL), a reference to another file is a SpecError.
    """
    doc = parse_document(raw, source)
    if may_refer_to_other_files(raw):
        from pathlib import Path

        from contracts.external_refs import resolve_external_refs

        doc = resolve_external_refs(doc, source, Path(base) if base is not None else None, parse_text)
    check_alias_cycles(doc, source)  # before validation, which would only say "nested too deeply"
    if validate:
        validate_openapi(doc, source)
    return doc


def load_spec_file(path: str | Path, *, validate: bool = True) -> dict[str, Any]:
    """Load a spec file; a missing or unreadable file is a SpecError too."""
    path = _display(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise SpecError(path, "no such file") from None
    except IsADirectoryError:
        raise SpecError(path, "is a directory, expected a spec file") from None
    except OSError as exc:
        raise SpecError(path, f"cannot read: {exc.strerror}") from None
    try:
        return load_spec_bytes(raw, path, validate=validate, base=path)
    except UnicodeDecodeError:
        raise SpecError(path, "not UTF-8 text") from None


def _display(path: str | Path) -> str:
    """The path as ``str(Path(path))`` spells it in messages ("a//b/./c" -> "a/b/c"), without pathlib."""
    text = os.fspath(path)
    if not text:
        return "."
    lead = "//" if text.startswith("//") and not text.startswith("///") else os.sep * text.startswith(os.sep)
    parts = [part for part in text.split(os.sep) if part and part != "."]
    return lead + os.sep.join(parts) if parts else (lead or ".")


def bundle_file(path: str | Path) -> bytes:
    """A spec file's bytes as stored: unchanged, or, when it refers to other files, the
    self-contained document (contracts.external_refs) as JSON or YAML like the original."""
    path = _display(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise SpecError(path, f"cannot read: {exc.strerror or exc}") from None
    if not may_refer_to_other_files(raw):
        return raw
    doc = load_spec_bytes(raw, path, validate=False, base=path)
    if raw.lstrip()[:1] in (b"{", b"["):
        return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")
    import yaml

    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode("utf-8")


def build_label(doc: dict[str, Any]) -> str | None:
    """The build number from ``info.title`` ("... - Build: 30855"), if any."""
    title = (doc.get("info") or {}).get("title") or ""
    match = _BUILD_RE.search(str(title))
    return match.group(1) if match else None


def api_version(doc: dict[str, Any]) -> str | None:
    """The API version (``v3.0``): from the path prefixes, else from ``info.version``."""
    for path in doc.get("paths") or {}:
        match = _VERSION_PREFIX_RE.match(str(path))
        if match:
            return match.group(1)
    version = str((doc.get("info") or {}).get("version") or "")
    match = re.match(r"^v?(\d+(?:\.\d+)?)$", version)
    return f"v{match.group(1)}" if match else None
