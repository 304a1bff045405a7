"""The console's routes: its page and files, Swagger UI's files, and calls made as a chosen token.

``/__mock/as/<token>/api/...`` replays a request through the mock's pipeline with the key of the
token numbered ``<token>`` in ``/__mock/tokens`` (or with no key for ``none``). The console's
"try it" and entity links go through it, so keys never reach the browser, and the request shows
up in the log like any client's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import flask

from mockserver.auth.admin_guard import admin_tokens, key_free
from mockserver.auth.admin_scope import current_admin, may_lend
from mockserver.spec.problems import PROBLEM_JSON, problem_body
from mockserver.state.versioned import parent_of_any

STATIC = Path(__file__).parent / "static"
CONSOLE_FILES = frozenset({"console.js", "console.css"})
SWAGGER_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "VERSION"})
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
NO_KEY = "none"


def console_blueprint() -> flask.Blueprint:
    blueprint = flask.Blueprint("mockserver_console", __name__)

    @blueprint.get("/__mock/console")
    @blueprint.get("/__mock/console/")
    @key_free  # the page holds no state: every panel reads the admin endpoints with the admin key
    def page() -> flask.Response:
        return flask.send_from_directory(STATIC, "index.html")

    @blueprint.get("/__mock/console/features")
    @key_free
    def features() -> flask.Response:
        """What the console needs before it can ask for data: versions, jobs, whether a key is needed."""
        state = flask.current_app.extensions["mockserver"]
        rules = {rule.rule for rule in flask.current_app.url_map.iter_rules()}
        versions = [
            {"version": version, "build": runtime.build} for version, runtime in state["runtimes"].items()
        ]
        return flask.jsonify(
            {
                "versions": versions,
                "jobs": "/__mock/jobs" in rules,
                "adminKey": bool(admin_tokens(state["tokens"])),
            }
        )

    @blueprint.get("/__mock/console/static/<name>")
    @key_free
    def static_file(name: str) -> flask.Response:
        if name not in CONSOLE_FILES:
            flask.abort(404)
        return flask.send_from_directory(STATIC, name)

    @blueprint.get("/__mock/console/swagger-ui/<name>")
    @key_free
    def swagger_file(name: str) -> flask.Response:
        if name not in SWAGGER_FILES:
            flask.abort(404)
        return flask.send_from_directory(swagger_ui_dist(), name)

    @blueprint.route("/__mock/as/<who>/api/<path:rest>", methods=METHODS)
    def call_as(who: str, rest: str) -> flask.Response:
        return _call_as(who)

    return blueprint


def swagger_ui_dist() -> Path:
    """Swagger UI's files as the ``flask-swagger-ui`` package ships them (``dist/``): a current
    Swagger UI 5, repackaged weekly, with nothing to fetch at run time. Only its files are
    used; the console is its own page, not the package's blueprint."""
    import flask_swagger_ui

    return Path(flask_swagger_ui.__file__).parent / "dist"


def swagger_ui_version() -> str:
    """The version of the Swagger UI served (``v5.34.0``), from the package's ``dist/VERSION``."""
    return (swagger_ui_dist() / "VERSION").read_text(encoding="utf-8").strip()


def _call_as(who: str) -> flask.Response:
    """Run the request through the pipeline as the chosen token; answer exactly what it answered."""
    state = flask.current_app.extensions["mockserver"]
    tokens = state["tokens"]
    environ: dict[str, Any] = dict(flask.request.environ)
    if who == NO_KEY:
        environ.pop("HTTP_X_API_KEY", None)
    elif who.isdigit() and int(who) < len(tokens):
        lent, admin = tokens[int(who)], current_admin()
        if not may_lend(admin, lent, parent_of_any(state.get("stores") or {}, state["store"])):
            assert admin is not None
            detail = (
                f"the admin key '{admin.name}' is limited to {admin.scope}; token {who} reaches beyond it"
            )
            body = problem_body(403, detail, flask.request.path)
            return flask.Response(json.dumps(body), status=403, mimetype=PROBLEM_JSON)
        environ["HTTP_X_API_KEY"] = lent.key
    else:
        detail = f"no token {who!r}: use a number from /__mock/tokens or {NO_KEY!r}"
        body = problem_body(404, detail, flask.request.path)
        return flask.Response(json.dumps(body), status=404, mimetype=PROBLEM_JSON)
    prefix = f"/__mock/as/{who}"
    environ["PATH_INFO"] = environ["PATH_INFO"][len(prefix) :]
    for name in ("RAW_URI", "REQUEST_URI"):
        if str(environ.get(name, "")).startswith(prefix):
            environ[name] = environ[name][len(prefix) :]
    answered: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answered["status"], answered["headers"] = status, headers

    body = b"".join(state["pipeline"](environ, start_response))
    headers = [(k, v) for k, v in answered["headers"] if k.lower() != "content-length"]
    return flask.Response(body, status=answered["status"], headers=headers)
