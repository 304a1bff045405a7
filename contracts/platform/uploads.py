"""Uploads carry a file: the platform refuses a multipart upload without its file part.

The published specs declare upload bodies (``multipart/form-data`` with a ``format: binary``
property) without ``required``, so by the letter of the spec an empty upload is valid. The mock
refuses it as the platform does (400), and the contract runner tests the spec with the file part
required, reported once as a spec problem, so that its generated "valid" uploads carry a file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NO_FILE = "the upload carries no file"


def file_parts(schema: Any, resolve: Callable[[Any], Any]) -> list[str]:
    """The binary properties of a multipart body schema (its file parts), sorted."""
    schema = resolve(schema) if isinstance(schema, dict) else None
    if not isinstance(schema, dict):
        return []
    properties = schema.get("properties") or {}
    return sorted(
        name
        for name, prop in properties.items()
        if isinstance(prop, dict) and resolve(prop).get("format") == "binary"
    )


def missing_file(schema: Any, resolve: Callable[[Any], Any], sent: set[str]) -> str | None:
    """The file part an upload lacks (None when it sent one, or the body declares none)."""
    declared = file_parts(schema, resolve)
    return declared[0] if declared and not sent & set(declared) else None


def require_upload_files(doc: dict[str, Any]) -> list[str]:
    """Mark every upload's body and file part required, in place; the operations changed."""
    from contracts.refs import resolve_or_empty

    def resolve(node: Any) -> dict[str, Any]:
        return resolve_or_empty(doc, node)

    changed = []
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue  # path-level keys (parameters, servers, x-...) carry no body
            body = resolve(operation["requestBody"])
            for media, content in (body.get("content") or {}).items():
                if not media.startswith("multipart/") or not isinstance(content, dict):
                    continue
                schema = resolve(content.get("schema"))
                parts = file_parts(schema, resolve)
                if not parts or set(parts) & set(schema.get("required") or []):
                    continue
                schema["required"] = sorted({*(schema.get("required") or []), *parts})
                body["required"] = True
                changed.append(f"{method.upper()} {path}")
    return changed
