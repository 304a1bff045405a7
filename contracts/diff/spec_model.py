"""A spec as the diff sees it: operations keyed by method and path shape, everything resolved.

Path parameters are keyed by position, so ``/building/{id}`` and ``/building/{buildingId}`` are
the same operation; with ``across`` the ``/api/vX.Y`` prefix is dropped so v3.0 and v4.0 match.
"""

from __future__ import annotations

import re

from contracts.diff.schema import Schema
from contracts.diff.schema_resolver import SchemaResolver
from contracts.errors import SpecError
from contracts.openapi import OPERATION_METHODS as METHODS
from contracts.records import record

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)
if TYPE_CHECKING:
    from typing import Any

_PARAM_RE = re.compile(r"\{([^}/]+)\}")
_VERSION_PREFIX_RE = re.compile(r"^/api/v\d+(?:\.\d+)?(?=/|$)")
# Header parameters the OpenAPI specification says to ignore.
_IGNORED_HEADERS = {"accept", "content-type", "authorization"}
# The OpenAPI defaults: query and cookie parameters are "form" (exploded), path and header "simple".
_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


@record
class Parameter:
    name: str
    location: str  # path, query, header, cookie
    required: bool
    deprecated: bool
    schema: Schema | None
    # How the value goes on the wire: (style, explode) with the location's defaults filled in,
    # or ("content", media type) for a parameter described by ``content``.
    style: tuple[str, object] = ("simple", False)

    @property
    def label(self) -> str:
        return f"{self.location}.{self.name}"


@record
class Body:
    """A request body or a response: its media types and (for responses) headers."""

    required: bool = False
    content: dict[str, Schema | None] = {}  # read only, like every part of the model
    headers: dict[str, Parameter] = {}


@record
class Operation:
    method: str
    path: str  # as written in the spec
    key: str
    operation_id: str | None
    deprecated: bool
    sunset: str | None  # x-sunset: the date (YYYY-MM-DD) after which a deprecated operation may go
    parameters: dict[tuple[str, str], Parameter]
    request_body: Body | None
    responses: dict[str, Body]
    security: frozenset | None  # None: inherits the document's security
    security_names: dict[Any, str]

    @property
    def title(self) -> str:
        return f"{self.method.upper()} {self.path}"


@record
class SpecModel:
    operations: dict[str, Operation]
    security: frozenset
    security_names: dict[Any, str]
    schemas: list[Schema]  # every resolved schema node


def path_key(path: str, across: bool) -> tuple[str, list[str]]:
    """The path's shape (parameter names blanked, version prefix dropped with ``across``) and its names."""
    names = _PARAM_RE.findall(path)
    shape = _PARAM_RE.sub("{}", path)
    if across:
        shape = _VERSION_PREFIX_RE.sub("", shape) or "/"
    return shape, names


def status_key(status: Any) -> str:
    """``200``, ``2XX`` or ``default`` whatever the spec's spelling (YAML may give an int)."""
    text = str(status).strip()
    return "default" if text.lower() == "default" else text.upper()


