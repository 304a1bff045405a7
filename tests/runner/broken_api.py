"""A small Flask app serving part of a real v3.0 spec (builds 28168 and 30855) badly, on purpose.

Each breakage can be switched on separately; the app records every request it gets
(method, path, the key header) so tests can assert what reached it. ``BREAKAGES`` says what
each one does; ``ALL_BREAKAGES`` are the ones a single read-only run finds side by side.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import flask

from mockserver.http.serve import serve_in_thread

KEY = "sekrit-KEY-4242-do-not-leak"
READ_KEY = "read-only-KEY-7373-do-not-leak"
"""Reads only: a write with it is 403 (unless ``read_key_writes``)."""
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ACCOUNT_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
FOLDERTYPE_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
LANGUAGES = ("en", "nl", "fr", "de", "nb")
ALL_BREAKAGES = frozenset(
    {"wrong_types", "undeclared_status", "no_auth", "server_error", "still_readable", "entity_in_401"}
)
BREAKAGES = {
    "wrong_types": "GET /account: id an integer, name a list (and the caller's key echoed)",
    "undeclared_status": "GET /account/foldertypes: 203, declared nowhere",
    "no_auth": "GET /system/classificationmethods: answers without a key",
    "server_error": "GET /system/buildingusages: 500",
    "still_readable": "DELETE /folder/{id}: 204 but deletes nothing",
    "entity_in_401": "GET /folder without a key: 401 whose body carries a folder's id and name",
    "accepted_not_ok": "GET /account/foldertypes: 202 instead of 200 (only `default` covers it)",
    "ok_not_created": "POST /folder: 200 instead of 201",
    "slow_get": "GET /system/materialfamilies: answers after SLOW seconds",
    "hanging_get": "GET /system/classificationmethods: answers after HANGING seconds",
    "truncated_read_back": "GET /folder/{id}: name cut short, description null",
    "update_ignored": "PUT /folder/{id}: 200 with the new body, but nothing is stored",
    "list_misses_created": "GET /folder: leaves the newest folder out",
    "accepts_invalid": "POST /folder: 201 without a parentId",
    "text_plain": "GET /system/buildingusages: a JSON body labelled text/plain",
    "unchecked_query": "GET /building/{id}/availabledatabases: 200 whatever `explicitlyShared` holds",
    "head_differs": "HEAD /system/buildingusages: 404 where the GET answers 200",
    "trailing_slash_500": "GET /account/ (a trailing slash): 500",
    "undeclared_method_500": "OPTIONS and PATCH on any path: 500",
    "bare_429": "GET /system/materialfamilies: the first request answers 429 without Retry-After",
    "wrong_location": "POST /folder: 201 whose Location names another folder",
    "astral_500": "POST and PUT /folder: 500 on a string with a character outside the BMP",
    "optional_ignored": "POST and PUT /folder: 2xx, but an optional description is not stored",
    "read_key_writes": "PUT and DELETE /folder/{id}: the read-only key may update and delete",
}
SLOW = 0.4
HANGING = 1.5


@dataclass
class BrokenApi:
    breakages: frozenset[str] = ALL_BREAKAGES
    requests: list[tuple[str, str]] = field(default_factory=list)
    keys_seen: list[str | None] = field(default_factory=list)
    folders: dict[str, dict] = field(default_factory=dict)
    created_names: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    limited: set[str] = field(default_factory=set)
    """Paths that answered their one 429 already (``bare_429``)."""

    def app(self) -> flask.Flask:
        app = flask.Flask("broken-api")
        broken = self.breakages

        def problem(status: int, title: str, **extra: object) -> flask.Response:
            body = {"type": "about:blank", "title": title, "status": status, **extra}
            return flask.Response(flask.json.dumps(body), status=status, content_type="application/json")

        @app.errorhandler(404)
        @app.errorhandler(405)
        def not_served(error: Exception) -> flask.Response:
            code = getattr(error, "code", 404)
            return problem(code, "Not Found" if code == 404 else "Method Not Allowed")

        @app.before_request
        def record_and_authenticate() -> flask.Response | None:
            request = flask.request
            with self.lock:
                self.requests.append((request.method, request.path))
                self.keys_seen.append(request.headers.get("X-API-Key"))
            if "no_auth" in broken and request.path == "/api/v3.0/system/classificationmethods":
                return None
            if request.headers.get("X-API-Key") == READ_KEY:
                if request.method in ("GET", "HEAD") or "read_key_writes" in broken:
                    return planted_protocol_fault(request)
                return problem(403, "Forbidden", detail="this key may read only")
            if request.headers.get("X-API-Key") != KEY:
                if "entity_in_401" in broken and request.path == "/api/v3.0/folder":
                    return problem(401, "Unauthorized", id=ACCOUNT_ID, name="Top secret portfolio")
                return problem(401, "Unauthorized")
            return planted_protocol_fault(request)

        def planted_protocol_fault(request: flask.Request) -> flask.Response | None:
            if (
                "head_differs" in broken
                and request.method == "HEAD"
                and request.path.endswith("/buildingusages")
            ):
                return problem(404, "Not Found")
            if "trailing_slash_500" in broken and request.path == "/api/v3.0/account/":
                return problem(500, "Internal Server Error")
            if "undeclared_method_500" in broken and request.method in ("OPTIONS", "PATCH"):
                return problem(500, "Internal Server Error")
            if "bare_429" in broken and request.path.endswith("/materialfamilies"):
                with self.lock:
                    first = request.path not in self.limited
                    self.limited.add(request.path)
                if first:
                    return problem(429, "Too Many Requests")
            if "astral_500" in broken and request.method in ("POST", "PUT") and "/folder" in request.path:
                body = request.get_json(force=True, silent=True)
                texts = [v for v in body.values() if isinstance(v, str)] if isinstance(body, dict) else []
                if any(ord(c) > 0xFFFF for text in texts for c in text):
                    return problem(500, "Internal Server Error")
            return None

        @app.get("/api/v3.0/account")
        def account() -> object:
            if "wrong_types" in broken:
                # wrong types, and a server that echoes the caller's key (the runner must not repeat it)
                echoed = f"called with {flask.request.headers.get('X-API-Key')}"
                return {"id": 42, "name": ["not", "a", "string"], "accountType": "General", "note": echoed}
            return {"id": ACCOUNT_ID, "name": "Account", "accountType": "General"}

        @app.get("/api/v3.0/account/foldertypes")
        def foldertypes() -> object:
            listing = [{"id": FOLDERTYPE_ID, "allowbuildings": True}]
            if "accepted_not_ok" in broken:
                return listing, 202
            return (listing, 203) if "undeclared_status" in broken else listing

        @app.get("/api/v3.0/system/classificationmethods")
        def classification_methods() -> object:
            if "hanging_get" in broken:
                time.sleep(HANGING)
            return [{"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}]

        @app.get("/api/v3.0/system/buildingusages")
        def building_usages() -> object:
            if "server_error" in broken:
                return problem(500, "Internal Server Error")
            if flask.request.headers.get("accept-language", "en") not in LANGUAGES:
                return problem(400, "Bad Request", detail="unsupported accept-language")
            if "text_plain" in broken:
                return flask.Response('{"office": "Office"}', content_type="text/plain")
            return {"office": "Office"}

        @app.get("/api/v3.0/system/materialfamilies")
        def material_families() -> object:
            if "slow_get" in broken:
                time.sleep(SLOW)
            if flask.request.headers.get("accept-language", "en") not in LANGUAGES:
                return problem(400, "Bad Request", detail="unsupported accept-language")
            return [{"id": "madaster", "name": "Madaster"}]

        @app.get("/api/v3.0/building/<building_id>/availabledatabases")
        def available_databases(building_id: str) -> object:
            if not UUID_RE.match(building_id):
                return problem(400, "Bad Request", detail="id is not a uuid")
            shared = flask.request.args.get("explicitlyShared", "false")
            if shared not in ("true", "false") and "unchecked_query" not in broken:
                return problem(400, "Bad Request", detail="explicitlyShared is not a boolean")
            return []

        @app.get("/api/v3.0/folder")
        def list_folders() -> object:
            folders = list(self.folders.values())
            return folders[:-1] if "list_misses_created" in broken else folders

        @app.post("/api/v3.0/folder")
        def create_folder() -> object:
            body, error = _folder_request(lenient="accepts_invalid" in broken)
            if error:
                return problem(400, "Bad Request", detail=error)
            folder = {"id": str(uuid.uuid4()), **body}
            folder.pop("owner", None)
            if "optional_ignored" in broken:
                folder.pop("description", None)
            with self.lock:
                self.folders[folder["id"]] = folder
                self.created_names.append(str(body.get("name")))
            headers = {"Location": f"/api/v3.0/folder/{folder['id']}"}
            if "wrong_location" in broken:
                headers["Location"] = f"/api/v3.0/folder/{uuid.uuid4()}"
            return folder, 200 if "ok_not_created" in broken else 201, headers

        @app.route("/api/v3.0/folder/<folder_id>", methods=["GET", "PUT", "DELETE"])
        def folder(folder_id: str) -> object:
            if not UUID_RE.match(folder_id):
                return problem(400, "Bad Request", detail="id is not a uuid")
            if folder_id not in self.folders:
                return problem(404, "Not Found")
            if flask.request.method in ("GET", "HEAD"):
                folder = dict(self.folders[folder_id])
                if "truncated_read_back" in broken:
                    folder["name"] = (folder.get("name") or "")[:4]
                    folder["description"] = None
                return folder
            if flask.request.method == "PUT":
                if not flask.request.get_data():  # the body is optional: nothing to change
                    return self.folders[folder_id]
                body, error = _folder_request()
                if error:
                    return problem(400, "Bad Request", detail=error)
                update = {k: v for k, v in body.items() if k != "owner"}
                if "optional_ignored" in broken:
                    update.pop("description", None)
                if "update_ignored" in broken:
                    return {**self.folders[folder_id], **update}
                self.folders[folder_id].update(update)
                return self.folders[folder_id]
            with self.lock:
                self.deleted.append(folder_id)
                if "still_readable" not in broken:
                    del self.folders[folder_id]
            return "", 204

        return app


def _folder_request(lenient: bool = False) -> tuple[dict, str | None]:
    body = flask.request.get_json(force=True, silent=True)
    if "json" not in flask.request.mimetype or not isinstance(body, dict):
        return {}, "expected a JSON object"
    for name in ("name", "parentId", "foldertypeId"):
        if name not in body and not (lenient and name == "parentId"):
            return {}, f"{name} is required"
    for name in ("name", "description", "owner", "externalId"):
        if name in body and body[name] is not None and not isinstance(body[name], str):
            return {}, f"{name} must be a string"
    for name in ("parentId", "foldertypeId"):
        if name not in body and lenient:
            continue
        if not isinstance(body[name], str) or not UUID_RE.match(body[name]):
            return {}, f"{name} must be a uuid"
    known = {"name", "description", "parentId", "foldertypeId", "owner", "externalId"}
    return {k: v for k, v in body.items() if k in known}, None


@contextmanager
def serving(api: BrokenApi) -> Iterator[str]:
    """Serve the broken API on a free port in a thread; yields the base URL."""
    with serve_wsgi(api.app()) as url:
        yield url


@contextmanager
def serve_wsgi(app: flask.Flask) -> Iterator[str]:
    """Serve a WSGI app on a free port in a thread; yields the base URL."""
    with serve_in_thread(app) as (base_url, _stop):
        yield base_url


MOCK_BREAKAGES = {
    "parent_touched": "v3.0 mock: a building's create renames the folder it is in",
    "list_twice": "v3.0 mock: GET /folder lists every folder twice",
    "orphans_listed": "v3.0 mock: a deleted folder's buildings stay in GET /building",
    "scoped_leak": "v3.0 mock: the scoped key's GET /building lists every building of the account",
    "lookup_partial": "v3.0 mock: GET /folder/external/{key} answers the first folder whose externalId starts with the key",
    "list_truncated": "v3.0 mock: GET /folder answers at most 50 folders (the oldest)",
}
"""Faults planted in the conforming mock (``MockFaults``): read-backs the folder-only server above cannot show."""
LOOKUP = "/api/v3.0/folder/external/"
TRUNCATED_AT = 50


@dataclass
class MockFaults:
    """A WSGI layer over the mock planting one of ``MOCK_BREAKAGES`` into its answers."""

    app: object
    breakage: str
    folder_of: dict[str, str] = field(default_factory=dict)
    """Building id -> the folder it was created in."""
    entries: dict[str, dict] = field(default_factory=dict)
    deleted_folders: set[str] = field(default_factory=set)

    def __call__(self, environ: dict, start_response: object) -> list[bytes]:
        import io

        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if self.breakage == "scoped_leak" and (method, path) == ("GET", "/api/v3.0/building"):
            from tests.runner.conforming import KEY, SCOPED_KEY

            if environ.get("HTTP_X_API_KEY") == SCOPED_KEY:
                environ["HTTP_X_API_KEY"] = KEY  # answered as if the key reached the whole account
        if self.breakage == "lookup_partial" and method == "GET" and path.startswith(LOOKUP):
            found = self.starting_with(environ, path[len(LOOKUP) :].encode("latin-1").decode("utf-8"))
            if found is not None:
                body = json.dumps(found).encode()
                start_response(
                    "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
                )  # type: ignore[operator]
                return [body]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        sent = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(sent)
        captured: dict[str, object] = {}

        def capture(status: str, headers: list, exc_info: object = None) -> None:
            captured["status"], captured["headers"] = status, headers

        content = b"".join(self.app(environ, capture))  # type: ignore[operator]
        status = str(captured["status"])
        try:
            answer = json.loads(content) if content else None
            request = json.loads(sent) if sent else None
        except ValueError:
            answer = request = None
        if status.startswith("2"):
            answer = self.plant(method, path.rstrip("/"), request, answer)
            if answer is not None:
                content = json.dumps(answer).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]  # type: ignore[union-attr]
        start_response(status, [*headers, ("Content-Length", str(len(content)))])  # type: ignore[operator]
        return [content]

    def starting_with(self, environ: dict, wanted: str) -> dict | None:
        """The first folder whose externalId starts with ``wanted`` (read from the mock with the same key)."""
        import io

        listing = {**environ, "PATH_INFO": "/api/v3.0/folder", "QUERY_STRING": "", "wsgi.input": io.BytesIO()}
        listing.pop("REQUEST_URI", None)
        listing.pop("RAW_URI", None)
        content = b"".join(self.app(listing, lambda status, headers, exc_info=None: None))  # type: ignore[operator]
        try:
            folders = json.loads(content)
        except ValueError:
            return None
        if not isinstance(folders, list):
            return None
        return next(
            (f for f in folders if isinstance(f, dict) and str(f.get("externalId") or "").startswith(wanted)),
            None,
        )

    def plant(self, method: str, path: str, request: object, answer: object) -> object:
        parts = path.split("/")
        if method == "POST" and path == "/api/v3.0/building" and isinstance(answer, dict):
            self.folder_of[str(answer.get("id"))] = str((request or {}).get("folderId"))  # type: ignore[union-attr]
            self.entries[str(answer.get("id"))] = answer
        if method == "DELETE" and len(parts) == 5 and parts[3] == "folder":
            self.deleted_folders.add(parts[4])
        if method != "GET":
            return answer
        touched = len(parts) == 5 and parts[3] == "folder" and parts[4] in self.folder_of.values()
        if self.breakage == "parent_touched" and touched and isinstance(answer, dict):
            return {**answer, "name": f"{answer.get('name')} (renamed)"}
        if self.breakage == "list_truncated" and path == "/api/v3.0/folder" and isinstance(answer, list):
            return answer[:TRUNCATED_AT]
        if self.breakage == "list_twice" and path == "/api/v3.0/folder" and isinstance(answer, list):
            return [entry for entry in answer for _ in (0, 1)]
        if self.breakage == "orphans_listed" and path == "/api/v3.0/building" and isinstance(answer, list):
            listed = {str(entry.get("id")) for entry in answer if isinstance(entry, dict)}
            orphans = [
                entry
                for building, entry in self.entries.items()
                if self.folder_of.get(building) in self.deleted_folders and building not in listed
            ]
            return answer + orphans
        return answer
