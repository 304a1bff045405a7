"""A product's bill of materials: what a child weighs and its share, from what the client sent.

A child is added by weight (the quantity is kilograms), by quantity (in the child's own unit: m3
of a material, the functional unit of a product: #, m3, m2 or m) or by unit (pieces of the
child's default functional amount). The child keeps the quantity sent; its weight follows from
the child commodity (a material's density, a product's weight or density); ``weightPercentage``
is its share of the children's total weight, so the percentages of a bill sum to 100. A child
whose weight cannot be known (no density) weighs 0 and has no share. Build 7980's v3.0 product
children (``childId``, ``value``) keep the value sent and take the child's circular figures where
the relation inherits them (``child_circular``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from contracts.platform.catalogue import read_data

UNIT_OF = {"Quantity": "#", "Volume": "m3", "Area": "m2", "Length": "m"}


@functools.cache
def _types() -> dict[str, str]:
    rules = read_data("computations.yaml").get("bill_of_materials") or {}
    return {kind: str((rule or {}).get("quantityType")) for kind, rule in rules.items()}


def kinds() -> tuple[str, ...]:
    """The ways a child is added (``weight``, ``quantity``, ``unit``), as the operations name them."""
    return tuple(_types())


def quantity_type(kind: str, child: dict[str, Any] | None) -> str | None:
    """The unit the quantity of a child added by ``kind`` is in."""
    declared = _types().get(kind)
    if declared != "by-functional-unit":
        return declared
    if not child or child.get("commodityType") == "Material":
        return "m3"
    return UNIT_OF.get(str(child.get("functionalUnit")), "#")


def child_weight(kind: str, quantity: float, child: dict[str, Any] | None) -> float:
    """The weight (kg) of ``quantity`` of ``child`` added by ``kind``; 0 when it cannot be known."""
    if quantity <= 0:
        return 0.0
    if kind == "weight":
        return float(quantity)
    per_unit = unit_weight(child)
    if kind == "unit":  # pieces of the product's default amount (a 1.2 m2 panel); else of one unit
        piece = child or {}
        sized = piece.get("commodityType") == "Product" and piece.get("functionalUnit") not in (
            None,
            "Quantity",
        )
        amount = (_number(piece.get("defaultFunctionalUnitAmount")) or 1.0) if sized else 1.0
        return float(quantity) * amount * per_unit
    return float(quantity) * per_unit


def unit_weight(commodity: dict[str, Any] | None) -> float:
    """Kilograms per unit of the commodity: a material's density (per m3), a quantity product's
    weight (per piece), another product's density (per its functional unit), else 0."""
    if not commodity:
        return 0.0
    if commodity.get("commodityType") == "Product":
        if commodity.get("functionalUnit") in (None, "Quantity"):
            return _number(commodity.get("weight")) or _number(commodity.get("density")) or 0.0
        return _number(commodity.get("density")) or _number(commodity.get("weight")) or 0.0
    return _number(commodity.get("density")) or 0.0


def percentages(weights: Sequence[float]) -> list[float]:
    """Each weight's share of the total in percent (two decimals, largest remainder so that they
    sum to exactly 100); all 0 when nothing weighs anything."""
    total = sum(w for w in weights if w > 0)
    if total <= 0:
        return [0.0 for _ in weights]
    exact = [max(w, 0.0) * 10000 / total for w in weights]  # hundredths of a percent
    floors = [int(e) for e in exact]
    left = 10000 - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (exact[i] - floors[i], -i), reverse=True)
    for i in order[:left]:
        floors[i] += 1
    return [f / 100 for f in floors]


@functools.cache
def _inherited() -> dict[str, dict[str, tuple[str, ...]]]:
    rules = read_data("computations.yaml").get("product_child_circular") or {}
    return {flag: {k: tuple(v) for k, v in (fields or {}).items()} for flag, fields in rules.items()}


def child_circular(given: Any, child: dict[str, Any] | None) -> dict[str, Any]:
    """A build-7980 child relation's ``circular``: per ``inherit...`` flag (false when not sent),
    the child's own figures when set, else the figures sent (null when not sent)."""
    given = given if isinstance(given, dict) else {}
    own = (child or {}).get("circular")
    own = own if isinstance(own, dict) else {}
    out: dict[str, Any] = {}
    for flag, fields in _inherited().items():
        inherit = given.get(flag) is True
        out[flag] = inherit
        for name, sources in fields.items():
            if inherit:
                out[name] = next((own[s] for s in sources if isinstance(own.get(s), int | float)), None)
            else:
                out[name] = given.get(name)
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value > 0 else None
