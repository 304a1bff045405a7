"""Files the mock serves itself: uploaded bytes and generated passports, behind download URLs.

The platform answers ``.../download`` with a short-lived storage URL that needs no API key. The
mock does the same with ``/downloads/<version>/<file id>/<name>`` on its own host (taken from the
request, so the URL works from wherever the client reached the mock). Contents are kept in the
StateStore below the file entity: they survive a restart on sqlite and go when the file is deleted.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import flask

from mockserver.spec.problems import PROBLEM_JSON, problem_body
from mockserver.state.store import Ref, StateStore

BLOBS = "~blobs"
PREFIX = "/downloads"
OCTET = "application/octet-stream"


@dataclass
class Download:
    name: str
    media_type: str
    content: bytes


def save_upload(
    store: StateStore, owner: Ref, name: str, content: bytes, *, slot: str = "", media: str = OCTET
) -> None:
    """Keep an upload's bytes below its owner entity (replacing an earlier upload to that slot).

    A file entity holds one upload (no slot); an entity holding several (a commodity's images)
    keeps each in a slot of its own, e.g. ``image/<name>``."""
    record = {"name": name, "media": media or OCTET, "data": base64.b64encode(content).decode("ascii")}
    store.put(BLOBS, _key(owner, slot), record, owner)


def load(store: StateStore, owner: Ref, slot: str = "") -> dict[str, Any] | None:
    return store.get(BLOBS, _key(owner, slot))


def forget(store: StateStore, owner: Ref, slot: str) -> bool:
    """Drop the upload in ``slot`` of ``owner``; False when there was none."""
    return bool(store.delete(BLOBS, _key(owner, slot)))


def content_of(record: dict[str, Any]) -> bytes:
    return base64.b64decode(record.get("data") or "")


def url_for(base_url: str, version: str, file_id: str, name: str) -> str:
    return f"{base_url}{PREFIX}/{quote(version)}/{quote(file_id, safe='')}/{quote(name or 'file', safe='')}"


def base_url_of(environ: dict[str, Any]) -> str:
    """``scheme://host[:port]`` of the request, as the client addressed the mock."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if not host:
        host = environ.get("SERVER_NAME", "localhost")
        port = str(environ.get("SERVER_PORT", ""))
        if port and port != {"http": "80", "https": "443"}.get(scheme):
            host = f"{host}:{port}"
    return f"{scheme}://{host}"


def _key(owner: Ref, slot: str = "") -> str:
    return f"{owner[0]}|{owner[1]}" + (f"|{slot}" if slot else "")


Resolver = Callable[[str, str, str], "Download | str"]
"""(version, file id, name) -> the download, or the reason there is none."""


def register_downloads(app: flask.Flask, resolve: Resolver) -> None:
    """``GET /downloads/<version>/<file id>/<name>``: the bytes, or a 404 ProblemDetails."""

    @app.get(f"{PREFIX}/<version>/<file_id>/<path:name>")
    def download(version: str, file_id: str, name: str) -> flask.Response:
        found = resolve(version, file_id, name)
        if isinstance(found, str):
            body = problem_body(404, found, flask.request.path)
            return flask.Response(flask.json.dumps(body), status=404, mimetype=PROBLEM_JSON)
        response = flask.Response(found.content, mimetype=found.media_type)
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(found.name)}"
        return response