def media_key(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


class SpecNormaliser:
    """Builds a SpecModel from one parsed document."""

    def __init__(self, doc: dict[str, Any], source: str, across: bool) -> None:
        self.doc = doc
        self.source = source
        self.across = across
        self.resolver = SchemaResolver(doc, source)
        self.schemes = self._schemes()

    def build(self) -> SpecModel:
        paths = self.doc.get("paths") or {}
        if not isinstance(paths, dict):
            raise SpecError(self.source, "'paths' must be a mapping", "paths")
        operations: dict[str, Operation] = {}
        for path, raw_item in paths.items():
            item = self.resolver.deref(raw_item)
            if not isinstance(item, dict):
                raise SpecError(self.source, "a path item must be a mapping", f"paths.{path}")
            shape, names = path_key(str(path), self.across)
            shared = self._list(item.get("parameters"), "'parameters'", f"paths.{path}.parameters")
            for method in METHODS:
                raw_op = item.get(method)
                if raw_op is None:
                    continue
                if not isinstance(raw_op, dict):
                    raise SpecError(self.source, "an operation must be a mapping", f"paths.{path}.{method}")
                key = f"{method.upper()} {shape}"
                if key in operations:  # two templates of one shape: keep both apart
                    key = f"{method.upper()} {path}"
                operations[key] = self._operation(method, str(path), key, names, shared, raw_op)
        security, names = self._security(self.doc.get("security"))
        self.resolver.finish()
        return SpecModel(
            operations, security if security is not None else frozenset(), names, self.resolver.created
        )

    # -- shape checks -----------------------------------------------------------------------
    def _mapping(self, node: Any, what: str, where: str) -> dict[str, Any]:
        """``node`` (``$ref`` followed) when it is a mapping; None counts as empty."""
        node = self.resolver.deref(node)
        if node is None:
            return {}
        if not isinstance(node, dict):
            raise SpecError(self.source, f"{what} must be a mapping, got {type(node).__name__}", where)
        return node

    def _list(self, node: Any, what: str, where: str) -> list[Any]:
        if node is None:
            return []
        if not isinstance(node, list):
            raise SpecError(self.source, f"{what} must be a list, got {type(node).__name__}", where)
        return node

    # -- operations -------------------------------------------------------------------------
    def _operation(
        self, method: str, path: str, key: str, names: list[str], shared: list, raw: dict[str, Any]
    ) -> Operation:
        where = f"paths.{path}.{method}"
        params: dict[tuple[str, str], Parameter] = {}
        own = self._list(raw.get("parameters"), "'parameters'", f"{where}.parameters")
        for raw_param in [*shared, *own]:
            param = self._parameter(raw_param, where)
            if param.location == "header" and param.name.lower() in _IGNORED_HEADERS:
                continue
            params[self._param_key(param, names)] = param
        body = None
        if raw.get("requestBody") is not None:
            raw_body = self._mapping(raw["requestBody"], "'requestBody'", f"{where}.requestBody")
            body = Body(
                required=bool(raw_body.get("required")),
                content=self._content(raw_body, f"{where}.requestBody"),
            )
        responses: dict[str, Body] = {}
        for status, raw_response in self._mapping(raw.get("responses"), "'responses'", where).items():
            at = f"{where}.responses.{status}"
            response = self._mapping(raw_response, "a response", at)
            headers = {}
            for name, raw_header in self._mapping(response.get("headers"), "'headers'", at).items():
                if str(name).lower() == "content-type":
                    continue
                header = self._mapping(raw_header, "a header", f"{at}.headers.{name}")
                schema = self._param_schema(header, f"{at}.headers.{name}")
                headers[str(name).lower()] = Parameter(
                    str(name), "header", bool(header.get("required")), bool(header.get("deprecated")), schema
                )
            responses[status_key(status)] = Body(content=self._content(response, at), headers=headers)
        security, sec_names = self._security(raw.get("security")) if "security" in raw else (None, {})
        return Operation(
            method=method,
            path=path,
            key=key,
            operation_id=raw.get("operationId"),
            deprecated=raw.get("deprecated") is True,
            sunset=str(raw["x-sunset"]) if raw.get("x-sunset") is not None else None,
            parameters=params,
            request_body=body,
            responses=responses,
            security=security,
            security_names=sec_names,
        )

    def _parameter(self, raw: Any, where: str) -> Parameter:
        param = self.resolver.deref(raw)
        if not isinstance(param, dict) or "name" not in param or "in" not in param:
            raise SpecError(self.source, "a parameter needs 'name' and 'in'", f"{where}.parameters")
        location = str(param["in"])
        return Parameter(
            name=str(param["name"]),
            location=location,
            required=location == "path" or param.get("required") is True,
            deprecated=param.get("deprecated") is True,
            schema=self._param_schema(param, f"{where}.parameters.{param['name']}"),
            style=_serialisation(param, location),
        )

    def _param_schema(self, node: dict[str, Any], where: str = "parameter") -> Schema | None:
        if "schema" in node:
            return self.resolver.build(node["schema"], f"{where}.schema")
        for media in (node.get("content") or {}).values():
            if isinstance(media, dict) and "schema" in media:
                return self.resolver.build(media["schema"], f"{where}.schema")
        return None

    @staticmethod
    def _param_key(param: Parameter, path_names: list[str]) -> tuple[str, str]:
        if param.location == "path" and param.name in path_names:
            return ("path", str(path_names.index(param.name)))
        if param.location == "header":
            return ("header", param.name.lower())
        return (param.location, param.name)

    def _content(self, node: dict[str, Any], where: str) -> dict[str, Schema | None]:
        content = self._mapping(node.get("content"), "'content'", where)
        out: dict[str, Schema | None] = {}
        for media_type, media in content.items():
            schema = media.get("schema") if isinstance(media, dict) else None
            at = f"{where}.content.{media_type}.schema"
            out[media_key(str(media_type))] = self.resolver.build(schema, at) if schema is not None else None
        return out

    # -- security ---------------------------------------------------------------------------
    def _schemes(self) -> dict[str, Any]:
        components = self._mapping(self.doc.get("components"), "'components'", "components")
        raw = self._mapping(
            components.get("securitySchemes"), "'securitySchemes'", "components.securitySchemes"
        )
        out: dict[str, Any] = {}
        for name, node in raw.items():
            scheme = self.resolver.deref(node)
            if not isinstance(scheme, dict):
                continue
            kind = str(scheme.get("type", "")).lower()
            in_ = str(scheme.get("in", "")).lower()
            key_name = str(scheme.get("name", ""))
            if in_ == "header":
                key_name = key_name.lower()
            flows = scheme.get("flows")
            out[str(name)] = (
                kind,
                in_,
                key_name,
                str(scheme.get("scheme", "")).lower(),
                str(scheme.get("openIdConnectUrl", "")),
                tuple(sorted((str(k), str((v or {}).get("tokenUrl", ""))) for k, v in flows.items()))
                if isinstance(flows, dict)
                else (),
            )
        return out

    def _security(self, raw: Any) -> tuple[frozenset | None, dict[Any, str]]:
        """Alternatives (OR) of requirement sets (AND), keyed by scheme definition, not scheme name."""
        if raw is None:
            return None, {}
        if not isinstance(raw, list):
            raise SpecError(self.source, "'security' must be a list", "security")
        alternatives = set()
        names: dict[Any, str] = {}
        for requirement in raw:
            if requirement is not None and not isinstance(requirement, dict):
                raise SpecError(self.source, "a security requirement must be a mapping", "security")
            items = []
            for name, scopes in (requirement or {}).items():
                # an undeclared scheme is kept apart by name, so it still compares
                definition = self.schemes.get(str(name), ("undeclared", "", str(name), "", "", ()))
                scope_key = tuple(sorted(str(s) for s in scopes)) if isinstance(scopes, list) else ()
                items.append((definition, scope_key))
                names[definition] = str(name)
            alternatives.add(frozenset(items))
        return frozenset(alternatives), names


def _serialisation(param: dict[str, Any], location: str) -> tuple[str, object]:
    """The parameter's effective ``(style, explode)``; defaults per location as OpenAPI sets them."""
    content = param.get("content")
    if "schema" not in param and isinstance(content, dict) and content:
        return ("content", media_key(str(next(iter(content)))))
    style = str(param.get("style") or _DEFAULT_STYLE.get(location, "form"))
    explode = param.get("explode")
    return (style, explode if isinstance(explode, bool) else style == "form")


def normalise(doc: dict[str, Any], source: str = "spec", *, across: bool = False) -> SpecModel:
    """The comparable model of a parsed OpenAPI document."""
    return SpecNormaliser(doc, source, across).build()
