"""The HTML index at ``/`` and the admin endpoints under ``/__mock/`` (reset, request log)."""

from __future__ import annotations

from html import escape
from typing import Any

import flask

from mockserver.fixtures import seed_fixtures


def _state() -> dict[str, Any]:
    return flask.current_app.extensions["mockserver"]


def register_index(app: flask.Flask) -> None:
    @app.get("/")
    def index() -> flask.Response:
        state = _state()
        parts = [
            "<!doctype html><html><head><meta charset='utf-8'><title>Madaster API mock</title>",
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            "code{background:#eee;padding:0 .2em}td{padding:0 .6em}</style></head><body>",
            "<h1>Madaster API mock</h1>",
        ]
        parts.append(
            "<h2>Tokens</h2><table><tr><th>name</th><th>key</th><th>permission</th><th>scope</th>"
            "<th>expires</th></tr>"
        )
        for token in state["tokens"]:
            expires = token.expires.isoformat() if token.expires else "never"
            parts.append(
                f"<tr><td>{escape(token.name)}</td><td><code>{escape(token.masked())}</code></td>"
                f"<td>{token.permission}</td><td>{escape(token.scope)}</td><td>{expires}</td></tr>"
            )
        parts.append("</table><p>Send the key in the <code>X-API-Key</code> header.</p>")
        for version, runtime in state["runtimes"].items():
            build = f" (build {escape(runtime.build)})" if runtime.build else ""
            parts.append(f"<h2>{version}{build}</h2>")
            parts.append(f"<p><a href='/api/{version}/swagger.json'>/api/{version}/swagger.json</a></p><ul>")
            for op in runtime.operations:
                kind = runtime.model.behaviours[id(op)].kind
                parts.append(f"<li><code>{op.method} {escape(op.template)}</code> {kind}</li>")
            parts.append("</ul>")
        if "mockserver.admin" in flask.current_app.blueprints or state.get("admin"):
            parts.append("<p>Admin: <a href='/__mock/requests'>/__mock/requests</a>, POST /__mock/reset</p>")
        parts.append("</body></html>")
        return flask.Response("".join(parts), mimetype="text/html")


def register_admin(app: flask.Flask) -> None:
    app.extensions["mockserver"]["admin"] = True

    @app.post("/__mock/reset")
    def reset() -> flask.Response:
        state = _state()
        state["store"].reset()
        state["log"].clear()
        created = sum(
            seed_fixtures(runtime, state["store"], state.get("fixtures"))
            for runtime in state["runtimes"].values()
        )
        return flask.jsonify({"reset": True, "fixtures": created})

    @app.get("/__mock/requests")
    def requests_log() -> flask.Response:
        return flask.jsonify(_state()["log"].entries())

    @app.get("/__mock/health")
    def health() -> flask.Response:
        return flask.jsonify({"status": "ok", "versions": list(_state()["runtimes"])})
