"""Keys pass through to the target but never reach a terminal, a log or a recording.

Secret headers are replaced by a placeholder, and their values (and the token part of an
``Authorization`` header, and cookie values) are scrubbed from any text written elsewhere,
so a key a server echoes in a body is not recorded either.
"""

from __future__ import annotations

from collections.abc import Iterable

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"})
SECRET_QUERY = frozenset({"api_key", "apikey", "api-key", "key", "token", "access_token"})
MIN_SECRET = 4  # shorter values are too likely to appear by chance to be scrubbed from text


def is_secret_header(name: str) -> bool:
    return name.lower() in SECRET_HEADERS


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, REDACTED if is_secret_header(name) else value) for name, value in headers]


def secrets_in(headers: Iterable[tuple[str, str]], query: Iterable[tuple[str, str]] = ()) -> frozenset[str]:
    """The values to scrub from text: keys, bearer tokens, cookie values, key-like query values."""
    found: set[str] = set()
    for name, value in headers:
        lowered = name.lower()
        if lowered not in SECRET_HEADERS:
            continue
        found.add(value.strip())
        if lowered in ("authorization", "proxy-authorization"):
            found.add(value.strip().partition(" ")[2].strip())
        if lowered in ("cookie", "set-cookie"):
            pairs = value.split(";") if lowered == "cookie" else value.split(";", 1)[:1]
            found.update(pair.partition("=")[2].strip() for pair in pairs)
    found.update(value for name, value in query if name.lower() in SECRET_QUERY)
    return frozenset(s for s in found if len(s) >= MIN_SECRET)


def scrub(text: str, secrets: frozenset[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact_query(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, REDACTED if name.lower() in SECRET_QUERY else value) for name, value in pairs]
