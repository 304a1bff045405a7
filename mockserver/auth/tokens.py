"""API tokens the mock accepts: the YAML tokens file (a public interface) and the built-in dev tokens.

Format::

    tokens:
      - {key: dev-read, name: reader, permission: read, scope: account}
      - {key: dev-write, name: writer, permission: write, scope: account, expires: "2030-01-01T00:00:00Z"}
      - {key: dev-one-building, name: one building, permission: write, scope: "building:<uuid>"}

``permission`` is read | write | admin; ``scope`` is ``account`` or ``folder:<id>``, ``building:<id>``,
``database:<id>`` (the token reaches that entity and what hangs below it); ``expires`` is optional.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contracts.errors import ContractsError

PERMISSIONS = ("read", "write", "admin")
SCOPE_KINDS = ("folder", "building", "database")


class TokensFileError(ContractsError):
    """A tokens file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Token:
    key: str
    name: str
    permission: str = "read"
    scope: str = "account"
    expires: datetime | None = None

    @property
    def scope_kind(self) -> str:
        """``account``, ``folder``, ``building`` or ``database``."""
        return self.scope.split(":", 1)[0]

    @property
    def scope_id(self) -> str | None:
        return self.scope.split(":", 1)[1] if ":" in self.scope else None

    def can_write(self) -> bool:
        return self.permission in ("write", "admin")

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires is not None and (now or datetime.now(UTC)) >= self.expires

    def masked(self) -> str:
        """The key as it may be shown or logged: never in clear."""
        return (self.key[:3] + "…" + "*" * 4) if len(self.key) > 6 else "****"


DEFAULT_TOKENS: tuple[Token, ...] = (
    Token(key="dev-read", name="dev reader", permission="read", scope="account"),
    Token(key="dev-write", name="dev writer", permission="write", scope="account"),
)


def find_token(tokens: tuple[Token, ...] | list[Token], key: str | None) -> Token | None:
    """The token with this key, compared in constant time over every token."""
    if not key:
        return None
    found = None
    encoded = key.encode("utf-8", "surrogateescape")
    for token in tokens:
        if hmac.compare_digest(token.key.encode("utf-8"), encoded):
            found = token
    return found


def _parse_expires(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise TokensFileError(f"{where}: expires {value!r} is not an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_tokens(data: Any, source: str) -> tuple[Token, ...]:
    """Validate the parsed YAML of a tokens file into tokens; errors name the entry."""
    if not isinstance(data, dict) or not isinstance(data.get("tokens"), list):
        raise TokensFileError(f"{source}: expected a mapping with a 'tokens' list")
    tokens: list[Token] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["tokens"]):
        where = f"{source}: tokens[{index}]"
        if not isinstance(entry, dict):
            raise TokensFileError(f"{where}: expected a mapping with key, name, permission, scope")
        unknown = set(entry) - {"key", "name", "permission", "scope", "expires"}
        if unknown:
            raise TokensFileError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        key = entry.get("key")
        if not isinstance(key, str) or not key.strip():
            raise TokensFileError(f"{where}: 'key' must be a non-empty string")
        if key != key.strip():
            raise TokensFileError(
                f"{where}: 'key' has leading or trailing whitespace, which no X-API-Key header can carry"
            )
        if key in seen:
            raise TokensFileError(f"{where}: duplicate key")
        seen.add(key)
        permission = entry.get("permission", "read")
        if permission not in PERMISSIONS:
            raise TokensFileError(
                f"{where}: permission {permission!r} is not one of {', '.join(PERMISSIONS)}"
            )
        scope = str(entry.get("scope", "account"))
        kind, _, scope_id = scope.partition(":")
        if scope != "account" and (kind not in SCOPE_KINDS or not scope_id):
            raise TokensFileError(
                f"{where}: scope {scope!r} must be 'account' or one of "
                + ", ".join(f"'{k}:<id>'" for k in SCOPE_KINDS)
            )
        tokens.append(
            Token(
                key=key,
                name=str(entry.get("name") or f"token {index + 1}"),
                permission=permission,
                scope=scope,
                expires=_parse_expires(entry.get("expires"), where),
            )
        )
    if not tokens:
        raise TokensFileError(f"{source}: the 'tokens' list is empty")
    return tuple(tokens)


def load_tokens_file(path: str | Path) -> tuple[Token, ...]:
    from contracts.datafile import read_document

    data = read_document(path, "tokens file", TokensFileError)
    return parse_tokens(data, str(path))
