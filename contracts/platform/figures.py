"""The figures the platform derives from a file's (or a building's) elements and their mappings.

Rules as data in ``data/computations.yaml``; formulas the platform does not publish are simple
ones, named in docs/mock.md ("What the mock computes"):

- file status: ``elementCount`` is the number of elements; ``elementProcessedCount`` is all of
  them in the statuses ``processed_in`` lists, else 0;
- validation: the percentage of elements for which a test holds, by number or by volume;
- circularity (MCI-like): with each mapped element's mass (volume x density, or a product's
  weight per its functional unit), the construction phase is the mass-weighted share of secondary
  feedstock (recycled + reused + sustainably produced renewables), the end-of-life phase the
  mass-weighted share recovered (available for recycling x its efficiency + available for reuse),
  the CI score their mean, and the Madaster CI score that mean less the two penalties (the share
  of elements without mass by number, of mass without circularity data by mass).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from contracts.platform.bill_of_materials import unit_weight
from contracts.platform.catalogue import read_data

Lookup = Callable[[str], "dict[str, Any] | None"]
"""A commodity by id (None when no database holds it)."""


@functools.cache
def _rules() -> dict[str, Any]:
    return read_data("computations.yaml")


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _commodity(element: dict[str, Any], lookup: Lookup) -> dict[str, Any] | None:
    mapping = element.get("mapping")
    key = mapping.get("id") if isinstance(mapping, dict) else None
    return lookup(str(key)) if key else None


def element_mass(element: dict[str, Any], commodity: dict[str, Any] | None) -> float:
    """The element's mass in kg from its commodity and quantities; 0 when it cannot be known."""
    if not commodity:
        return 0.0
    per_unit = unit_weight(commodity)
    if commodity.get("commodityType") == "Product":
        unit = commodity.get("functionalUnit")
        if unit in (None, "Quantity"):
            return per_unit  # one piece
        amount = {"Volume": "volume", "Area": "area", "Length": "length"}.get(str(unit))
        return _number(element.get(amount)) * per_unit if amount else 0.0
    return _number(element.get("volume")) * per_unit


# -- file status -----------------------------------------------------------------------------
def file_status(
    status: str | None, elements: Sequence[dict[str, Any]], message: str | None
) -> dict[str, Any]:
    """``elementCount``, ``elementProcessedCount`` and ``statusMessage`` of a file in ``status``."""
    rules = _rules().get("file_status") or {}
    count = len(elements)
    processed = count if status in (rules.get("processed_in") or ()) else 0
    template = (rules.get("messages") or {}).get(status)
    if template:
        mapped = sum(1 for e in elements if isinstance(e.get("mapping"), dict) and e["mapping"].get("id"))
        message = str(template).format(count=count, mapped=mapped)
    return {"elementCount": count, "elementProcessedCount": processed, "statusMessage": message}


# -- validation ------------------------------------------------------------------------------
def _tests(lookup: Lookup) -> dict[str, Callable[[dict[str, Any]], bool]]:
    def mapped(e: dict[str, Any]) -> bool:
        return _commodity(e, lookup) is not None

    def has(name: str) -> Callable[[dict[str, Any]], bool]:
        return lambda e: _number(e.get(name)) > 0

    return {
        "classified": lambda e: (
            isinstance(e.get("classificationMatch"), dict) and bool(e["classificationMatch"].get("id"))
        ),
        "has_volume": has("volume"),
        "has_area": has("area"),
        "has_length": has("length"),
        "has_base_quantity": lambda e: any(_number(e.get(n)) > 0 for n in ("volume", "area", "length")),
        "material_specified": lambda e: bool(e.get("materialName")) or mapped(e),
        "known_mass": lambda e: element_mass(e, _commodity(e, lookup)) > 0,
        "mapped": mapped,
    }


def validation(
    elements: Sequence[dict[str, Any]], lookup: Lookup, fields: Iterable[str] | None = None
) -> dict[str, float]:
    """The validation percentages (0-100, two decimals) of ``fields`` (default: every rule)."""
    rules = _rules().get("validation") or {}
    tests = _tests(lookup)
    total_volume = sum(_number(e.get("volume")) for e in elements)
    out: dict[str, float] = {}
    for field in fields if fields is not None else rules:
        rule = rules.get(field)
        if rule is None:
            continue
        test = tests[rule["test"]]
        if rule.get("by") == "volume":
            part = sum(_number(e.get("volume")) for e in elements if test(e))
            out[field] = _percent(part, total_volume)
        else:
            out[field] = _percent(sum(1 for e in elements if test(e)), len(elements))
    return out


def _percent(part: float, whole: float) -> float:
    return round(100 * part / whole, 2) if whole > 0 else 0.0


# -- circularity -----------------------------------------------------------------------------
def _share(values: dict[str, Any], *names: str) -> float:
    return min(sum(_number(values.get(n)) for n in names), 1.0)


def circularity(elements: Sequence[dict[str, Any]], lookup: Lookup) -> dict[str, float]:
    """The building's circularity figures (percentages, two decimals) from its elements."""
    masses = [(e, _commodity(e, lookup)) for e in elements]
    weighed = [(element_mass(e, c), c) for e, c in masses]
    total = sum(m for m, _ in weighed)
    known = [(m, c) for m, c in weighed if m > 0 and c is not None and isinstance(c.get("circularity"), dict)]
    known_mass = sum(m for m, _ in known)
    construction = sum(
        m
        * _share(
            c["circularity"].get("feedstock") or {}, "recycled", "reused", "renewablesSustainablyProduced"
        )
        for m, c in known
    )
    end_of_life = 0.0
    for m, c in known:
        output = c["circularity"].get("output") or {}
        efficiency = _number(output.get("recyclingEfficiency", 1))
        recovered = _number(output.get("availableForRecycle")) * efficiency
        end_of_life += m * min(recovered + _number(output.get("availableForReuse")), 1.0)
    phase_in = _percent(construction, known_mass)
    phase_out = _percent(end_of_life, known_mass)
    score = round((phase_in + phase_out) / 2, 2)
    without_mass = _percent(sum(1 for m, _ in weighed if m <= 0), len(elements))
    missing = _percent(total - known_mass, total)
    final = round(score * (1 - without_mass / 100) * (1 - missing / 100), 2)
    return {
        "circularityConstructionPhase": phase_in,
        "circularityUsagePhase": 0.0,  # obsolete in the spec: no longer computed
        "circularityEndOfLifePhase": phase_out,
        "ciScoreBuilding": score,
        "correctionUnknownMaterials": 0.0,  # obsolete in the spec: no longer computed
        "penaltyElementsWithoutMass": without_mass,
        "penaltyElementsMissingCircularityInformation": missing,
        "madasterCiScore": final,
    }
