"""The key check, as the platform does it: which token a request carries, and may it write.

Order: a missing, unknown or expired key is 401; a read token on a non-GET operation is 403. Which
entities a token reaches (its scope) is decided where the entities are known, in the behaviour
step (``behaviour/scope.py``). Keys are compared in constant time (``find_token``) and only ever
shown masked.
"""

from __future__ import annotations

from collections.abc import Sequence

from mockserver.auth.tokens import Token, find_token

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AuthFailure(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def authenticate(tokens: Sequence[Token], key: str | None, method: str) -> Token:
    """The token for ``key``, or AuthFailure(401/403)."""
    if not key:
        raise AuthFailure(401, "missing X-API-Key header")
    token = find_token(tuple(tokens), key)
    if token is None:
        raise AuthFailure(401, "unknown API key")
    if token.is_expired():
        raise AuthFailure(401, f"the API key '{token.name}' has expired")
    if method not in READ_METHODS and not token.can_write():
        raise AuthFailure(403, f"the API key '{token.name}' has read permission only; this operation writes")
    return token
