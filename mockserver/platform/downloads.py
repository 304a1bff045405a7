"""Files the mock serves itself: uploaded bytes and generated passports, behind download URLs.

The platform answers ``.../download`` with a short-lived storage URL that needs no API key. The
mock does the same with ``/downloads/<version>/<file id>/<name>`` on its own host (taken from the
request, so the URL works from wherever the client reached the mock). Contents are kept in the
StateStore below the file entity: they survive a restart on sqlite and go when the file is deleted.

Why the serving rules (a download is content someone else uploaded, opened in a browser):

- **A link is a capability**: every URL the API hands out carries ``expires`` and ``signature``
  (HMAC-SHA256 over path and expiry with a secret drawn when the process starts). Without a valid
  one, the request needs an API key whose scope reaches the file's owner, like any API call (401
  without a key, 403 outside the scope), so an image URL guessed for another building opens nothing.
- **Never rendered by the browser**: ``Content-Disposition: attachment`` with a sanitised name (no
  folders, no control characters; ASCII ``filename`` plus RFC 5987 ``filename*``),
  ``X-Content-Type-Options: nosniff``, a CSP that allows nothing, and a media type outside a short
  list of inert ones (``text/html``, ``image/svg+xml``, ...) served as ``application/octet-stream``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import flask

from mockserver.behaviour.call import Refusal
from mockserver.spec.problems import PROBLEM_JSON, problem_body
from mockserver.state import blobs
from mockserver.state.blobs import BlobFolder, BlobsFull
from mockserver.state.store import Ref, StateStore

BLOBS = "~blobs"
PREFIX = "/downloads"
OCTET = "application/octet-stream"
LINK_VALID_FOR = timedelta(days=1)
"""How long a URL kept in an entity (an attachment's ``url``) opens without a key."""
MAX_NAME = 200
INERT_TYPES = frozenset(
    {
        OCTET,
        "application/pdf",
        "application/zip",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/msword",
        "application/x-step",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/tiff",
        "text/plain",
        "text/csv",
    }
)
"""Media types served as uploaded: none of them runs script in a browser. Any other is octet-stream."""
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'none'; sandbox"),
    ("Cache-Control", "private, no-store"),
)
_SECRET = secrets.token_bytes(32)


@dataclass
class Download:
    name: str
    media_type: str
    content: bytes
    owner: Ref | None = None
    """The entity whose scope decides who may fetch it with a key (the file, or the image's owner)."""


def save_upload(
    store: StateStore, owner: Ref, name: str, content: bytes, *, slot: str = "", media: str = OCTET
) -> None:
    """Keep an upload below its owner entity (replacing an earlier upload to that slot).

    A file entity holds one upload (no slot); an entity holding several (a commodity's images)
    keeps each in a slot of its own, e.g. ``image/<name>``. The bytes go to the store's blob
    folder (``mockserver.state.blobs``), the record names their file; a store without one keeps
    them in the record. Past the folder's cap: Refusal 507 (413 for one upload beyond it)."""
    key = _key(owner, slot)
    record: dict[str, Any] = {"name": name, "media": media or OCTET, "size": len(content)}
    folder = getattr(store, "blobs", None)
    if isinstance(folder, BlobFolder):
        try:
            record["path"] = str(folder.write(key, content, lambda: _named(store)))
        except BlobsFull as full:
            raise Refusal(full.status, str(full)) from None
    else:
        record["data"] = base64.b64encode(content).decode("ascii")
    store.put(BLOBS, key, record, owner)


def _named(store: StateStore) -> set[str]:
    """The blob files the store's records name (the others belong to deleted entities)."""
    return {str(r["path"]) for r in store.list(BLOBS) if isinstance(r, dict) and r.get("path")}


def load(store: StateStore, owner: Ref, slot: str = "") -> dict[str, Any] | None:
    return store.get(BLOBS, _key(owner, slot))


def held_by(store: StateStore, owner: Ref) -> list[dict[str, Any]]:
    """Every upload kept below ``owner``."""
    return store.list(BLOBS, owner)


def forget(store: StateStore, owner: Ref, slot: str) -> bool:
    """Drop the upload in ``slot`` of ``owner`` and its bytes; False when there was none."""
    record = load(store, owner, slot)
    removed = bool(store.delete(BLOBS, _key(owner, slot)))
    if removed and record and record.get("path"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(record["path"]))
    return removed


