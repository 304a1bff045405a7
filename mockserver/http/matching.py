"""A request match, as WireMock's admin API writes one: the journal's filters and the stubs' ``match``.

One definition for both, so ``POST /__mock/requests/count`` with a stub's match counts exactly
the calls the stub answered (or would have)::

    {"method": "GET", "path": "/api/v3.0/building/{id}", "query": {"take": "10"},
     "headers": {"Accept": "application/json"}, "body": {"name": "A"}}

``path`` is exact, or a template whose ``{name}`` stands for one path segment; ``path_regex`` is a
regular expression the whole path must match. ``body`` matches when it is a subset of the JSON
body (objects: the given members, recursively; arrays and values: equal). ``status`` and
``since`` (a request number) only mean something in the journal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

FIELDS = ("method", "path", "path_regex", "query", "headers", "body", "status", "since")
_TEMPLATE_PART = re.compile(r"\{[^}/]+\}")


class MatchError(ValueError):
    """A match that cannot be used; the message says which field and why (answered as a 400)."""


@dataclass(frozen=True)
class RequestMatch:
    method: str | None = None
    path: str | None = None
    path_regex: str | None = None
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    has_body: bool = False
    status: str | None = None
    """``"404"`` exactly, or a class such as ``"4xx"``."""
    since: int = 0
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, data: Any, where: str = "match") -> RequestMatch:
        """A match from its JSON form (or the journal's query arguments, all strings)."""
        if data is None:
            data = {}
        if not isinstance(data, Mapping):
            raise MatchError(f"{where}: expected an object with {', '.join(FIELDS)}")
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise MatchError(f"{where}: unknown field {', '.join(unknown)} (known: {', '.join(FIELDS)})")
        method = _text(data, "method", where)
        path = _text(data, "path", where)
        path_regex = _text(data, "path_regex", where)
        if path is not None and path_regex is not None:
            raise MatchError(f"{where}: give either path or path_regex, not both")
        if path is not None and not path.startswith("/"):
            raise MatchError(f"{where}.path {path!r}: expected a path starting with /")
        pattern = None
        if path is not None:
            pattern = re.compile(_template_regex(path))
        elif path_regex is not None:
            try:
                pattern = re.compile(path_regex)
            except re.error as exc:
                raise MatchError(f"{where}.path_regex {path_regex!r}: {exc}") from None
        return cls(
            method=method.upper() if method else None,
            path=path,
            path_regex=path_regex,
            query=_strings(data, "query", where),
            headers={k.lower(): v for k, v in _strings(data, "headers", where).items()},
            body=data.get("body"),
            has_body="body" in data,
            status=_status(data.get("status"), where),
            since=_since(data.get("since"), where),
            _pattern=pattern,
        )

    def as_dict(self) -> dict[str, Any]:
        """The match as it was given (the fields that were set)."""
        out: dict[str, Any] = {}
        for name in ("method", "path", "path_regex", "status"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        for name in ("query", "headers"):
            if getattr(self, name):
                out[name] = dict(getattr(self, name))
        if self.has_body:
            out["body"] = self.body
        if self.since:
            out["since"] = self.since
        return out

    def matches(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        status: int | None = None,
    ) -> bool:
        """Whether a request (and, in the journal, its answer's status) matches every given field."""
        if self.method is not None and method.upper() != self.method:
            return False
        if self._pattern is not None and self._pattern.fullmatch(path) is None:
            return False
        if self.query:
            args = dict(parse_qsl(query, keep_blank_values=True))
            if any(args.get(name) != value for name, value in self.query.items()):
                return False
        if self.headers:
            given = {k.lower(): v for k, v in (headers or {}).items()}
            if any(given.get(name) != value for name, value in self.headers.items()):
                return False
        if self.has_body and not json_subset(self.body, body):
            return False
        return self.status is None or status is None or _status_matches(self.status, status)

    def matches_entry(self, entry: Any) -> bool:
        """Whether a journal entry (``request_log.LogEntry``) matches; a body dropped from the log never does."""
        if entry.seq <= self.since:
            return False
        body = None
        if self.has_body:
            if entry.request is None:
                return False
            try:
                body = json.loads(entry.request) if entry.request else None
            except ValueError:
                return False
        return self.matches(entry.method, entry.path, entry.query, None, body, entry.status)


def json_subset(expected: Any, actual: Any) -> bool:
    """``expected`` is in ``actual``: an object's given members (recursively), anything else equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            name in actual and json_subset(value, actual[name]) for name, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(json_subset(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return bool(expected == actual)


def _template_regex(path: str) -> str:
    """``/api/v3.0/building/{id}`` -> a regex where each ``{...}`` is one segment."""
    parts = _TEMPLATE_PART.split(path)
    return "[^/]+".join(re.escape(part) for part in parts)


def _text(data: Mapping[str, Any], name: str, where: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise MatchError(f"{where}.{name}: expected a non-empty string")
    return value


def _strings(data: Mapping[str, Any], name: str, where: str) -> dict[str, str]:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise MatchError(f'{where}.{name}: expected an object of strings, e.g. {{"take": "10"}}')
    return dict(value)


def _status(value: Any, where: str) -> str | None:
    if value is None:
        return None
    text = str(value).lower()
    if re.fullmatch(r"[1-5](\d\d|xx)", text) is None:
        raise MatchError(f"{where}.status {value!r}: expected a status such as 404 or a class such as 4xx")
    return text


def _status_matches(wanted: str, status: int) -> bool:
    return str(status) == wanted or (wanted.endswith("xx") and str(status)[:1] == wanted[0])


def _since(value: Any, where: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not str(value).isdigit():
        raise MatchError(f"{where}.since {value!r}: expected a request number (0 or more)")
    return int(value)
