"""The request target (path and query) of a WSGI request exactly as its client sent it.

The runner's forwarder and the recording proxy both pass requests on byte for byte; a WSGI
``PATH_INFO`` is already percent-decoded, so a ``%3F`` inside an id would turn into a real
``?`` if it were sent from there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

SEGMENT_SAFE = "!$&'()*+,;=:@-._~"
"""Characters a path segment may carry unencoded (RFC 3986 pchar); ``/``, ``?``, ``#`` and ``%`` are not among them."""


def wire_target(environ: dict[str, Any]) -> str:
    """The request target (path and query) exactly as the client meant it.

    ``PATH_INFO`` is already percent-decoded (a generated id holding ``%3F`` reads ``?`` there),
    so the raw request URI is used when the server gives one; otherwise each decoded segment is
    encoded again from its bytes (WSGI strings carry bytes as latin-1), so ``?``, ``#`` and ``%``
    stay data and non-ASCII is encoded once.
    """
    query = environ.get("QUERY_STRING") or ""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw and raw.startswith("/"):
        # werkzeug's test client (schemathesis's WSGI transport) leaves the query out of the
        # raw URI when it is passed apart from the path; it is then only in QUERY_STRING.
        return raw if "?" in raw or not query else f"{raw}?{query}"
    target = encode_path(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
    return f"{target}?{query}" if query else target


def encode_path(decoded: str) -> str:
    """Percent-encode a WSGI-decoded path segment by segment (``/`` stays the separator)."""
    return "/".join(quote(segment.encode("latin-1"), safe=SEGMENT_SAFE) for segment in decoded.split("/"))
