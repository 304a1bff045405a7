"""The request pipeline as a plain WSGI callable: route -> auth -> validate -> state -> response.

It sits in front of the Flask app (``app.wsgi_app``) and answers everything under ``/api/``
itself, so the hot path is a few dict lookups, one Rust schema validation and one ``json.dumps``;
Flask still serves the index page and the admin endpoints.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import parse_qs, unquote_to_bytes

from contracts.json_depth import too_deep
from mockserver.auth.access import AuthFailure, authenticate
from mockserver.auth.admin_guard import LOCAL_HOSTS, foreign_host_detail, host_allowed
from mockserver.auth.tokens import Token
from mockserver.behaviour.call import Call
from mockserver.behaviour.handlers import handle, precheck
from mockserver.behaviour.runtime import SpecRuntime
from mockserver.http.memory import answer_iterable
from mockserver.http.request_log import LogEntry, RequestLog, mask_key, scope_of_key
from mockserver.http.router import Router
from mockserver.platform.downloads import base_url_of
from mockserver.spec.leniency import HEADER as LENIENCY_HEADER
from mockserver.spec.leniency import header_value, narrowed, relax, relax_accept_language
from mockserver.spec.problems import MockResponse, problem_response, title_for
from mockserver.spec.schemas import Problem
from mockserver.state.store import MAX_ENTITY_BYTES, StateStore, StoreUnavailable
from mockserver.validation.examples import example_response, prefer_example
from mockserver.validation.request import MAX_BODY, validate_request

_PREFER_CODE = re.compile(r"(?:^|[;,\s])code\s*=\s*\"?(\d{3})")
RAW_BODY = "mockserver.raw_body"
"""The environ key where ``dispatch`` leaves the request body it read, for the request log."""
STUB = "mockserver.stub"
"""The environ key where ``dispatch`` leaves the stub that answered, for the request log."""
_READ = "mockserver.read_body"
"""The body read early (for unchecked stubs), so it is not read twice."""
LENIENCIES = "mockserver.leniencies"
"""The environ key where ``dispatch`` leaves the leniencies it applied, for the request log."""
STORING_KINDS = frozenset({"create", "update"})
"""Operations whose body becomes a stored entity: a body beyond the entity cap is refused unread."""
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class MockPipeline:
    def __init__(
        self,
        fallback: Wsgi,
        runtimes: dict[str, SpecRuntime],
        tokens: Sequence[Token],
        store: StateStore,
        log: RequestLog,
        strict: bool = False,
    ) -> None:
        self.fallback = fallback
        self.strict = strict
        self.runtimes = runtimes
        self.tokens = tuple(tokens)
        self.store = store
        self.log = log
        self.router = Router({v: rt.operations for v, rt in runtimes.items()})
        self.allowed_hosts: set[str] = set(LOCAL_HOSTS)  # create_app shares the admin guard's set
        self.stores: dict[str, StateStore] = {}
        """Each version's view of ``store`` (``mockserver.state.versioned``), set by ``create_app``."""
        self.stubs: Any = None
        """``mockserver.stubs.StubRegistry`` (set by ``create_app``); empty, it costs one truth test."""
        self._keys: dict[str | None, tuple[str | None, str | None]] = {}
        self._keys_of: tuple[Token, ...] = self.tokens
        self._hosts: set[str | None] = set()  # Host values found allowed
        self._hosts_of: set[str] | frozenset[str] = self.allowed_hosts

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if not path.startswith("/api/"):
            return self.fallback(environ, start_response)
        started = time.perf_counter()
        try:
            if self._host_allowed(environ.get("HTTP_HOST")):
                response = self.dispatch(environ)
            else:
                response = problem_response(421, foreign_host_detail(environ["HTTP_HOST"]), path)
        except StoreUnavailable as exc:
            response = problem_response(503, str(exc), path, headers=[("Retry-After", "5")])
        except Exception as exc:  # a bug must still answer, never drop the connection
            response = problem_response(500, f"internal mock error: {type(exc).__name__}", path)
        masked, scope = self._key(environ.get("HTTP_X_API_KEY"))
        self.log.add(
            LogEntry(
                time=time.time(),
                method=environ.get("REQUEST_METHOD", ""),
                path=path,
                query=environ.get("QUERY_STRING", ""),
                status=response.status,
                key=masked,
                ms=round((time.perf_counter() - started) * 1000, 3),
                content_type=environ.get("CONTENT_TYPE", ""),
                request=environ.get(RAW_BODY, b""),
                response=response.body,
                problems=response.problems,
                leniencies=environ.get(LENIENCIES),
                scope=scope,
                stub=environ.get(STUB),
            )
        )
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(_status_line(response.status), headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]
        return answer_iterable(environ, response.body)

    def _key(self, key: str | None) -> tuple[str | None, str | None]:
        """The log's masked key and scope for an X-API-Key value, worked out once per key."""
        if self._keys_of is not self.tokens:  # the tokens were replaced
            self._keys, self._keys_of = {}, self.tokens
        found = self._keys.get(key)
        if found is None:
            found = (mask_key(key, self.tokens), scope_of_key(key, self.tokens))
            if len(self._keys) < 256:  # unknown keys are masked alike; a flood of them is not kept
                self._keys[key] = found
        return found

    def _host_allowed(self, host: str | None) -> bool:
        """``host_allowed``, remembered for the Host values it allowed (the allowed names only
        grow, by ``--allowed-host``; a replaced set starts over)."""
        if self._hosts_of is not self.allowed_hosts:
            self._hosts, self._hosts_of = set(), self.allowed_hosts
        if host in self._hosts:
            return True
        if not host_allowed(host, self.allowed_hosts):
            return False
        if len(self._hosts) < 64:
            self._hosts.add(host)
        return True

    def dispatch(self, environ: dict[str, Any]) -> MockResponse:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        segments, instance = _split_path(environ)
        if segments is None:
            return problem_response(400, "the request path is not valid UTF-8", instance)
        if len(segments) == 3 and segments[2] == "swagger.json" and segments[1] in self.runtimes:
            return MockResponse(
                200, self.runtimes[segments[1]].swagger, [("Content-Type", "application/json; charset=utf-8")]
            )
        stubs = self.stubs
        if stubs and stubs.any_unchecked:  # outside the contract: before routing, auth and validation
            environ[_READ] = _read_body(environ)
            found = stubs.answer(
                None,
                method,
                environ.get("PATH_INFO") or "/",
                environ.get("QUERY_STRING", ""),
                _headers(environ),
                _json_or_none(environ[_READ][0]),
            )
            if found is not None:
                environ[RAW_BODY], environ[STUB] = environ[_READ][0], found[0]
                return found[1]
        match = self.router.match(method, segments)
        if match.operation is None:
            if match.status == 405:
                if method == "OPTIONS":
                    return MockResponse(204, b"", [("Allow", ", ".join(match.allow or []))])
                return problem_response(
                    405,
                    f"{method} is not declared for this path; allowed: {', '.join(match.allow or [])}",
                    instance,
                    headers=[("Allow", ", ".join(match.allow or []))],
                )
            if match.version is not None and match.version not in self.runtimes:
                served = ", ".join(self.runtimes)
                return problem_response(
                    404, f"API version {match.version} is not served; served: {served}", instance
                )
            return problem_response(404, f"no operation at {instance}", instance)
        operation = match.operation
        runtime = self.runtimes[operation.version]

        def conform(body: Any, schema: Any) -> Any:
            return runtime.conform(body, schema, "problem")

        token = None
        if operation.secured:
            try:
                token = authenticate(self.tokens, environ.get("HTTP_X_API_KEY"), method)
            except AuthFailure as failure:
                return problem_response(
                    failure.status, failure.detail, instance, operation=operation, conform=conform
                )
        raw_body, too_big = environ.pop(_READ, None) or _read_body(environ)
        environ[RAW_BODY] = raw_body
        behaviour = runtime.model.behaviours[id(operation)]
        limit = MAX_ENTITY_BYTES if behaviour.kind in STORING_KINDS else MAX_BODY
        if too_big or len(raw_body) > limit:
            what = "what one entity may hold" if limit == MAX_ENTITY_BYTES else "the request limit"
            return problem_response(
                413,
                f"the body is larger than {limit} bytes, {what}",
                instance,
                operation=operation,
                conform=conform,
            )
        query = environ.get("QUERY_STRING", "")
        headers = _headers(environ) if operation.reads_headers else {}
        in_headers = [] if self.strict else relax_accept_language(operation, runtime.schemas, headers)
        validated = validate_request(
            operation,
            runtime.schemas,
            match.path_values or {},
            parse_qs(query, keep_blank_values=True) if query else {},
            headers,
            environ.get("CONTENT_TYPE", ""),
            raw_body,
        )
        applied = []
        if validated.problems and not self.strict:
            relaxed = relax(
                runtime, operation, environ.get("CONTENT_TYPE", ""), validated.body, validated.problems
            )
            if relaxed is not None:
                validated.problems = relaxed.problems
                if not relaxed.problems:
                    validated.body, applied = relaxed.body, relaxed.applied
        elif not self.strict and validated.body is not None:  # the repaired reading may refuse more
            validated.problems = narrowed(runtime, operation, environ.get("CONTENT_TYPE", ""), validated.body)
        applied = in_headers + applied
        if validated.problems:
            return problem_response(
                validated.status,
                _summary(validated.problems),
                instance,
                problems=validated.problems,
                operation=operation,
                conform=conform,
            )
        if stubs:
            found = stubs.answer(
                operation,
                method,
                environ.get("PATH_INFO") or "/",
                environ.get("QUERY_STRING", ""),
                _headers(environ),
                validated.body,
            )
            if found is not None:
                environ[STUB] = found[0]
                return found[1]
        forced = _prefer_code(environ.get("HTTP_PREFER"))
        example = prefer_example(environ.get("HTTP_PREFER"))
        call = Call(
            runtime=runtime,
            store=self.stores.get(operation.version, self.store),
            operation=operation,
            behaviour=behaviour,
            path_values=match.path_values or {},
            body=validated.body,
            token=token,
            instance=instance,
            raw_body=raw_body,
            files=validated.files,
            base_url=base_url_of(environ),
            params=validated.params,
            language=headers.get("accept-language") if in_headers else environ.get("HTTP_ACCEPT_LANGUAGE"),
        )
        if example is not None:  # a forced answer, like Prefer: code=, never skips a check
            status = forced if forced is not None else _success_code(operation)
            return precheck(call) or example_response(runtime, operation, status, example, instance, conform)
        if forced is not None and forced != int(operation.success().status):
            return precheck(call) or _forced(
                runtime, operation, forced, match.path_values or {}, instance, conform
            )
        response = handle(call)
        applied = [*applied, *response.leniencies]
        if applied:
            environ[LENIENCIES] = applied
            response.headers.append((LENIENCY_HEADER, header_value(applied)))
        return response