def content_of(record: dict[str, Any]) -> bytes:
    """The bytes of an upload record: from its blob file, or (older records) kept inline."""
    if record.get("path"):
        return blobs.read(str(record["path"])) or b""
    return base64.b64decode(record.get("data") or "")


def safe_name(name: str | None) -> str:
    """The name as a download may carry it: no folder part, no control or format characters."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    text = text.strip().lstrip(".").strip()
    return text[:MAX_NAME] or "file"


def served_type(media: str | None) -> str:
    """The media type a download is served with: the uploaded one when inert, else octet-stream."""
    base = str(media or "").split(";", 1)[0].strip().lower()
    return base if base in INERT_TYPES else OCTET


def disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact one (RFC 6266, RFC 5987)."""
    clean = safe_name(name)
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%;' else "_" for c in clean)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(clean, safe='')}"


def url_for(base_url: str, version: str, file_id: str, name: str, *, expires: datetime | None = None) -> str:
    """A signed download URL, opening without a key until ``expires`` (default: ``LINK_VALID_FOR``)."""
    moment = expires or datetime.now(UTC) + LINK_VALID_FOR
    path = link_path(version, file_id, name)
    until = int(moment.timestamp())
    quoted = f"{PREFIX}/{quote(version, safe='')}/{quote(file_id, safe='')}/{quote(safe_name(name), safe='')}"
    return f"{base_url}{quoted}?expires={until}&signature={signature(path, until)}"


def link_path(version: str, file_id: str, name: str) -> str:
    """The decoded path a signature covers (as the router hands it over)."""
    return f"{PREFIX}/{version}/{file_id}/{safe_name(name)}"


def signature(path: str, expires: int) -> str:
    message = f"{path}\n{expires}".encode("utf-8", "surrogatepass")
    return hmac.new(_SECRET, message, hashlib.sha256).hexdigest()


def link_refusal(path: str, args: Any, now: float | None = None) -> str | None:
    """Why the URL's ``expires``/``signature`` do not open ``path`` (None: they do)."""
    given, expires = args.get("signature"), args.get("expires")
    if not given and not expires:
        return "the URL carries no signature"
    if not given or not expires or not str(expires).isdigit():
        return "the URL's signature is incomplete"
    if not hmac.compare_digest(signature(path, int(expires)), str(given)):
        return "the URL's signature does not match it (or was made by another mock process)"
    if int(expires) < (time.time() if now is None else now):
        return "the download link has expired"
    return None


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


@dataclass
class Access:
    """How a download without a valid link is let through: the key, then the owner's scope."""

    key: Callable[[str | None], tuple[int, str] | Any]
    """The token of an API key, or (status, detail) refusing it."""
    reaches: Callable[[Any, str, Ref | None], str | None]
    """(token, version, owner): None when the token reaches the owner, else why not (a 403)."""


def register_downloads(app: flask.Flask, resolve: Resolver, access: Access) -> None:
    """``GET /downloads/<version>/<file id>/<name>``: the bytes, or a ProblemDetails."""

    @app.get(f"{PREFIX}/<version>/<file_id>/<path:name>")
    def download(version: str, file_id: str, name: str) -> flask.Response:
        request = flask.request
        refused = link_refusal(request.path, request.args)
        token = None
        if refused is not None:
            token = access.key(request.headers.get("X-API-Key"))
            if isinstance(token, tuple):
                return _problem(token[0], f"{refused}; without a valid link: {token[1]}")
        found = resolve(version, file_id, name)
        if isinstance(found, str):
            return _problem(404, found)
        if token is not None:
            outside = access.reaches(token, version, found.owner)
            if outside is not None:
                return _problem(403, outside)
        response = flask.Response(found.content, mimetype=served_type(found.media_type))
        response.headers["Content-Disposition"] = disposition(found.name)
        response.headers.extend(SECURITY_HEADERS)
        return response


def _problem(status: int, detail: str) -> flask.Response:
    body = problem_body(status, detail, flask.request.path)
    response = flask.Response(flask.json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    response.headers.extend(SECURITY_HEADERS)
    return response
