"""The page at ``/``: the console's front door.

What a developer who opens the mock's URL needs first: the console (and each of its tabs), then
the served versions with their specs, the tokens (never a character of a key: the page needs no
key to be read) and the admin API; the operations of each version fold out below. Styled like
the console, with nothing fetched from the network.
"""

from __future__ import annotations

from html import escape
from typing import Any

import flask

from mockserver.auth.admin_guard import admin_tokens

CONSOLE = "/__mock/console"
TABS = (
    ("requests", "Requests", "the live request log, with each 400's problems and the bodies"),
    ("operations", "Operations", "every operation in Swagger UI, tried as any token"),
    ("state", "State", "the entities, parents and children; reset"),
    ("jobs", "Jobs", "running lifecycle work: finish it now or make it fail"),
    ("stubs", "Stubs", "runtime stubs: list, add, remove"),
    ("tokens", "Tokens", "who may call what (keys masked)"),
)
STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f4f6f8}
header{background:#24343f;color:#fff;padding:1.4em 2em}
header h1{margin:0;font-size:1.5em} header p{margin:.3em 0 0;color:#cfe0ea}
main{max-width:64em;margin:0 auto;padding:1em 2em 3em}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:.4em 1.2em 1em;margin:1em 0}
.door{border-color:#7fd1ae;border-width:2px}
a.open{display:inline-block;background:#176a3a;color:#fff;padding:.6em 1.2em;border-radius:4px;
 text-decoration:none;font-weight:bold;margin:.6em 0}
ul.tabs{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(17em,1fr));gap:.5em}
ul.tabs li{border:1px solid #e3e3e3;border-radius:4px;padding:.5em .7em}
ul.tabs a{font-weight:bold} ul.tabs span{display:block;color:#555;font-size:.9em}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{text-align:left;padding:.25em .5em;border-bottom:1px solid #e3e3e3}
th{background:#f4f6f8} code{font-family:ui-monospace,monospace;background:#f0f0f0;padding:0 .2em}
details summary{cursor:pointer;color:#24343f} .muted{color:#777}
"""


def register_index(app: flask.Flask) -> None:
    @app.get("/")
    def index() -> flask.Response:
        return flask.Response(front_door(flask.current_app.extensions["mockserver"]), mimetype="text/html")


def front_door(state: dict[str, Any]) -> str:
    """The page, from the app's state (tokens, runtimes, whether the admin endpoints are on)."""
    admin = "mockserver_console" in flask.current_app.blueprints
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Madaster API mock</title><link rel='icon' href='data:,'>",
        f"<style>{STYLE}</style></head><body>",
        "<header><h1>Madaster API mock</h1>",
        "<p>The Madaster API, offline: served from the stored specs, validated both ways.</p></header><main>",
    ]
    parts.append(_console_section(state) if admin else _no_admin_section())
    parts.append(_versions_section(state))
    parts.append(_tokens_section(state))
    if admin:
        parts.append(_admin_api_section(state))
    parts.append("</main></body></html>")
    return "".join(parts)


def _console_section(state: dict[str, Any]) -> str:
    keyed = bool(admin_tokens(state["tokens"]))
    needs_key = " It asks once for the admin token's key." if keyed else ""
    tabs = "".join(
        f"<li><a href='{CONSOLE}#{name}'>{title}</a><span>{what}</span></li>" for name, title, what in TABS
    )
    return (
        "<section class='door' id='console'><h2>Console</h2>"
        f"<a class='open' href='{CONSOLE}'>Open the console</a>"
        f"<p class='muted'>Follow a client's calls as they happen.{needs_key} Straight to a tab:</p>"
        f"<ul class='tabs'>{tabs}</ul></section>"
    )


def _no_admin_section() -> str:
    return (
        "<section id='console'><h2>Console</h2><p>Off: this mock was started with "
        "<code>--no-admin</code>, so there is no console and no <code>/__mock/</code> endpoint.</p></section>"
    )


def _versions_section(state: dict[str, Any]) -> str:
    parts = ["<section id='versions'><h2>Versions</h2><table>"]
    parts.append("<tr><th>version</th><th>build</th><th>operations</th><th>base URL</th><th>spec</th></tr>")
    for version, runtime in state["runtimes"].items():
        build = escape(runtime.build) if runtime.build else "<span class='muted'>none</span>"
        parts.append(
            f"<tr><td>{escape(version)}</td><td>{build}</td><td>{len(runtime.operations)}</td>"
            f"<td><code>/api/{escape(version)}/</code></td>"
            f"<td><a href='/api/{escape(version)}/swagger.json'>/api/{escape(version)}/swagger.json</a></td></tr>"
        )
    parts.append("</table>")
    for version, runtime in state["runtimes"].items():
        parts.append(
            f"<details><summary>The {len(runtime.operations)} operations of {escape(version)}</summary><ul>"
        )
        for op in runtime.operations:
            kind = runtime.model.behaviours[id(op)].kind
            parts.append(
                f"<li><code>{op.method} {escape(op.template)}</code> <span class='muted'>{kind}</span></li>"
            )
        parts.append("</ul></details>")
    parts.append("</section>")
    return "".join(parts)


def _tokens_section(state: dict[str, Any]) -> str:
    parts = ["<section id='tokens'><h2>Tokens</h2>"]
    parts.append("<p>Send the key in the <code>X-API-Key</code> header.</p><table>")
    parts.append("<tr><th>name</th><th>permission</th><th>scope</th><th>expires</th></tr>")
    for token in state["tokens"]:  # no character of any key
        expires = token.expires.isoformat() if token.expires else "never"
        parts.append(
            f"<tr><td>{escape(token.name)}</td><td>{escape(token.permission)}</td>"
            f"<td>{escape(token.scope)}</td><td>{expires}</td></tr>"
        )
    parts.append("</table></section>")
    return "".join(parts)


def _admin_api_section(state: dict[str, Any]) -> str:
    keyed = " (with an admin token's <code>X-API-Key</code>)" if admin_tokens(state["tokens"]) else ""
    links = [
        ("/__mock/requests", "the request journal (filters: method, path, path_regex, status, since)"),
        ("/__mock/requests.har", "the same as a HAR file, for diff --usage"),
        ("/__mock/stubs", "runtime stubs"),
        ("/__mock/state", "the entities"),
        ("/__mock/jobs", "long-running work"),
        ("/__mock/tokens", "the tokens, keys masked"),
    ]
    items = "".join(
        f"<li><a href='{path}'>{path}</a> <span class='muted'>{what}</span></li>" for path, what in links
    )
    return (
        f"<section id='admin'><h2>Admin API</h2><p>For scripts and tests{keyed}:</p><ul>{items}"
        "<li><code>POST /__mock/reset</code>, <code>POST /__mock/requests/count</code></li></ul></section>"
    )