def _split_path(environ: dict[str, Any]) -> tuple[list[str] | None, str]:
    """Decoded path segments; taken from the raw URI when the server gives it so %2F stays inside one."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        raw_path = raw.split("?", 1)[0]
        if "://" in raw_path:
            raw_path = "/" + raw_path.split("://", 1)[1].split("/", 1)[-1]
        parts = raw_path.strip("/").split("/")
        if "%" not in raw_path and raw_path.isascii():
            return parts, raw_path  # nothing to decode
        try:
            segments = [unquote_to_bytes(p).decode("utf-8") for p in parts]
        except UnicodeDecodeError:
            return None, raw_path
        return segments, raw_path
    path = environ.get("PATH_INFO") or "/"
    try:
        decoded = path.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None, path
    return decoded.strip("/").split("/"), decoded


def _read_body(environ: dict[str, Any]) -> tuple[bytes, bool]:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b"", False
    length_text = environ.get("CONTENT_LENGTH") or ""
    try:
        length = int(length_text) if length_text else None
    except ValueError:
        length = None
    if length is None:
        if not environ.get("wsgi.input_terminated"):
            return b"", False
        data = stream.read(MAX_BODY + 1)
        return (data, False) if len(data) <= MAX_BODY else (b"", True)
    if length > MAX_BODY:
        return b"", True
    return (stream.read(length) if length > 0 else b""), False


@functools.cache
def _status_line(status: int) -> str:
    return f"{status} {title_for(status)}"


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    out = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        out["content-type"] = environ["CONTENT_TYPE"]
    return out


def _json_or_none(raw: bytes) -> Any:
    """A body as an unchecked stub's match sees it: JSON when it is JSON, else None."""
    if not raw or too_deep(raw):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _success_code(operation: Any) -> int:
    status = operation.success().status
    return int(status) if status.isdigit() else 200


