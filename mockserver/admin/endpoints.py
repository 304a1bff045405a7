"""The admin endpoints under ``/__mock/`` (reset, request log, state, tokens, jobs); the page at ``/``: ``index``."""

from __future__ import annotations

import json
from typing import Any

import flask

from mockserver.admin.state_view import state_view
from mockserver.admin.stubs import reset_stubs
from mockserver.auth.admin_guard import key_free
from mockserver.auth.admin_scope import bounded_state, current_admin, lendable, scope_inside, sees_job
from mockserver.auth.tokens import Token
from mockserver.fixtures.seed import seed_fixtures
from mockserver.http.matching import MatchError, RequestMatch
from mockserver.http.memory import release_memory
from mockserver.platform.jobs import describe
from mockserver.spec.problems import PROBLEM_JSON, problem_body
from mockserver.state.store import StoreUnavailable
from mockserver.state.versioned import parent_of_any

JOURNAL_FILTERS = frozenset({"method", "path", "path_regex", "status", "since"})
"""What ``GET /__mock/requests`` filters by (query, headers and body: ``POST /__mock/requests/count``)."""


def _repeated() -> list[str]:
    args = flask.request.args
    return sorted(name for name in args if len(args.getlist(name)) > 1)


def _journal() -> list[Any] | flask.Response:
    """The journal's entries the request's filters match, or a 400 naming the bad filter."""
    repeated = _repeated()
    if repeated:
        return _problem(400, f"{', '.join(repeated)}: give each filter once")
    filters = flask.request.args.to_dict()
    unknown = sorted(set(filters) - JOURNAL_FILTERS)
    if unknown:
        known = ", ".join(sorted(JOURNAL_FILTERS))
        return _problem(400, f"unknown filter {', '.join(unknown)} (known: {known})")
    try:
        match = RequestMatch.parse(filters, "filter")
    except MatchError as exc:
        return _problem(400, str(exc))
    return _state()["log"].matching(match, _shown_scope())


def _state() -> dict[str, Any]:
    return flask.current_app.extensions["mockserver"]


def register_admin(app: flask.Flask) -> None:
    app.extensions["mockserver"]["admin"] = True

    @app.post("/__mock/reset")
    def reset() -> flask.Response:
        state = _state()
        admin = current_admin()
        if admin is not None:
            return _problem(
                403, f"the admin key '{admin.name}' is limited to {admin.scope}; a reset clears all"
            )
        try:
            state["store"].reset()
            state["log"].clear()
            reset_stubs(state)
            release_memory()
            stores = state.get("stores") or {}
            created = sum(
                seed_fixtures(runtime, stores.get(version, state["store"]), state.get("fixtures"))
                for version, runtime in state["runtimes"].items()
            )
        except StoreUnavailable as exc:  # a read-only or locked sqlite file: say so, no traceback
            body = problem_body(503, str(exc), flask.request.path)
            return flask.Response(json.dumps(body), 503, content_type=f"{PROBLEM_JSON}; charset=utf-8")
        return flask.jsonify({"reset": True, "fixtures": created})

    @app.get("/__mock/requests")
    def requests_log() -> flask.Response:
        """The logged requests, oldest first, filtered by ``method``, ``path``, ``path_regex``,
        ``status`` and ``since`` (only those numbered above N, for polling)."""
        filters = flask.request.args.to_dict()
        if set(filters) <= {"since"} and not _repeated():  # the console's polling: no match to build
            since = filters.get("since", "0")
            if not since.isdigit():
                return _problem(400, f"since={since!r}: expected a request number (0 or more)")
            return flask.jsonify(_state()["log"].entries(int(since), _shown_scope()))
        found = _journal()
        if isinstance(found, flask.Response):
            return found
        return flask.jsonify([entry.summary() for entry in found])

    @app.get("/__mock/requests.har")
    def requests_har() -> flask.Response:
        """The same entries (and filters) as a HAR 1.2 file, for ``diff --usage`` and dev tools."""
        found = _journal()
        if isinstance(found, flask.Response):
            return found
        from mockserver.admin.journal_har import journal_har

        text = journal_har(found, flask.request.host_url)
        response = flask.Response(text, 200, content_type="application/json; charset=utf-8")
        response.headers["Content-Disposition"] = 'attachment; filename="mock-requests.har"'
        return response

    @app.post("/__mock/requests/count")
    def requests_count() -> flask.Response:
        """How many logged requests a match (``mockserver.matching``) finds: ``{"count": n, "match": {...}}``."""
        body = flask.request.get_json(silent=True) if flask.request.data else {}
        try:
            match = RequestMatch.parse(body, "match")
        except MatchError as exc:
            return _problem(400, str(exc))
        found = _state()["log"].matching(match, _shown_scope())
        return flask.jsonify({"count": len(found), "match": match.as_dict()})

    @app.get("/__mock/requests/<int:seq>")
    def request_detail(seq: int) -> flask.Response:
        """One logged request with its (truncated) request and response bodies."""
        entry = _state()["log"].find(seq, _shown_scope())
        if entry is None:
            return _problem(404, f"request {seq} is not in the log (never made, or already dropped)")
        return flask.jsonify(entry)

    @app.get("/__mock/state")
    def state() -> flask.Response:
        store = _state()["store"]
        view = state_view(_state()["runtimes"], store, _state().get("stores"))
        return flask.jsonify(bounded_state(view, current_admin(), _parent_of()))

    @app.get("/__mock/tokens")
    def tokens() -> flask.Response:
        all_tokens = _state()["tokens"]
        shown = lendable(current_admin(), all_tokens, _parent_of())
        return flask.jsonify({"tokens": [_token_view(i, all_tokens[i]) for i in shown]})

    @app.get("/__mock/health")
    @key_free
    def health() -> flask.Response:
        return flask.jsonify({"status": "ok", "versions": list(_state()["runtimes"])})

    register_jobs(app)


