"""The platform's leniencies applied to requests: accept what the platform accepts, and say so.

A request whose body fails validation gets a second look before it is refused: against the
spec as ``contracts.platform.leniency`` repairs it (the v4.0 commodity ``allOf`` schemas merged,
the ``oneOf`` branch the ``commodityType`` discriminator names), with date-times without an
offset read as UTC. When that passes, the request is served with the repaired body and every
leniency applied is named (``Applied``); when it does not, the 400 lists what is really wrong.
``create_app(..., strict=True)`` (``mock --strict``) skips this step.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from contracts.platform.leniency import (
    ACCEPT_LANGUAGE_RANGE,
    DATETIME_WITHOUT_OFFSET,
    UNSATISFIABLE_ALLOF,
    chosen_language,
    discriminated,
    find_and_repair,
    repaired_datetime,
)
from mockserver.spec.generate import Generator, container_at
from mockserver.spec.operations import Operation
from mockserver.spec.schemas import Problem, SchemaSet, convert, problems, problems_of

HEADER = "X-Mock-Leniency"
_LOCK = threading.Lock()
_ROUNDS = 4


@dataclass(frozen=True)
class Applied:
    """One leniency applied to a request: which (an id of ``data/leniencies.yaml``) and where."""

    leniency: str
    location: str

    def as_dict(self) -> dict[str, str]:
        return {"leniency": self.leniency, "location": self.location}


@dataclass
class Relaxed:
    body: Any
    applied: list[Applied]
    problems: list[Problem]


@dataclass(frozen=True)
class Variant:
    """The branch of a discriminated union in the repaired spec (a whole ``Product``), for shaping
    entities the published union cannot hold: conform and generate against it."""

    name: str
    branch: dict[str, Any]
    converted: Any
    generator: Generator

    def conform(self, value: Any, rng: Any) -> Any:
        return self.generator.conform(value, self.converted, rng)

    def generate(self, rng: Any) -> Any:
        return self.generator.value(self.converted, rng)


class _Repaired:
    """The spec with its known defects repaired, and validators over it (built on first need)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc, defects = find_and_repair(doc)
        self.repaired = {d.location for d in defects}
        self.schemas = SchemaSet(self.doc)
        self.generator = Generator(self.schemas)
        self.branches: dict[str, dict[str, Any]] = {}
        self.variants: dict[str, Variant] = {}

    def branch(self, schema: Any, value: Any) -> Any:
        chosen = discriminated(self.doc, schema, value)
        if chosen is schema:
            return schema
        return self.branches.setdefault(chosen["$ref"], chosen)  # one object per branch: cached validators

    def variant(self, schema: Any, value: Any) -> Variant | None:
        """The repaired branch ``value``'s discriminator names, when the spec's defect made it
        unsatisfiable as published (v4.0 ``Product``/``Material``); else None."""
        chosen = self.branch(schema, value)
        if chosen is schema or chosen["$ref"] not in self.repaired:
            return None
        found = self.variants.get(chosen["$ref"])
        if found is None:
            name = chosen["$ref"].rsplit("/", 1)[-1]
            converted = convert(chosen, response=True)
            variant = Variant(name, chosen, converted, self.generator)
            found = self.variants.setdefault(chosen["$ref"], variant)
        return found


def lenient_variant(runtime: Any, schema: Any, value: Any) -> Variant | None:
    """The repaired variant an entity answered through ``schema`` belongs to (None: the published
    schema is the one to follow). Only a union (``oneOf``/``anyOf``) can name one, so the repaired
    spec is built only when such a schema meets a value the published one refuses."""
    resolved = runtime._raw_resolve(schema)
    if not isinstance(value, dict) or not isinstance(resolved, dict):
        return None
    if not (resolved.get("oneOf") or resolved.get("anyOf")):
        return None
    return repaired(runtime).variant(schema, value)


def repaired(runtime: Any) -> _Repaired:
    found = getattr(runtime, "_repaired", None)
    if found is None:
        with _LOCK:
            found = getattr(runtime, "_repaired", None)
            if found is None:
                found = _Repaired(runtime.doc)
                runtime._repaired = found
    return found


def _content_schema(container: Any, media: str | None) -> Any:
    content = (container or {}).get("content") or {}
    if media in content:
        return (content[media] or {}).get("schema")
    return next((m.get("schema") for k, m in content.items() if "json" in k and isinstance(m, dict)), None)


def _operation_node(fix: _Repaired, op: Operation) -> dict[str, Any]:
    return ((fix.doc.get("paths") or {}).get(op.template) or {}).get(op.method.lower()) or {}


def _resolve(fix: _Repaired, node: Any) -> Any:
    from contracts.refs import resolve

    return resolve(fix.doc, node) if isinstance(node, dict) else node


def relax(runtime: Any, op: Operation, content_type: str, body: Any, found: list[Problem]) -> Relaxed | None:
    """The body as the platform would take it, the leniencies that took, and what is still wrong."""
    in_body = [p for p in found if p.location == "body" or p.location.startswith("body.")]
    if not in_body or op.body is None or body is None:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    declared = op.body.schema_for(media)
    if declared is None or "json" not in declared[0]:
        return None
    validator = _body_validator(runtime, op, declared[0], body)
    if validator is None:
        return None
    errors = list(validator.iter_errors(body))
    if any(_repairable_datetime(error) for error in errors):
        value = copy.deepcopy(body)  # the repair writes into the body: the client's stays as sent
        applied = _repair_datetimes(validator, value)
        remaining = problems(validator, value, "body")
    else:  # nothing to repair (most refused bodies): no copy, no second validation
        value, applied, remaining = body, [], problems_of(errors, "body")
    if not remaining and not runtime.schemas.validator(declared[1], response=False).is_valid(value):
        applied.append(Applied(UNSATISFIABLE_ALLOF, "body"))
    others = [p for p in found if p not in in_body]
    return Relaxed(value, applied, others + remaining)


