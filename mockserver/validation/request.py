"""Request validation against the operation: parameters (coerced from text) and the body.

Returns the parsed values plus every problem found, each with its location (``path.id``,
``query.take``, ``header.accept-language``, ``body.name``), so a client sees all of them at once.
Nothing here can raise on client input: bad bytes, bad JSON and odd multipart parts are problems.
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from contracts.json_depth import TOO_DEEP, too_deep
from contracts.platform.uploads import NO_FILE, missing_file
from mockserver.behaviour.call import UploadedFile
from mockserver.spec.operations import Operation, Parameter
from mockserver.spec.schemas import Problem, SchemaSet, problems

MAX_BODY = 16 * 1024 * 1024
_JSON_ERROR = object()
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass
class Validated:
    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    files: dict[str, UploadedFile] = field(default_factory=dict)  # multipart file parts by part name
    has_body: bool = False
    raw_body: bytes = b""
    problems: list[Problem] = field(default_factory=list)
    status: int = 400  # 415 when the media type is not accepted


def coerce(param: Parameter, raw: str) -> Any:
    """The parameter's text as the JSON type its schema declares (unchanged when it does not parse)."""
    kind = param.kind
    try:
        if kind == "integer":
            return int(raw.strip()) if raw.strip().lstrip("+-").isdigit() else raw
        if kind == "number":
            value = float(raw)
            return int(value) if value.is_integer() and "." not in raw and "e" not in raw.lower() else value
        if kind == "boolean":
            lowered = raw.lower()
            return True if lowered == "true" else False if lowered == "false" else raw
    except ValueError:
        return raw
    return raw


def validate_request(
    operation: Operation,
    schemas: SchemaSet,
    path_values: dict[str, str],
    query: dict[str, list[str]],
    headers: dict[str, str],
    content_type: str,
    raw_body: bytes,
) -> Validated:
    result = Validated(raw_body=raw_body)
    for param in operation.parameters:
        location = param.location
        if location == "path":
            raw_values = [path_values[param.name]] if param.name in path_values else []
        elif location == "query":
            raw_values = query.get(param.name, [])
        elif location == "header":
            value = headers.get(param.name.lower())
            raw_values = [value] if value is not None else []
        else:
            continue
        where = f"{location}.{param.name}"
        if not raw_values:
            if param.required:
                result.problems.append(Problem(where, "required parameter is missing"))
            continue
        if param.is_array:
            items = [v for raw in raw_values for v in raw.split(",")] if len(raw_values) == 1 else raw_values
            value: Any = [coerce(param, v) for v in items]
        else:
            value = coerce(param, raw_values[-1])
        result.problems.extend(problems(schemas.validator(param.schema, response=False), value, where))
        result.params[param.name] = value
    if operation.body is not None:
        _validate_body(operation, schemas, content_type, raw_body, result)
    return result


def _validate_body(
    operation: Operation, schemas: SchemaSet, content_type: str, raw: bytes, out: Validated
) -> None:
    body = operation.body
    assert body is not None
    media = content_type.split(";", 1)[0].strip().lower()
    if not raw:
        found = body.schema_for(media) if media else None
        if found is not None and "json" not in found[0] and not found[0].startswith("multipart/"):
            # an empty upload (octet-stream) is an empty payload, which a binary schema allows
            out.has_body, out.body = True, b""
        elif body.required:
            out.problems.append(Problem("body", "a request body is required"))
        elif missing_file(_multipart_schema(body), _resolver(schemas), set()):
            out.problems.append(Problem("body", NO_FILE))
        return
    if not media:
        out.problems.append(Problem("header.content-type", "missing Content-Type for the request body"))
        out.status = 415
        return
    found = body.schema_for(media)
    if found is None:
        accepted = ", ".join(body.media)
        out.problems.append(
            Problem("header.content-type", f"unsupported media type {media!r}; use {accepted}")
        )
        out.status = 415
        return
    declared, schema = found
    out.has_body = True
    if "json" in declared:
        value = _parse_json(raw, out)
        if value is _JSON_ERROR:
            return
        out.body = value
        out.problems.extend(problems(schemas.validator(schema, response=False), value, "body"))
    elif declared.startswith("multipart/"):
        out.body = _parse_multipart(content_type, raw, schemas, schema, out)
    else:
        out.body = raw


def _parse_json(raw: bytes, out: Validated) -> Any:
    if too_deep(raw):  # before the parser and the validator give up on it (a 500 otherwise)
        out.problems.append(Problem("body", TOO_DEEP))
        return _JSON_ERROR
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.problems.append(Problem("body", f"the body is not UTF-8 (byte {exc.start})"))
        return _JSON_ERROR
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except _NotJson as exc:
        out.problems.append(Problem("body", f"malformed JSON: {exc}"))
        return _JSON_ERROR
    except json.JSONDecodeError as exc:
        out.problems.append(
            Problem("body", f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        )
        return _JSON_ERROR
    except RecursionError:
        out.problems.append(Problem("body", "malformed JSON: nested too deeply"))
        return _JSON_ERROR
    except ValueError:  # an integer beyond the interpreter's digit limit (int_max_str_digits)
        limit = sys.get_int_max_str_digits()
        out.problems.append(Problem("body", f"malformed JSON: a number has more than {limit} digits"))
        return _JSON_ERROR
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            out.problems.append(Problem("body", "malformed JSON: a \\u escape is an unpaired surrogate"))
            return _JSON_ERROR
    return value


class _NotJson(ValueError):
    """A number JSON cannot carry (NaN, Infinity, or a float beyond double range)."""


def _reject_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NotJson(f"the number {text[:40]} is out of range")
    return value


def _parse_multipart(content_type: str, raw: bytes, schemas: SchemaSet, schema: Any, out: Validated) -> Any:
    from werkzeug.formparser import parse_form_data

    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    if "boundary=" not in content_type:
        out.problems.append(Problem("header.content-type", "multipart body without a boundary"))
        return None
    try:
        _, form, files = parse_form_data(environ, silent=False)
    except Exception as exc:  # werkzeug raises several types on broken multipart
        out.problems.append(Problem("body", f"malformed multipart body: {exc}"))
        return None
    parts: dict[str, Any] = {name: "<file>" for name in files}
    for name in files:
        part = files[name]
        out.files[name] = UploadedFile(part.filename or "", part.mimetype or "", part.read())
    for name in form:
        parts.setdefault(name, form.get(name))
    required = set((schema or {}).get("required") or [])
    for name in sorted(required - set(parts)):
        out.problems.append(Problem(f"body.{name}", "required multipart part is missing"))
    missing = missing_file(schema, _resolver(schemas), set(files))
    if missing and missing not in required:
        out.problems.append(Problem(f"body.{missing}", NO_FILE))
    return parts


def _resolver(schemas: SchemaSet) -> Any:
    return lambda node: schemas.resolve(node, response=False)


def _multipart_schema(body: Any) -> Any:
    """The schema of the operation's multipart body, if it has one."""
    for media in body.media:
        if media.startswith("multipart/"):
            found = body.schema_for(media)
            return found[1] if found else None
    return None