def register_jobs(app: flask.Flask) -> None:
    """The long-running work (``mockserver.platform.jobs``): list it, finish it at once, force a failure."""

    @app.get("/__mock/jobs")
    def jobs() -> flask.Response:
        store = _state()["store"]
        now = store.clock()
        return flask.jsonify({"jobs": [describe(job, now) for job in _jobs_shown(store)]})

    @app.post("/__mock/jobs/finish")
    def finish_all() -> flask.Response:
        store = _state()["store"]
        finished = []
        for job in _jobs_shown(store):
            if job["failed"] is None and describe(job, store.clock())["state"] == "running":
                finished.append(store.finish(job["id"]))
        now = store.clock()
        return flask.jsonify({"finished": len(finished), "jobs": [describe(j, now) for j in finished if j]})

    @app.post("/__mock/jobs/<job_id>/finish")
    def finish_one(job_id: str) -> flask.Response:
        store = _state()["store"]
        if not _job_shown(store, job_id):
            return _described(None, job_id)
        return _described(store.finish(job_id), job_id)

    @app.post("/__mock/jobs/<job_id>/fail")
    def fail_one(job_id: str) -> flask.Response:
        store = _state()["store"]
        job = store.job(job_id) if _job_shown(store, job_id) else None
        if job is None:
            return _described(None, job_id)
        body = flask.request.get_json(silent=True) if flask.request.data else {}
        if not isinstance(body, dict) or not isinstance(body.get("status", ""), str):
            return _problem(400, 'the body must be empty or {"status": "<failure state>"}')
        choices = {f["status"]: f for f in job["failure"]}
        if not choices:
            return _problem(409, f"a {job['kind']} job has no failure state in {job['version']}")
        wanted = body.get("status") or next(iter(choices))
        if wanted not in choices:
            return _problem(400, f"{wanted!r} is not a failure state of {job['kind']}: {', '.join(choices)}")
        return _described(store.fail(job_id, choices[wanted]), job_id)


def _parent_of() -> Any:
    """Parent links as every served version stores them (``mockserver.state.versioned``)."""
    state = _state()
    return parent_of_any(state.get("stores") or {}, state["store"])


def _shown_scope() -> Any:
    """The request-log filter for this admin: entries made with tokens inside its scope."""
    admin = current_admin()
    if admin is None:
        return None
    parent_of = _parent_of()
    return lambda scope: scope_inside(admin, scope, parent_of)


def _jobs_shown(store: Any) -> list[dict[str, Any]]:
    admin = current_admin()
    return [job for job in store.jobs() if sees_job(admin, job, _parent_of())]


def _job_shown(store: Any, job_id: str) -> bool:
    job = store.job(job_id)
    return job is not None and sees_job(current_admin(), job, _parent_of())


def _described(job: dict[str, Any] | None, job_id: str) -> flask.Response:
    """One job as ``GET /__mock/jobs`` shows it, or a 404 for an id no job has."""
    if job is None:
        return _problem(404, f"no job '{job_id}'")
    return flask.jsonify(describe(job, _state()["store"].clock()))


def _token_view(index: int, token: Token) -> dict[str, Any]:
    """A token as the console shows it: never the key in clear."""
    return {
        "id": index,
        "name": token.name,
        "key": token.masked(),
        "permission": token.permission,
        "scope": token.scope,
        "expires": token.expires.isoformat() if token.expires else None,
        "expired": token.is_expired(),
    }


def _problem(status: int, detail: str) -> flask.Response:
    body = problem_body(status, detail, flask.request.path)
    return flask.Response(flask.json.dumps(body), status=status, mimetype=PROBLEM_JSON)
