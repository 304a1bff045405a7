"""The stubs' admin endpoints: ``POST``/``GET``/``DELETE /__mock/stubs`` (WireMock's mappings, kept short)."""

from __future__ import annotations

from typing import Any

import flask

from mockserver.http.stubs import StubError
from mockserver.spec.problems import PROBLEM_JSON, problem_body


def _registry() -> Any:
    return flask.current_app.extensions["mockserver"]["stubs"]


def register_stubs(app: flask.Flask) -> None:
    @app.post("/__mock/stubs")
    def add_stub() -> flask.Response:
        definition = flask.request.get_json(silent=True)
        if definition is None:
            return _problem(400, 'the body must be a JSON stub: {"match": {...}, "answer": {...}}')
        try:
            stub = _registry().add(definition)
        except StubError as exc:
            return _problem(400, str(exc))
        view = next(v for v in _registry().views() if v["id"] == stub.id)
        response = flask.jsonify(view)
        response.status_code = 201
        response.headers["Location"] = f"/__mock/stubs/{stub.id}"
        return response

    @app.get("/__mock/stubs")
    def list_stubs() -> flask.Response:
        return flask.jsonify({"stubs": _registry().views()})

    @app.get("/__mock/stubs/<stub_id>")
    def one_stub(stub_id: str) -> flask.Response:
        found = next((v for v in _registry().views() if v["id"] == stub_id), None)
        return flask.jsonify(found) if found is not None else _problem(404, f"no stub '{stub_id}'")

    @app.delete("/__mock/stubs")
    def remove_all() -> flask.Response:
        return flask.jsonify({"removed": _registry().clear()})

    @app.delete("/__mock/stubs/<stub_id>")
    def remove_one(stub_id: str) -> flask.Response:
        if not _registry().remove(stub_id):
            return _problem(404, f"no stub '{stub_id}'")
        return flask.Response(status=204)


def reset_stubs(state: dict[str, Any]) -> None:
    """``/__mock/reset``: forget every stub and scenario state, then add the ``--stubs`` file's again."""
    state["stubs"].clear()
    if state.get("stubs_file") is not None:
        data, source = state["stubs_file"]
        state["stubs"].load(data, source)


def _problem(status: int, detail: str) -> flask.Response:
    body = problem_body(status, detail, flask.request.path)
    return flask.Response(flask.json.dumps(body), status=status, mimetype=PROBLEM_JSON)
