"""Keys pass through to the target but never reach a terminal, a log or a recording.

Secret headers are replaced by a placeholder, and so is the value of every header or query
parameter whose *name* looks like a credential (``x-api-key``, ``subscription-key``,
``api-token``, ``auth``, ...). Their values (the token part of ``Authorization``, the password of
a ``Basic`` one, cookie values) are scrubbed from any text written elsewhere, in every encoding
a value takes on its way through HTTP: as is, percent-encoded (either hex case, ``+`` for a
space), JSON-escaped (``\\/``, ``\\u002b``), so a key a server echoes in a body, or a client puts
in a path, is not recorded either.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_plus

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"})
SECRET_QUERY = frozenset({"api_key", "apikey", "api-key", "key", "token", "access_token"})
# a name whose words (split at -, _, . and camelCase) include one of these carries a credential
CREDENTIAL_WORDS = frozenset(
    {
        "key",
        "apikey",
        "token",
        "auth",
        "authorization",
        "secret",
        "password",
        "passwd",
        "pwd",
        "credential",
        "credentials",
        "signature",
        "sig",
        "jwt",
        "bearer",
        "session",
        "sessionid",
    }
)
# ... and so does one run together, ending in one of these (``subscriptionkey``, ``accesstoken``)
CREDENTIAL_ENDINGS = ("key", "token", "secret", "password", "passwd", "signature", "credentials")
MIN_SECRET = 4  # shorter values are too likely to appear by chance to be scrubbed from text
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
# characters JSON writers commonly escape besides the mandatory ones
_JSON_ESCAPES = {"/": "\\/", '"': '\\"', "\\": "\\\\"}


def looks_like_credential(name: str) -> bool:
    """Whether a header or query parameter of this name carries a key (``X-API-Key``, ``auth``...)."""
    lowered = name.lower()
    if lowered in SECRET_HEADERS or lowered in SECRET_QUERY:
        return True
    words = {word.lower() for word in _WORDS.findall(name)}
    if words & CREDENTIAL_WORDS:
        return True
    joined = re.sub(r"[^a-z0-9]", "", lowered)
    return joined.endswith(CREDENTIAL_ENDINGS)


def is_secret_header(name: str) -> bool:
    return looks_like_credential(name)


def redact_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, REDACTED if is_secret_header(name) else value) for name, value in headers]


def secrets_in(headers: Iterable[tuple[str, str]], query: Iterable[tuple[str, str]] = ()) -> frozenset[str]:
    """The values to scrub from text: keys, bearer tokens, Basic passwords, cookie values, key-like query values."""
    found: set[str] = set()
    for name, value in headers:
        lowered = name.lower()
        if not is_secret_header(name):
            continue
        found.add(value.strip())
        if lowered in ("authorization", "proxy-authorization"):
            scheme, _, token = value.strip().partition(" ")
            found.add(token.strip())
            if scheme.lower() == "basic":
                found.update(_basic_parts(token.strip()))
        if lowered in ("cookie", "set-cookie"):
            pairs = value.split(";") if lowered == "cookie" else value.split(";", 1)[:1]
            found.update(pair.partition("=")[2].strip() for pair in pairs)
    found.update(value for name, value in query if looks_like_credential(name))
    return frozenset(s for s in found if len(s) >= MIN_SECRET)


def _basic_parts(token: str) -> list[str]:
    """``user:password`` and the password of a Basic credential (the key, for API gateways)."""
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return []
    return [decoded, decoded.partition(":")[2]]


def scrub(text: str, secrets: frozenset[str]) -> str:
    """``text`` with every secret, in any of its encodings, replaced by the placeholder."""
    if not secrets or not text:
        return text
    if "%" not in text and "\\" not in text and not any(run in text for run in _anchors(secrets)):
        return text  # fast path: no secret can be here, not even encoded (bodies run to 16 MiB)
    return _pattern(secrets).sub(REDACTED, text)


def scrub_data(value: Any, secrets: frozenset[str]) -> Any:
    """A JSON-like value with every string in it (keys too) scrubbed."""
    if not secrets:
        return value
    if isinstance(value, str):
        return scrub(value, secrets)
    if isinstance(value, list):
        return [scrub_data(item, secrets) for item in value]
    if isinstance(value, dict):
        return {scrub(k, secrets): scrub_data(v, secrets) for k, v in value.items()}
    return value


@lru_cache(maxsize=64)
def _anchors(secrets: frozenset[str]) -> tuple[str, ...]:
    """The longest run of each secret that no encoding changes (RFC 3986 unreserved characters)."""
    return tuple(max(_UNRESERVED.findall(secret), key=len, default="") for secret in secrets)


@lru_cache(maxsize=64)
def _pattern(secrets: frozenset[str]) -> re.Pattern[str]:
    """One regular expression for all secrets: each character as itself or any of its encodings.

    Longest first, so a secret containing another is replaced whole.
    """
    return re.compile("|".join(_secret_regex(s) for s in sorted(secrets, key=len, reverse=True)))


def _secret_regex(secret: str) -> str:
    return "".join(_char_regex(char) for char in secret)


def _char_regex(char: str) -> str:
    forms = [re.escape(char)]
    forms.append("".join(f"%(?i:{byte:02x})" for byte in char.encode("utf-8")))
    if ord(char) <= 0xFFFF:
        forms.append(f"\\\\u(?i:{ord(char):04x})")
    if char in _JSON_ESCAPES:
        forms.append(re.escape(_JSON_ESCAPES[char]))
    if char == " ":
        forms.append(r"\+")
    return "(?:" + "|".join(forms) + ")"


def redact_query(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, REDACTED if looks_like_credential(name) else value) for name, value in pairs]


def redact_raw_query(query: str) -> str:
    """The query string as sent, the value of each credential-looking parameter replaced."""
    if not query:
        return query
    parts = []
    for part in query.split("&"):
        name, eq, _ = part.partition("=")
        parts.append(f"{name}={REDACTED}" if eq and looks_like_credential(unquote_plus(name)) else part)
    return "&".join(parts)