def _summary(problems: list[Problem]) -> str:
    shown = "; ".join(f"{p.location}: {p.message}" for p in problems[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    return f"{len(problems)} problem(s) in the request: {shown}{more}"


def _prefer_code(header: str | None) -> int | None:
    if not header:
        return None
    match = _PREFER_CODE.search(header)
    return int(match.group(1)) if match else None


def _forced(
    runtime: SpecRuntime,
    operation: Any,
    status: int,
    values: dict[str, str],
    instance: str,
    conform: Callable[[Any, Any], Any],
) -> MockResponse:
    """``Prefer: code=N``: any final status (200-599) the operation declares, with a body valid for it.

    1xx are not final answers (a WSGI server cannot send them as one), so they are refused like
    undeclared codes."""
    declared = operation.response_for(status) if 200 <= status <= 599 else None
    if declared is None:
        codes = ", ".join(operation.responses)
        return problem_response(
            400,
            f"Prefer asks for status {status}, which this operation does not declare ({codes})",
            instance,
            operation=operation,
            conform=conform,
        )
    if status >= 400:
        return problem_response(
            status,
            f"status {status} forced by the Prefer header",
            instance,
            operation=operation,
            conform=conform,
        )
    if declared.schema is None:
        return MockResponse(status)
    body = runtime.generated_response(operation, declared.status, values)
    media = declared.media_type or "application/json"
    return MockResponse(status, json.dumps(body).encode(), [("Content-Type", f"{media}; charset=utf-8")])
