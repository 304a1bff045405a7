"""Protocol edges real servers get wrong, probed once per operation beside the generated cases.

- ``head_like_get``: ``HEAD`` on a GET operation answers the GET's status and
  ``Content-Type``, without a body;
- ``trailing_slash``: the GET's path with a trailing slash, and with its last parameter left
  empty (``/folder/``), may be refused, but never with a 5xx;
- ``undeclared_method``: a method the path does not declare is refused, never with a 5xx;
- ``retry_after``: a 429 carries ``Retry-After`` (also one the transport retried away);
- ``created_location``: a ``Location`` header on a 201, when there is one, names the entity
  the body returns.

The first three send requests of their own, through the target's application, so the
ownership gate applies to them like to every other request: ``HEAD`` and the slashes are
reads, and the undeclared method is ``OPTIONS`` (a safe method) unless every entity the path
names is the run's own, where it is ``PATCH``. Read-only runs send no ``OPTIONS`` (their write
guard lets only GET and HEAD out), so ``undeclared_method`` runs with writes allowed only.
The other two look at the answers the run gets anyway.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import unquote, urlsplit

import schemathesis
from schemathesis.core.failures import Failure
from werkzeug.test import Client

from contracts.platform.ownership import ownership_rules
from contracts.runner.active_run import ActiveRun, active
from contracts.runner.gate import not_sent_reason
from contracts.runner.transport import BARE_429_HEADER, CASE_ID_HEADER, TIMEOUT_HEADER

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
PROBE_CHECKS = ("head_like_get", "trailing_slash", "undeclared_method", "retry_after", "created_location")


class ProbeFailure(Failure):
    """A probe's own request got a wrong answer; ``probe_id`` finds it in the request log."""

    code = "MC600"

    def __init__(
        self, *, operation: str, title: str, message: str, status: int, body: bytes, probe_id: str
    ) -> None:
        super().__init__(operation=operation, title=title, message=message)
        self.status = status
        self.body = body
        self.probe_id = probe_id

    @property
    def _unique_key(self) -> str:
        return self.title


class AnswerFailure(Failure):
    """Something wrong in an answer the run got anyway (no request of its own)."""

    code = "MC601"

    def __init__(self, *, operation: str, title: str, message: str) -> None:
        super().__init__(operation=operation, title=title, message=message)

    @property
    def _unique_key(self) -> str:
        return self.title


def header(headers: Any, name: str) -> str | None:
    """A header's value from schemathesis's (lists) or werkzeug's (strings) headers, any case."""
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return (value[0] if value else None) if isinstance(value, list) else str(value)
    return None


def _probe_run(check: str, case: Any, response: Any) -> ActiveRun | None:
    """The run, when ``check`` may probe on this answer (its own operation's, sent, answered, no 5xx)."""
    run = active()
    if run is None or not run.enabled(check) or run.log is None:
        return None
    if case.method.upper() != case.operation.method.upper():
        return None  # the coverage phase's unexpected-method cases belong to no operation's probes
    if not_sent_reason(response) is not None or header(response.headers, TIMEOUT_HEADER) is not None:
        return None
    if response.status_code >= 500:
        return None  # already a finding; a probe would say nothing new
    return run


def _send(app: Any, method: str, target: str, headers: dict[str, str]) -> tuple[str, Any]:
    """Send ``method target`` through the run's application exactly as written; (probe id, answer)."""
    probe_id = uuid.uuid4().hex
    path, _, query = target.partition("?")
    sent = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
    sent[CASE_ID_HEADER] = probe_id
    answer = Client(app).open(
        unquote(path),
        method=method,
        query_string=query,
        headers=sent,
        environ_overrides={"RAW_URI": target, "REQUEST_URI": target},
    )
    return probe_id, answer


def _declared(case: Any) -> set[str]:
    item = (case.operation.schema.raw_schema.get("paths") or {}).get(case.operation.path) or {}
    return {key.lower() for key in item if isinstance(key, str)}


@schemathesis.check
def head_like_get(ctx: Any, response: Any, case: Any) -> bool | None:
    """HEAD on a GET operation: the same status and Content-Type, and no body."""
    run = _probe_run("head_like_get", case, response)
    if run is None or case.operation.method.upper() != "GET" or "head" in _declared(case):
        return None
    sent = run.log.get(case.id)
    if sent is None or not run.once(f"head_like_get|{case.operation.label}"):
        return None
    probe_id, answer = _send(case.operation.app, "HEAD", sent.target, sent.headers)
    if header(answer.headers, TIMEOUT_HEADER) is not None:
        return None
    problem = None
    if answer.status_code != response.status_code:
        problem = f"HEAD answered {answer.status_code}, the same GET {response.status_code}"
    elif answer.data:
        problem = f"HEAD answered with a body ({len(answer.data)} bytes); a HEAD answer has none"
    elif 200 <= response.status_code < 300:
        got, expected = header(answer.headers, "Content-Type"), header(response.headers, "Content-Type")
        if (got or "") != (expected or ""):
            problem = f"HEAD answered Content-Type {got!r}, the same GET {expected!r}"
    if problem:
        raise ProbeFailure(
            operation=case.operation.label,
            title="HEAD differs from GET",
            message=f"{problem}: HEAD {sent.target}",
            status=answer.status_code,
            body=answer.data,
            probe_id=probe_id,
        )
    return None


