"""One guard in front of every admin route (everything under ``/__mock/``) and the index page ``/``.

A Flask ``before_request`` hook, so every admin route any module registers (reset, the request
log, job controls, the browser console) is covered without doing anything. Why each rule:

- **Local Host only** (``localhost``, ``127.0.0.1``, ``[::1]`` and the host the server was bound
  to, any port): a page on another site that rebinds its DNS name to 127.0.0.1 still sends its
  own name as ``Host``, so DNS rebinding cannot reach the admin endpoints or read the index.
- **Same origin only**: a browser sends ``Origin`` (and ``Sec-Fetch-Site``) with cross-origin
  requests; one from another origin (another port counts) is refused, so a web page cannot wipe
  a developer's state (on sqlite, the state of every process on the file) with a form POST.
- **The admin key**, when the tokens file defines a token with permission ``admin``: every admin
  call must carry such a key in ``X-API-Key`` (401 without a valid one, 403 for another token).
  Views marked ``key_free`` (the health check, a console's HTML shell that holds no state) need
  no key; the Host and Origin rules still apply to them.

The console's calls as a token (``/__mock/as/<n>/api/...``) lend a token's key, so they are
admin routes like any other: without an admin token, the Host and Origin rules are what keeps
other origins from acting as a token through them.

Refusals are 401/403 ProblemDetails. The API under ``/api/`` is not affected (the pipeline
answers it before Flask).
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import flask

from contracts.json_depth import TOO_DEEP, too_deep
from mockserver.auth.admin_scope import ADMIN_TOKEN
from mockserver.auth.tokens import find_token
from mockserver.spec.problems import PROBLEM_JSON, problem_body

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
ADMIN_PREFIX = "/__mock"
DOWNLOADS_PREFIX = "/downloads"  # files and images the mock serves (mockserver.downloads)
CROSS_SITE = frozenset({"cross-site", "same-site"})
View = TypeVar("View", bound=Callable[..., Any])


def key_free(view: View) -> View:
    """Mark an admin view that needs no admin key (it shows no state); Host and Origin still apply."""
    view.admin_key_free = True  # type: ignore[attr-defined]
    return view


def install_admin_guard(app: flask.Flask) -> None:
    """Guard ``/`` and everything under ``/__mock/`` of ``app`` (created by ``create_app``)."""
    app.extensions["mockserver"].setdefault("allowed_hosts", set(LOCAL_HOSTS))
    app.before_request(_guard)


def allow_host(app: flask.Flask, host: str) -> None:
    """Also accept a name (``--host``, ``--allowed-host``; a port is ignored); a wildcard adds this machine's names."""
    allowed: set[str] = app.extensions["mockserver"].setdefault("allowed_hosts", set(LOCAL_HOSTS))
    if host in ("0.0.0.0", "::", ""):
        allowed.update(_machine_names())
    else:
        allowed.add(_hostname(host))


def host_allowed(host_header: str | None, allowed: set[str] | frozenset[str]) -> bool:
    """Whether a ``Host`` header names this machine (or an ``--allowed-host``); none given: HTTP/1.0."""
    return not host_header or _hostname(host_header) in allowed


def foreign_host_detail(host_header: str) -> str:
    return (
        f"the Host header {host_header!r} is not a name of this mock; it answers local names and those "
        "given with --allowed-host only (DNS rebinding)"
    )


def admin_tokens(tokens: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(t for t in tokens if t.permission == "admin")


def guarded(path: str) -> bool:
    return path == "/" or path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def _guard() -> flask.Response | None:
    refused = _access()
    if refused is not None or not guarded(flask.request.path):
        return refused
    if flask.request.is_json and too_deep(flask.request.get_data(cache=True)):
        return _refuse(400, TOO_DEEP)  # the JSON parser would give up with a RecursionError
    return None


def _access() -> flask.Response | None:
    request = flask.request
    state = flask.current_app.extensions["mockserver"]
    allowed: set[str] = state.get("allowed_hosts", LOCAL_HOSTS)
    if request.path.startswith(DOWNLOADS_PREFIX + "/") and not host_allowed(request.host, allowed):
        return _refuse(421, foreign_host_detail(request.host))
    if not guarded(request.path):
        return None
    host = _hostname(request.host)
    if host not in allowed:
        return _refuse(
            403, f"the Host header {request.host!r} is not this machine; admin answers local names only"
        )
    origin = request.headers.get("Origin")
    if origin is not None and not _same_origin(origin, request.host, allowed):
        return _refuse(
            403, f"a request from origin {origin!r} is cross-origin; admin answers its own origin only"
        )
    if request.headers.get("Sec-Fetch-Site", "").lower() in CROSS_SITE:
        return _refuse(403, "a cross-site browser request; admin answers its own origin only")
    if request.path == "/":
        return None
    view = flask.current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "admin_key_free", False):
        return None
    admins = admin_tokens(state["tokens"])
    if not admins:
        return None
    key = request.headers.get("X-API-Key")
    if not key:
        return _refuse(401, "admin calls need an X-API-Key of a token with permission 'admin'")
    token = find_token(admins, key)
    if token is None:
        other = find_token(tuple(state["tokens"]), key)
        if other is not None and not other.is_expired():
            return _refuse(403, f"the API key '{other.name}' has no admin permission")
        return _refuse(401, "unknown admin API key")
    if token.is_expired():
        return _refuse(401, f"the API key '{token.name}' has expired")
    setattr(flask.g, ADMIN_TOKEN, token)  # its scope bounds what the admin views show (admin_scope)
    return None


def _hostname(host: str) -> str:
    """``[::1]:8080`` -> ``::1``; ``Localhost:8080`` -> ``localhost``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _same_origin(origin: str, host: str, allowed: set[str]) -> bool:
    parts = urlsplit(origin.strip())
    return (
        parts.scheme in ("http", "https")
        and parts.netloc.lower() == host.strip().lower()
        and _hostname(parts.netloc) in allowed
    )


def _machine_names() -> set[str]:
    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    with contextlib.suppress(OSError):
        names.update(str(info[4][0]).lower() for info in socket.getaddrinfo(socket.gethostname(), None))
    return names


def _refuse(status: int, detail: str) -> flask.Response:
    body = problem_body(status, detail, flask.request.path)
    return flask.Response(json.dumps(body), status=status, content_type=f"{PROBLEM_JSON}; charset=utf-8")