def narrowed(runtime: Any, op: Operation, content_type: str, body: Any) -> list[Problem]:
    """What the repaired reading refuses in a JSON body the published spec accepts.

    As published, a v4.0 union that lists the abstract base beside its subtypes takes any
    ``commodityType`` (``{"commodityType": "AAA"}`` passes as the base); the platform builds only
    the subtypes its discriminator names, and the runner tests the repaired spec, so the mock reads
    it the same way: one reading for both. Only bodies whose schema is a union are looked at again."""
    media = content_type.split(";", 1)[0].strip().lower()
    declared = op.body.schema_for(media) if op.body is not None else None
    if declared is None or "json" not in declared[0] or not _is_union(runtime, declared[1]):
        return []
    validator = _body_validator(runtime, op, declared[0], body)
    return [] if validator is None else problems(validator, body, "body")


def _is_union(runtime: Any, schema: Any) -> bool:
    resolved = runtime.schemas.raw(schema)  # a mock runtime or the proxy's spec alike
    return isinstance(resolved, dict) and bool(resolved.get("oneOf") or resolved.get("anyOf"))


def _body_validator(runtime: Any, op: Operation, media: str | None, value: Any) -> Any:
    """A validator of ``op``'s request body in the repaired spec (the branch ``value`` names)."""
    fix = repaired(runtime)
    request_body = _resolve(fix, _operation_node(fix, op).get("requestBody"))
    schema = _content_schema(request_body, media)
    return None if schema is None else fix.schemas.validator(fix.branch(schema, value), response=False)


def request_errors(runtime: Any, op: Operation, value: Any) -> list[str] | None:
    """Why ``value`` is not a valid JSON body for ``op`` (spec defects repaired); None if no body."""
    validator = _body_validator(runtime, op, None, value)
    if validator is None:
        return None
    return [_message(error) for error in validator.iter_errors(value)]


def _message(error: Any) -> str:
    path = ".".join(str(p) for p in error.instance_path)
    return f"{path or 'entry'}: {error.message}"


def _repair_datetimes(validator: Any, value: Any) -> list[Applied]:
    applied: list[Applied] = []
    for _ in range(_ROUNDS):
        changed = False
        for error in validator.iter_errors(value):
            if not _repairable_datetime(error):
                continue
            fixed = repaired_datetime(error.instance)
            path = list(error.instance_path)
            if fixed is not None and path and _set(value, path, fixed):
                applied.append(Applied(DATETIME_WITHOUT_OFFSET, ".".join(["body", *map(str, path)])))
                changed = True
        if not changed:
            break
    return applied


def _repairable_datetime(error: Any) -> bool:
    kind = error.kind
    return isinstance(kind, jsonschema_rs.ValidationErrorKind.Format) and kind.format == "date-time"


def _set(value: Any, path: list[Any], new: Any) -> bool:
    target = container_at(value, path)
    try:
        target[path[-1]] = new  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def relax_accept_language(op: Operation, schemas: SchemaSet, headers: dict[str, str]) -> list[Applied]:
    """An Accept-Language list of ranges (``*``, ``nl-NL,nl;q=0.9``) read as the one code of the
    spec's enum it picks, or dropped when it picks none; ``headers`` is changed in place."""
    value = headers.get("accept-language")
    if value is None:
        return []  # the common case: no header to read, so no parameter to look for
    param = next(
        (p for p in op.parameters if p.location == "header" and p.name.lower() == "accept-language"), None
    )
    if param is None:
        return []
    schema = schemas.raw(param.schema)
    allowed = schema.get("enum") if isinstance(schema, dict) else None
    if not isinstance(allowed, list) or value in allowed:
        return []
    valid, code = chosen_language(value, [str(a) for a in allowed])
    if not valid:
        return []  # not a list of language ranges: refused as the spec says
    if code is None:
        del headers["accept-language"]
    else:
        headers["accept-language"] = code
    return [Applied(ACCEPT_LANGUAGE_RANGE, "header.accept-language")]


def header_value(applied: list[Applied]) -> str:
    """``datetime-without-offset; body.completionDate, unsatisfiable-allof; body``."""
    return ", ".join(f"{a.leniency}; {a.location}" for a in applied)


def entity_errors(runtime: Any, collection: str, value: Any) -> list[str]:
    """Why ``value`` is not a valid stored entity of ``collection`` (the spec's defects repaired)."""
    fix = repaired(runtime)
    entity_op = runtime.model.entity_ops.get(collection)
    schema: Any = None
    if entity_op is not None:
        success = entity_op.success()
        node = (_operation_node(fix, entity_op).get("responses") or {}).get(success.status)
        schema = _content_schema(_resolve(fix, node), success.media_type)
    elif collection in runtime.model.list_ops:
        list_op = runtime.model.list_ops[collection]
        success = list_op.success()
        node = (_operation_node(fix, list_op).get("responses") or {}).get(success.status)
        listed = _resolve(fix, _content_schema(_resolve(fix, node), success.media_type)) or {}
        schema = listed.get("items") if isinstance(listed, dict) else None
    if schema is None:
        return []
    validator = fix.schemas.validator(fix.branch(schema, value), response=True)
    return [_message(error) for error in validator.iter_errors(value)]