def slash_variants(target: str, template: str) -> list[str]:
    """The target with a trailing slash, and with its last parameter empty when the path ends in one."""
    path, mark, query = target.partition("?")
    variants = []
    if not path.endswith("/"):
        variants.append(f"{path}/{mark}{query}")
    if template.rstrip("/").endswith("}") and "/" in path.rstrip("/"):
        emptied = path.rstrip("/").rsplit("/", 1)[0] + "/"
        if emptied not in [v.partition("?")[0] for v in variants]:
            variants.append(f"{emptied}{mark}{query}")
    return variants


@schemathesis.check
def trailing_slash(ctx: Any, response: Any, case: Any) -> bool | None:
    """A GET path with a trailing slash or an empty last segment: any answer but a 5xx."""
    run = _probe_run("trailing_slash", case, response)
    if run is None or case.operation.method.upper() != "GET":
        return None
    sent = run.log.get(case.id)
    if sent is None or not run.once(f"trailing_slash|{case.operation.label}"):
        return None
    for variant in slash_variants(sent.target, case.operation.path):
        probe_id, answer = _send(case.operation.app, "GET", variant, sent.headers)
        if answer.status_code >= 500 and header(answer.headers, TIMEOUT_HEADER) is None:
            raise ProbeFailure(
                operation=case.operation.label,
                title="Server error on a trailing slash or an empty segment",
                message=f"GET {variant} answered {answer.status_code}; refusing it is fine, a 5xx is not",
                status=answer.status_code,
                body=answer.data,
                probe_id=probe_id,
            )
    return None


def undeclared_method_for(case: Any, run: ActiveRun) -> str | None:
    """The method to probe this path with, or None when no probe may be sent here (yet).

    ``OPTIONS`` where the path declares no write, or names no entity; ``PATCH`` only where
    every entity the path names is the run's own (and the path does not declare it).
    """
    declared = _declared(case)
    rules = ownership_rules()
    entities = {
        name: value for name, value in (case.path_parameters or {}).items() if name not in rules.path_keys
    }
    if not declared & WRITE_METHODS or not entities:
        return None if "options" in declared else "OPTIONS"
    if not all(run.gate.ledger.owns(str(value)) for value in entities.values()):
        return ""  # not the run's own: try again on a later case
    for method in ("patch", "options"):
        if method not in declared:
            return method.upper()
    return None


@schemathesis.check
def undeclared_method(ctx: Any, response: Any, case: Any) -> bool | None:
    """A method the path does not declare: refused (405, 404, ...), never a 5xx. Write runs only."""
    run = _probe_run("undeclared_method", case, response)
    if run is None or run.gate is None:
        return None
    key = f"undeclared_method|{case.operation.path}"
    sent = run.log.get(case.id)
    if sent is None or not run.once(key):
        return None
    method = undeclared_method_for(case, run)
    if not method:
        if method == "":
            run.again(key)
        return None
    path = sent.target.partition("?")[0]
    probe_id, answer = _send(case.operation.app, method, path, sent.headers)
    if not_sent_reason(answer) is not None:
        run.again(key)
        return None
    if answer.status_code >= 500 and header(answer.headers, TIMEOUT_HEADER) is None:
        raise ProbeFailure(
            operation=case.operation.label,
            title="Server error on an undeclared method",
            message=f"{method} {path} (not declared for this path) answered {answer.status_code}; "
            "expected a refusal such as 405",
            status=answer.status_code,
            body=answer.data,
            probe_id=probe_id,
        )
    return None


@schemathesis.check
def retry_after(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 429 says when to come back: ``Retry-After``, also on one the transport retried."""
    run = active()
    if run is None or not run.enabled("retry_after"):
        return None
    if response.status_code == 429 and not header(response.headers, "Retry-After"):
        raise AnswerFailure(
            operation=case.operation.label,
            title="429 without Retry-After",
            message="answered 429 Too Many Requests without a Retry-After header",
        )
    if header(response.headers, BARE_429_HEADER) is not None:
        raise AnswerFailure(
            operation=case.operation.label,
            title="429 without Retry-After",
            message=f"a 429 without a Retry-After header came before this {response.status_code} "
            "(the request was retried)",
        )
    return None


@schemathesis.check
def created_location(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 201's ``Location``, when present, names the entity the body returns."""
    run = active()
    if run is None or not run.enabled("created_location") or response.status_code != 201:
        return None
    location = header(response.headers, "Location")
    if not location:
        return None
    try:
        data = json.loads(response.content or b"null")
    except ValueError:
        return None
    entity_id = data.get("id") if isinstance(data, dict) else data if isinstance(data, str) else None
    if entity_id in (None, ""):
        return None
    segments = [unquote(part) for part in urlsplit(location).path.split("/")]
    if str(entity_id) not in segments:
        raise AnswerFailure(
            operation=case.operation.label,
            title="Location does not name the created entity",
            message=f"201 with Location {location!r}, but the body returns the entity {entity_id}",
        )
    return None
