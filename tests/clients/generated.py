"""Typed Python clients generated at test time by openapi-python-client, one package per spec.

Nothing generated is committed: each spec is turned into a package in a temporary folder once per
test session, imported from there, and driven like any client a team would generate for itself.
``GeneratedApi`` only finds the generated function for ``METHOD /path`` and the model classes it
takes (operation ids and model names differ between builds); the calls, models and serialisation
are the generator's own.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import json
import re
import types
import typing
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import attrs
import httpx

from contracts.spec_loader import load_spec_file
from tests.clients.loading import import_generated

GENERATOR_CONFIG = {
    # The generator runs ruff over its output by default: slow, and the code is only imported.
    "post_hooks": [],
    # Every Madaster request body is declared three times (application/json, text/json,
    # application/*+json). For a required body the generator then writes `Model | Model | Unset`
    # without importing Unset (a NameError at import time, all v4.0 builds). Treating
    # application/*+json like text/json, which the generator skips, leaves the one JSON body.
    "content_type_overrides": {"application/*+json": "text/json"},
}


def package_name(spec_path: Path) -> str:
    """``specs/v3.0/baseline.yaml`` -> ``madaster_v3_0_baseline``; a build -> ``madaster_v3_0_build_30855``."""
    return re.sub(r"\W", "_", f"madaster_{spec_path.parent.name}_{spec_path.stem}")


def readable_spec(spec_path: Path) -> dict[str, Any]:
    """The spec, with only what the generator cannot read repaired.

    Build 7980 declares some path parameters ``nullable: true`` (``fileName`` of the upload,
    the element ``id``). A path segment can never be null, but the generator refuses the type
    ``None | str`` in a path and drops the whole operation, upload included. Dropping the flag on
    path parameters keeps those operations; nothing else is changed.
    """
    doc = load_spec_file(spec_path)
    doc = json.loads(json.dumps(doc))  # a private copy: the loader may cache
    for item in doc.get("paths", {}).values():
        for operation in [item, *(v for v in item.values() if isinstance(v, dict))]:
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "path" and isinstance(parameter.get("schema"), dict):
                    parameter["schema"].pop("nullable", None)
    return doc


def generate(spec_path: Path, workdir: Path) -> Path:
    """Run openapi-python-client on the spec; returns the folder of the generated package.

    The generator runs in this process (what its ``generate`` command calls): a subprocess per
    spec would pay the generator's start-up, twice the work of generating, eight times a session.
    """
    from openapi_python_client import generate as run_generator
    from openapi_python_client.config import Config, ConfigFile, MetaType
    from openapi_python_client.parser.errors import ErrorLevel

    name = package_name(spec_path)
    source = workdir / f"{name}.json"
    source.write_text(json.dumps(readable_spec(spec_path)))
    target = workdir / name
    config = Config.from_sources(
        ConfigFile(**GENERATOR_CONFIG), MetaType.NONE, source, "utf-8", overwrite=True, output_path=target
    )
    with contextlib.redirect_stdout(io.StringIO()):  # "Generating <folder>"
        problems = run_generator(config=config)
    errors = [p for p in problems if p.level is ErrorLevel.ERROR]
    if errors or not (target / "__init__.py").is_file():
        details = "\n".join(f"{p.header}: {p.detail}" for p in errors)
        raise RuntimeError(f"openapi-python-client failed on {spec_path}:\n{details}")
    return target


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass
class GeneratedApi:
    """One generated client package, found by method and path rather than by operation id."""

    package: types.ModuleType
    version: str
    operations: dict[tuple[str, str], types.ModuleType] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path, version: str) -> GeneratedApi:
        package = import_generated(folder)
        api = cls(package, version)
        for module_file in sorted((folder / "api").rglob("*.py")):
            if module_file.name == "__init__.py":
                continue
            dotted = ".".join(module_file.relative_to(folder.parent).with_suffix("").parts)
            module = importlib.import_module(dotted)
            source = inspect.getsource(module._get_kwargs)
            method = re.search(r'"method": "(\w+)"', source).group(1)  # type: ignore[union-attr]
            url = re.search(r'"url": "([^"]+)"', source).group(1)  # type: ignore[union-attr]
            api.operations[(method.upper(), url)] = module
        return api

    def key(self, method: str, path: str) -> tuple[str, str]:
        """``("POST", "/building/{buildingId}/files")`` as the generator writes it in its modules."""
        snake_path = re.sub(r"\{(\w+)\}", lambda m: "{" + _snake(m.group(1)) + "}", path)
        return method.upper(), f"/api/{self.version}{snake_path}"

    def has(self, method: str, path: str) -> bool:
        return self.key(method, path) in self.operations

    def operation(self, method: str, path: str) -> types.ModuleType:
        try:
            return self.operations[self.key(method, path)]
        except KeyError:
            raise LookupError(f"{method} /api/{self.version}{path} is not in this client") from None

    def client(self, base_url: str, token: str = "dev-write") -> Any:
        """The generated ``AuthenticatedClient``, sending the token as ``X-API-Key: <token>``."""
        return self.package.AuthenticatedClient(
            base_url=base_url,
            token=token,
            prefix="",
            auth_header_name="X-API-Key",
            raise_on_unexpected_status=True,
            timeout=httpx.Timeout(10.0),
        )

    def upload_body(self, content: bytes, file_name: str, media_type: str | None = None) -> Any:
        """An octet-stream or multipart file as the generated functions take it: a ``File``."""
        extra = {"mime_type": media_type} if media_type else {}
        return self.package.types.File(payload=io.BytesIO(content), file_name=file_name, **extra)

    @property
    def not_found(self) -> tuple[type, ...]:
        """What the generated functions raise for a status the build declares no answer for."""
        return (self.package.errors.UnexpectedStatus,)

    def body_model(self, method: str, path: str) -> type:
        """The generated model class the operation takes as its JSON body."""
        hints = typing.get_type_hints(self.operation(method, path).sync_detailed)
        models = _attrs_classes(hints["body"])
        if not models:
            raise LookupError(f"{method} {path}: the generated body is {hints['body']}, not a model")
        return models[0]

    def response_models(self, method: str, path: str) -> tuple[type, ...]:
        """The model classes (or ``list``) a successful answer is parsed into, ProblemDetails left out."""
        hints = typing.get_type_hints(self.operation(method, path).sync_detailed)
        (parsed,) = typing.get_args(hints["return"])
        found = [typing.get_origin(t) or t for t in _union_members(parsed)]
        return tuple(t for t in found if isinstance(t, type) and t.__name__ != "ProblemDetails")


def _union_members(annotation: Any) -> list[Any]:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return list(typing.get_args(annotation))
    return [annotation]


def _attrs_classes(annotation: Any) -> list[type]:
    return [t for t in _union_members(annotation) if isinstance(t, type) and attrs.has(t)]


def build(model: type, **values: Any) -> Any:
    """An instance of a generated model from plain values, each converted to the field's declared type.

    A model of the second generator (pydantic) is built by ``generated_oag.build_pydantic``.

    Enums from their value, nested models from dicts (``from_dict``), lists of either, UUIDs from
    strings: what a programmer writes by hand with the generated classes, in one place for every
    build (whose models are named differently).
    """
    if not attrs.has(model):
        from tests.clients.generated_oag import build_pydantic

        return build_pydantic(model, **values)
    hints = model_hints(model)
    kwargs = {name: _convert(hints[name], value) for name, value in values.items()}
    return model(**kwargs)


def model_hints(model: type) -> dict[str, Any]:
    """The field types of a generated model; nested models are imported only for type checkers
    there, so they are resolved in the package's ``models`` namespace."""
    package = model.__module__.split(".")[0]
    return typing.get_type_hints(model, localns=vars(importlib.import_module(f"{package}.models")))


def _convert(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    for member in _union_members(annotation):
        origin = typing.get_origin(member)
        if origin is list and isinstance(value, list):
            (item,) = typing.get_args(member)
            return [_convert(item, v) for v in value]
        if not isinstance(member, type):
            continue
        if issubclass(member, Enum) and not isinstance(value, Enum):
            return member(value)
        if attrs.has(member) and isinstance(value, dict):
            return member.from_dict(value)
        if member is uuid.UUID and isinstance(value, str):
            return uuid.UUID(value)
        if member is datetime and isinstance(value, datetime):
            return value
    return value


def field_names(model: type) -> set[str]:
    """The model's field names (a pydantic model's ``type`` also answers as ``type_``)."""
    if not attrs.has(model):
        names = set(getattr(model, "model_fields", {}))
        return names | {f"{n}_" for n in names if n in {"type", "id", "format"}}
    return {f.name for f in attrs.fields(model)}
