"""A server that answers a script of statuses and headers, then 200: for the retry tests."""

from __future__ import annotations

import flask


def scripted_app(answers: list[tuple[int, dict[str, str]]]) -> flask.Flask:
    """``/api/v3.0/account`` answers ``answers`` in order, then ``{"id": "ok"}``.

    ``app.config["calls"]`` lists the method of every request it got, so a test counts the retries.
    """
    app = flask.Flask("scripted")
    calls: list[str] = []

    @app.route("/api/v3.0/account", methods=["GET", "POST", "PUT", "DELETE"])
    def account() -> object:
        calls.append(flask.request.method)
        if answers:
            status, headers = answers.pop(0)
            return flask.Response("{}", status=status, headers=headers, content_type="application/json")
        return {"id": "ok"}

    app.config["calls"] = calls
    return app
