"""The operations of one spec, compiled once at start-up: parameters, bodies, responses.

Everything a request needs (which parameters exist, which media types a body may have, which
status and schema answer it) is looked up here instead of walking the raw document per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts.openapi import OPERATION_METHODS as METHODS
from mockserver.spec.schemas import SchemaSet

JSON_TYPES = ("application/json", "text/json")


@dataclass
class Parameter:
    name: str
    location: str  # path | query | header | cookie
    required: bool
    schema: dict[str, Any]
    kind: str  # the JSON type the raw string is coerced to
    is_array: bool = False


@dataclass
class Body:
    required: bool
    media: dict[str, dict[str, Any]]  # media type (lowercase) -> schema

    def schema_for(self, content_type: str) -> tuple[str, dict[str, Any]] | None:
        """The declared media type matching a request's Content-Type (``application/*+json`` too)."""
        if content_type in self.media:
            return content_type, self.media[content_type]
        if content_type.endswith("+json") and "application/*+json" in self.media:
            return "application/*+json", self.media["application/*+json"]
        major = content_type.split("/", 1)[0]
        for candidate in (f"{major}/*", "*/*"):
            if candidate in self.media:
                return candidate, self.media[candidate]
        return None


@dataclass
class ResponseSpec:
    status: str  # "200", "4XX", "default"
    media_type: str | None
    schema: dict[str, Any] | None


@dataclass
class Operation:
    version: str
    method: str  # upper case
    template: str  # the spec's path, e.g. /api/v3.0/building/{id}
    operation_id: str
    parameters: list[Parameter]
    body: Body | None
    responses: dict[str, ResponseSpec]
    secured: bool
    segments: list[str] = field(default_factory=list)  # template split on "/" (without prefix "")

    @property
    def label(self) -> str:
        found = self.__dict__.get("_label")
        if found is None:
            found = self.__dict__["_label"] = f"{self.method} {self.template}"
        return found

    @property
    def query_names(self) -> frozenset[str]:
        """The query parameters declared (paging reads them on every list)."""
        found = self.__dict__.get("_query_names")
        if found is None:
            names = (p.name for p in self.parameters if p.location == "query")
            found = self.__dict__["_query_names"] = frozenset(names)
        return found

    @property
    def reads_headers(self) -> bool:
        """Whether a header parameter is declared: else a request's headers are not collected."""
        found = self.__dict__.get("_reads_headers")
        if found is None:
            found = self.__dict__["_reads_headers"] = any(p.location == "header" for p in self.parameters)
        return found

    def success(self) -> ResponseSpec:
        """The declared 2xx response the operation answers with when all goes well."""
        found = self.__dict__.get("_success")
        if found is None:
            found = self.__dict__["_success"] = self._find_success()
        return found

    def _find_success(self) -> ResponseSpec:
        codes = sorted(code for code in self.responses if code.startswith("2") and code[1:].isdigit())
        if codes:
            return self.responses[codes[0]]
        return ResponseSpec("200", None, None)

    def response_for(self, status: int) -> ResponseSpec | None:
        """The declared response that covers ``status``: exact, then ``4XX``, then ``default``."""
        return (
            self.responses.get(str(status))
            or self.responses.get(f"{str(status)[0]}XX")
            or self.responses.get("default")
        )

    def declares(self, status: int) -> bool:
        return self.response_for(status) is not None


def compile_operations(doc: dict[str, Any], version: str, schemas: SchemaSet) -> list[Operation]:
    """Every operation of the spec, in document order."""
    global_security = doc.get("security")
    operations: list[Operation] = []
    for template, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        shared = [_resolve(doc, p) for p in item.get("parameters") or []]
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            params = {(p["name"], p["in"]): p for p in shared}
            params.update(
                {(p["name"], p["in"]): p for p in (_resolve(doc, x) for x in op.get("parameters") or [])}
            )
            security = op.get("security", global_security)
            operations.append(
                Operation(
                    version=version,
                    method=method.upper(),
                    template=template,
                    operation_id=str(op.get("operationId") or f"{method} {template}"),
                    parameters=[_parameter(p, schemas) for p in params.values()],
                    body=_body(doc, op.get("requestBody")),
                    responses=_responses(doc, op.get("responses") or {}),
                    secured=_requires_key(security),
                    segments=template.strip("/").split("/"),
                )
            )
    return operations


def _requires_key(security: Any) -> bool:
    """Whether the operation needs a key: some requirement is declared and none is the empty ``{}``."""
    return (
        isinstance(security, list) and bool(security) and all(bool(requirement) for requirement in security)
    )


def _resolve(doc: dict[str, Any], obj: Any) -> Any:
    seen = 0
    while isinstance(obj, dict) and "$ref" in obj and seen < 20:
        target: Any = doc
        for part in str(obj["$ref"]).lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        obj, seen = target, seen + 1
    return obj


def _parameter(raw: dict[str, Any], schemas: SchemaSet) -> Parameter:
    schema = raw.get("schema") or {}
    resolved = schemas.raw(schema)
    kind = resolved.get("type", "string") if isinstance(resolved, dict) else "string"
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    is_array = kind == "array"
    if is_array:
        items = schemas.raw(resolved.get("items") or {})
        kind = items.get("type", "string") if isinstance(items, dict) else "string"
    return Parameter(
        name=str(raw["name"]),
        location=str(raw["in"]),
        required=bool(raw.get("required")) or raw["in"] == "path",
        schema=schema,
        kind=kind if isinstance(kind, str) else "string",
        is_array=is_array,
    )


def _body(doc: dict[str, Any], raw: Any) -> Body | None:
    raw = _resolve(doc, raw)
    if not isinstance(raw, dict):
        return None
    media = {str(k).lower(): (v or {}).get("schema") or {} for k, v in (raw.get("content") or {}).items()}
    return Body(required=bool(raw.get("required")), media=media)


def _responses(doc: dict[str, Any], raw: dict[str, Any]) -> dict[str, ResponseSpec]:
    out: dict[str, ResponseSpec] = {}
    for status, response in raw.items():
        response = _resolve(doc, response) or {}
        content = response.get("content") or {}
        media_type = next((m for m in content if "json" in m), next(iter(content), None))
        schema = (content.get(media_type) or {}).get("schema") if media_type else None
        out[str(status).upper() if "x" in str(status).lower() else str(status)] = ResponseSpec(
            str(status), media_type, schema
        )
    return out
