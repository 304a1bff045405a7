"""Run every check over two normalised specs and merge what several media types saw into one finding."""

from __future__ import annotations

from contracts.deep import call_deep
from contracts.diff.checks import CHECK_MODULES
from contracts.diff.checks.base import CheckContext
from contracts.diff.fingerprint import assign_fingerprints
from contracts.diff.model import Change, DiffReport
from contracts.diff.spec_model import SpecModel, normalise
from contracts.errors import SpecError

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)
if TYPE_CHECKING:
    from typing import Any


def diff_specs(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    across: bool = False,
    old_label: str = "old",
    new_label: str = "new",
) -> DiffReport:
    """Every change from ``old`` to ``new`` (parsed OpenAPI documents), classified by rule.

    ``across`` matches operations whatever their ``/api/vX.Y`` prefix (v3.0 against v4.0).
    """
    old_model = _normalise(old, old_label, across)
    new_model = _normalise(new, new_label, across)
    changes = call_deep(lambda: diff_models(old_model, new_model), f"{old_label} / {new_label}", "compare")
    return DiffReport(changes, old=old_label, new=new_label, across=across)


def _normalise(doc: dict[str, Any], label: str, across: bool) -> SpecModel:
    """The model of one document; a structure OpenAPI does not allow is one SpecError, not a traceback."""
    if not isinstance(doc, dict):
        raise SpecError(label, f"expected a mapping at the top level, got {type(doc).__name__}")
    try:
        return call_deep(lambda: normalise(doc, label, across=across), label, "compare")
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        raise SpecError(label, f"malformed OpenAPI structure ({type(exc).__name__}: {exc})") from None


def diff_models(old: SpecModel, new: SpecModel) -> list[Change]:
    assign_fingerprints([*old.schemas, *new.schemas])  # jointly, so they compare across the two
    ctx = CheckContext()
    ctx.spec_security = ((old.security, old.security_names), (new.security, new.security_names))
    raw: list[Change] = []
    for module in CHECK_MODULES:
        check_spec = getattr(module, "check_spec", None)
        if check_spec is not None:
            raw.extend(check_spec(old, new, ctx))
    for key, new_op in new.operations.items():
        old_op = old.operations.get(key)
        if old_op is None:
            continue
        for module in CHECK_MODULES:
            check_operation = getattr(module, "check_operation", None)
            if check_operation is not None:
                raw.extend(check_operation(old_op, new_op, ctx))
    return _ordered(merge_media_types(raw), old, new)


def merge_media_types(changes: list[Change]) -> list[Change]:
    """One finding per real change: the same change under several media types lists them all."""
    merged: dict[tuple[str, str, str, str], Change] = {}
    for change in changes:
        known = merged.get(change.key())
        if known is None:
            merged[change.key()] = change
        else:
            known.media_types.extend(m for m in change.media_types if m not in known.media_types)
    return list(merged.values())


def _ordered(changes: list[Change], old: SpecModel, new: SpecModel) -> list[Change]:
    """Whole-API findings first, then operations in spec order (new spec, then removed ones)."""
    order: dict[str, int] = {"": -1}
    for op in new.operations.values():
        order.setdefault(op.title, len(order))
    for op in old.operations.values():
        order.setdefault(op.title, len(order))
    indexed = list(enumerate(changes))
    indexed.sort(key=lambda pair: (order.get(pair[1].operation, len(order)), pair[0]))
    return [c for _, c in indexed]
