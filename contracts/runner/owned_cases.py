"""Point every write case of a run at the run's own entities, just before it is sent.

schemathesis fills path parameters from examples, lists and random data, in every phase. A
``before_call`` hook (the one place every case of every phase passes) swaps, in a write case,
each id that names an entity the run did not create for one the run did (``placement``):
path parameters and the body's parent fields (``folderId``, ...), and the body's ``id`` of an
update on a collection (``PUT /database``). A case generated to be invalid in its path is left
alone, and in a body generated invalid only a well-formed id is swapped (what makes it invalid
stays): ``gate`` refuses to send what still names another's entity, and it counts as not exercised.

The hook changes the case itself, so what schemathesis checks and reports is what was sent.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

import schemathesis
from schemathesis.core.parameters import ParameterLocation

from contracts.platform.ownership import ownership_rules
from contracts.runner.chains import Step
from contracts.runner.gate import not_sent_reason, prefix_names
from contracts.runner.ledger import segment
from contracts.runner.placement import Placement

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_active: Placement | None = None


def activate(placement: Placement | None) -> None:
    """Adapt the cases of this placement's run (None: leave every case as generated)."""
    global _active
    _active = placement


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if _active is not None and case.operation.method.upper() in WRITE_METHODS:
        own_case(_active, case)


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """A refused write was never sent: nothing in its stand-in answer is the target's failure."""
    return not_sent_reason(response) is None


def own_case(placement: Placement, case: Any) -> None:
    """Swap the ids of ``case`` that name entities the run did not create for the run's own."""
    meta = case.meta
    if case.path_parameters and not (meta is not None and meta.is_negative_at(ParameterLocation.PATH)):
        own_path(placement, case)
    if isinstance(case.body, dict | list):
        negative = meta is not None and meta.is_negative_at(ParameterLocation.BODY)
        own_body(placement, case, ids_only=negative)
        prefix = placement.gate.name_prefix
        if prefix and isinstance(case.body, dict) and not negative:
            prefix_names(case.body, prefix)


def own_path(placement: Placement, case: Any) -> None:
    """Each entity of the path, left to right: kept if the run's own under what precedes it."""
    rules = ownership_rules()
    ledger = placement.gate.ledger
    template = case.operation.path
    parts = template.split("/")
    fixed: list[str] = []
    for part in parts:
        if not (part.startswith("{") and part.endswith("}")):
            fixed.append(part)
            continue
        name = part[1:-1]
        value = case.path_parameters.get(name)
        if name in rules.path_keys:
            fixed.append(segment(str(value)) if value is not None else part)
            continue
        entity = "/".join([*fixed, "{" + name + "}"])
        current = unquote(str(value)) if value is not None else None  # schemathesis quotes its values
        if current is None or not ledger.owns(current) or not _fits(placement, entity, current):
            current = placement.own_or_create(entity)
            if current is None:
                return  # nothing of the run to act on: the gate will refuse the case
            # quoted as schemathesis quotes what it generates: an id the run chose may hold "?" or "/"
            case.path_parameters[name] = segment(current)
        fixed.append(segment(current))


def own_body(placement: Placement, case: Any, *, ids_only: bool = False) -> None:
    """The body's parents (and the entity a collection update names) made the run's own.

    ``ids_only`` (a body generated invalid): only a well-formed id is swapped for another, so
    what makes the body invalid (a field missing, of another type, an id out of format) stays
    as generated and the case's verdict holds; reference lists are left alone.
    """
    rules = ownership_rules()
    ledger = placement.gate.ledger
    items = case.body if isinstance(case.body, list) else [case.body]
    method = case.operation.method.upper()
    step = placement.step_for(case.operation.path)
    for item in items:
        if not isinstance(item, dict):
            continue
        if step is not None and not ids_only:
            known_references(placement, step, item)
        for name, parent in rules.parent_fields.items():
            value = item.get(name)
            if value in (None, "") or ledger.owns(value) or placement.gate.is_account(value):
                continue
            if ids_only and not well_formed_id(value):
                continue
            choice = placement.account() if name == "parentId" else None
            choice = choice or placement.own_or_create(placement.prefix + parent)
            if choice is not None:
                item[name] = choice
        own = item.get(rules.self_field)
        collection_update = method in ("PUT", "PATCH") and "{" not in case.operation.path
        if collection_update and own not in (None, "") and not ledger.owns(own):
            if ids_only and not well_formed_id(own):
                continue
            choice = placement.own_or_create(case.operation.path.rstrip("/") + "/{}")
            if choice is not None:
                item[rules.self_field] = choice


def well_formed_id(value: Any) -> bool:
    """A platform id in its canonical form (a lowercase or uppercase hyphenated UUID)."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def known_references(placement: Placement, step: Step, item: dict[str, Any]) -> None:
    """Reference ids the platform keeps lists of (a folder type, a classification method) from those lists.

    A generated id names nothing the platform has, and the create is refused (404): the chain's
    links (``chains.Step.links``) say which list each field is taken from. An id the list
    holds is kept; ``none`` links (preferred databases) are sent empty. Parents are
    ``own_body``'s.
    """
    for name, source in step.links.items():
        if name not in item or not source.startswith("lookup:") and source != "none":
            continue
        if source == "none":
            item[name] = []
            continue
        if source == "lookup:" + ownership_rules().account_path:
            continue  # the account's top: a parent field
        ids = placement.reference_ids(source[len("lookup:") :])
        if ids and str(item[name]) not in ids:
            item[name] = ids[0] if isinstance(item[name], str) or item[name] is None else item[name]


def _fits(placement: Placement, entity: str, value: str) -> bool:
    """Whether the run's entity ``value`` lies where ``entity`` (ids before it fixed) says."""
    owned = placement.gate.ledger.owned.get(value)
    if owned is None or owned.path is None:
        return True  # created by an action with no readable path: the id alone is the run's
    from contracts.runner.ledger import compile_template

    return compile_template(entity).regex.match(owned.path) is not None
