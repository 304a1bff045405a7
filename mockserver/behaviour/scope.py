"""The scope rule, as the platform applies it: which entities a token reaches, and may it act on them.

An entity outside the token's scope is 403, and so is a body that points at one (``check_scope``).
The answer is 403 rather than 404 on purpose: the platform grants tokens per resource, a scoped
token's holder knows the other resources exist (they are in the same account), and a 403 tells an
integrator to use another token instead of chasing a missing entity. It lives in the behaviour
step because only there the entity chain of a request is known (``auth/`` only checks the key).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mockserver.behaviour.call import Refusal, Scoped
from mockserver.state.resources import ACCOUNT
from mockserver.state.store import Ref

MAX_DEPTH = 64
ParentOf = Callable[[str, str], Ref | None]


def at_or_below(ref: Ref | None, ancestor: Ref, parent_of: ParentOf) -> bool:
    """Whether ``ref`` is ``ancestor`` or hangs below it, walking up the stored parent links."""
    current, hops = ref, 0
    while current is not None and hops < MAX_DEPTH:
        if current == ancestor:
            return True
        current = parent_of(current[0], current[1])
        hops += 1
    return False


def reaches(token: Scoped, ref: Ref | None, parent_of: ParentOf) -> bool:
    """Whether ``ref`` is the token's scope entity or hangs below it (account tokens reach all)."""
    if token.scope == "account":
        return True
    return at_or_below(ref, (token.scope_kind, token.scope_id or ""), parent_of)


def in_scope(token: Scoped, chain: Sequence[Ref], parent_of: ParentOf) -> bool:
    """Whether the token reaches every entity of ``chain`` (an empty chain: only an account token)."""
    if token.scope == "account":
        return True
    return bool(chain) and all(reaches(token, ref, parent_of) for ref in chain)


def check_scope(
    token: Scoped | None,
    target: Ref | None,
    parent_of: ParentOf,
    references: Sequence[Ref] = (),
    *,
    moving: Ref | None = None,
) -> None:
    """The scope rule for one operation; Refusal(403) when it is broken.

    ``target`` is the entity the operation acts on (for a create: the parent of the new entity, None
    at the top level); ``references`` are the entities the body points at (``folderId``,
    ``databaseId``, a ``parentId`` naming the account root as ``("account", id)``). A scoped token
    needs to reach the target **and** every reference, so it can neither act on an entity outside
    its scope by naming an entity inside it, nor move or create anything under a parent outside
    it. The one exception: for an update of ``moving``, a reference to where it already sits
    moves nothing and is allowed (a building-scoped token may send its building's own folderId).
    """
    if token is None or token.scope == "account":
        return
    current: Ref | None = parent_of(*moving) if moving is not None else None
    for ref in (target, *references):
        if moving is not None and ref is not target and _same_place(ref, current):
            continue
        if ref is None or not reaches(token, ref, parent_of):
            raise Refusal(403, f"the API key '{token.name}' is limited to {token.scope}")


def _same_place(ref: Ref | None, current: Ref | None) -> bool:
    """A reference naming the parent an entity already has (the account root stands for no parent)."""
    return ref == current or (ref is not None and ref[0] == ACCOUNT and current is None)
