"""Token checks, as the platform does them.

Order: a missing, unknown or expired key is 401; a read token on a non-GET operation is 403; an
entity outside the token's scope is 403. The scope answer is 403 rather than 404 on purpose: the
platform grants tokens per resource, a scoped token's holder knows the other resources exist
(they are in the same account), and a 403 tells an integrator to use another token instead of
chasing a missing entity. Keys are compared in constant time (``find_token``) and only ever
shown masked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mockserver.state import Ref
from mockserver.tokens import Token, find_token

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


def in_scope(token: Token, chain: list[Ref], parent_of: Callable[[str, str], Ref | None]) -> bool:
    """Whether the entities a request addresses sit at or below the token's scope entity.

    ``chain`` holds the entities named by the request (path ids, referenced parents); the walk
    goes up the stored parent links from the deepest one.
    """
    if token.scope == "account":
        return True
    target = (token.scope_kind, token.scope_id)
    for ref in chain:
        current: Ref | None = ref
        hops = 0
        while current is not None and hops < 64:
            if current[0] == target[0] and current[1] == target[1]:
                return True
            current = parent_of(current[0], current[1])
            hops += 1
    return False
