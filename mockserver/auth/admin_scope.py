"""What an admin token with a scope may see and do under ``/__mock/``: its scope, nothing more.

An admin token's ``scope`` bounds it as it bounds any token: a ``folder:F`` admin sees the
entities at or below F in ``/__mock/state``, the jobs on them, the requests made with tokens
whose scope lies inside F, and only those tokens in ``/__mock/tokens``; it may lend
(``/__mock/as/<n>/...``) only such tokens, and may not reset the whole mock. An account-wide
admin, or no admin token at all (the dev default, guarded by Host and Origin only), sees all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import flask

from mockserver.auth.tokens import Token
from mockserver.behaviour.scope import at_or_below
from mockserver.state.store import Ref

ParentOf = Callable[[str, str], Ref | None]
ADMIN_TOKEN = "mockserver_admin_token"  # where the admin guard leaves the caller's admin token (flask.g)


def current_admin() -> Token | None:
    """The admin token of this admin call, or None when it is unbounded (account-wide, or no admin keys)."""
    token = getattr(flask.g, ADMIN_TOKEN, None)
    return token if token is not None and token.scope != "account" else None


def scope_ref(scope: str) -> Ref | None:
    kind, _, entity_id = scope.partition(":")
    return (kind, entity_id) if entity_id else None


def sees(admin: Token | None, ref: Ref | None, parent_of: ParentOf) -> bool:
    """Whether the admin's scope holds the entity ``ref``."""
    if admin is None:
        return True
    bound = scope_ref(admin.scope)
    return ref is not None and bound is not None and at_or_below(ref, bound, parent_of)


def scope_inside(admin: Token | None, scope: str | None, parent_of: ParentOf) -> bool:
    """Whether a token of ``scope`` reaches nothing the admin does not (an account scope: only for
    an unbounded admin)."""
    if admin is None:
        return True
    return scope is not None and sees(admin, scope_ref(scope), parent_of)


def may_lend(admin: Token | None, token: Token, parent_of: ParentOf) -> bool:
    return scope_inside(admin, token.scope, parent_of)


def lendable(admin: Token | None, tokens: Sequence[Token], parent_of: ParentOf) -> list[int]:
    """The numbers (as in ``/__mock/tokens``) of the tokens this admin may see and lend."""
    return [index for index, token in enumerate(tokens) if may_lend(admin, token, parent_of)]


def bounded_state(view: dict[str, Any], admin: Token | None, parent_of: ParentOf) -> dict[str, Any]:
    """``/__mock/state`` cut to the admin's scope: entities, parent and child links inside it."""
    if admin is None:
        return view
    for version in view["versions"].values():
        for collection in version["collections"]:
            kept = []
            for entity in collection["entities"]:
                if not sees(admin, (collection["name"], entity["id"]), parent_of):
                    continue
                entity["children"] = [c for c in entity["children"] if _sees_link(admin, c, parent_of)]
                if entity["parent"] is not None and not _sees_link(admin, entity["parent"], parent_of):
                    entity["parent"] = None
                kept.append(entity)
            collection["entities"] = kept
    return view


def _sees_link(admin: Token, link: dict[str, str], parent_of: ParentOf) -> bool:
    return sees(admin, (link["collection"], link["id"]), parent_of)


def sees_job(admin: Token | None, job: dict[str, Any], parent_of: ParentOf) -> bool:
    entity = job.get("entity") or {}
    return sees(admin, (str(entity.get("collection")), str(entity.get("id"))), parent_of)
