"""What a write names: the platform knowledge behind the runner's ownership rule.

Kept as data (``data/ownership.yaml``) beside the lifecycles and leniencies, so the rule that
fences a write run reads the same facts the mock and the proxy do.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class OwnershipRules:
    path_keys: frozenset[str]
    """Path parameters that are keys inside an entity (a file name, an ISO code), not entities."""
    parent_fields: dict[str, str]
    """Body field that places an entity under a parent -> the parent's item path (``/folder/{}``)."""
    self_field: str
    """The body field that names the entity itself."""
    account_aliases: frozenset[str]
    """Values that stand for the account's top."""
    account_path: str
    """GET path (after ``/api/vX.Y``) whose answer's ``id`` is the account."""


@cache
def ownership_rules() -> OwnershipRules:
    text = resources.files("contracts.platform").joinpath("data/ownership.yaml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    return OwnershipRules(
        path_keys=frozenset(str(name) for name in data.get("path-keys") or ()),
        parent_fields={str(k): str(v) for k, v in (data.get("parent-fields") or {}).items()},
        self_field=str(data.get("self-field") or "id"),
        account_aliases=frozenset(str(value) for value in data.get("account-aliases") or ()),
        account_path=str(data.get("account-path") or "/account"),
    )
