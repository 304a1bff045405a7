"""A target that breaks the v3.0 contract in known ways, plus an echo and an upload sink.

Each broken route breaks exactly one thing, so a test can check the proxy names each of them.
``/echo/...`` answers what it received (headers, body digest); the upload route counts and
hashes the body in chunks (it never holds it whole) and echoes the key so redaction is tested.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

BUILDING = "11111111-1111-4111-8111-111111111111"
FILE = "22222222-2222-4222-8222-222222222222"
UPLOAD = f"/api/v3.0/building/{BUILDING}/files/{FILE}/upload/model.ifc"
BINARY = bytes(range(256)) * 64

# path -> (status, content type, body, the violation the proxy must report: (location, words))
BROKEN: dict[str, tuple[int, str, bytes, tuple[str, str]]] = {
    "/api/v3.0/building": (418, "application/json", b"[]", ("status", "status 418 is not declared")),
    "/api/v3.0/folder": (200, "text/plain", b"folders", ("header.content-type", "text/plain instead of")),
    "/api/v3.0/system/classificationmethods": (200, "application/json", b"{oops", ("body", "malformed JSON")),
    f"/api/v3.0/building/{BUILDING}": (
        200,
        "application/json",
        b"[1, 2]",
        ("body", 'is not of type "object"'),
    ),
    "/api/v3.0/account": (200, "application/json", b"", ("body", "empty body")),
    f"/api/v3.0/building/{BUILDING}/files": (  # deeper than any validator takes
        200,
        "application/json",
        b"[" * 300 + b"]" * 300,
        ("body", "nests deeper than 128 levels (the limit)"),
    ),
}


def broken_target(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/")
    if path in BROKEN:
        status, media, body, _ = BROKEN[path]
        start_response(f"{status} Whatever", [("Content-Type", media), ("Content-Length", str(len(body)))])
        return [body]
    if path == UPLOAD:
        return _sink(environ, start_response)
    if path.startswith("/echo/"):
        return _echo(environ, start_response)
    if path == "/api/v3.0/folder/external/short":  # promises 100 bytes, sends 10, hangs up
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "100")])
        return [b'{"id": "1"']
    if path == "/big":  # ?mib=N MiB, generated piece by piece
        size = int(environ.get("QUERY_STRING", "mib=1").partition("=")[2]) * 1024 * 1024
        start_response(
            "200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(size))]
        )
        return (BINARY * 16 for _ in range(size // (len(BINARY) * 16)))
    if path == "/chunked":  # no Content-Length: waitress sends it chunked
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return (BINARY[i : i + 1000] for i in range(0, len(BINARY), 1000))
    if path == "/binary":
        body = gzip.compress(BINARY, mtime=0)
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/octet-stream"),
                ("Content-Encoding", "gzip"),
                ("X-Twice", "a"),
                ("X-Twice", "b"),
            ],
        )
        return [body]
    start_response("404 Not Found", [("Content-Type", "application/json")])
    return [b'{"status": 404}']


def _sink(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    digest, size = hashlib.sha256(), 0
    stream = environ["wsgi.input"]
    while chunk := stream.read(64 * 1024):
        digest.update(chunk)
        size += len(chunk)
    body = json.dumps(
        {"bytes": size, "sha256": digest.hexdigest(), "key": environ.get("HTTP_X_API_KEY")}
    ).encode()
    start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _echo(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    body = json.dumps(
        {
            "method": environ["REQUEST_METHOD"],
            "uri": environ.get("REQUEST_URI"),
            "headers": headers,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "bytes": len(raw),
        }
    ).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Set-Cookie", "session=cookie-secret-1; Path=/")]
    )
    return [body]
