"""Reads an uploaded IFC file into the building-file elements the platform lists for it.

IfcOpenShell (the field's standard IFC library) parses the file; ``ifc_relations`` indexes its
relations (type, material, storey, quantity sets) in one pass; what is imported and from which quantities is data
(``data/ifc_import.yaml``). IfcOpenShell is imported on the first import only, so a process that
never imports an IFC file does not pay its start-up (about 0.3 s).

One record per building element: its GlobalId as id, Name, class, type name, materials (a layer
set's layers with their thickness share, a constituent set's fractions, else equal shares), the
storey that contains it, and volume, area, length, width and height from its quantity sets, in SI
units. Where an element has no quantity set and its body is one extrusion of a rectangle or a
polyline, the extrusion gives them (cheap: no geometry kernel). A quantity nothing gives is 0, as
the platform's answers show it (a .NET double).
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from typing import Any

from contracts.platform.catalogue import read_data
from contracts.platform.ifc_relations import QuantitySets, Relations

IFC_MAGIC = b"ISO-10303-21;"
QUANTITY_FIELDS = ("volume", "area", "length", "width", "height")
_CHECK_EVERY = 128  # elements between two looks at the clock
_FILE_SCHEMA = re.compile(rb"FILE_SCHEMA\s*\(\s*\(\s*'([A-Za-z0-9_]+)'")


@dataclass(frozen=True)
class Layer:
    """One material of an element and its share of the element (0..1)."""

    material: str
    share: float
    thickness: float | None = None  # metres, for a layer of a layer set


@dataclass(frozen=True)
class ElementRecord:
    """One imported building element, in the platform's terms."""

    id: str
    name: str | None
    element_class: str
    type_name: str | None
    materials: tuple[Layer, ...]
    floor: str | None
    volume: float = 0.0
    area: float = 0.0
    length: float = 0.0
    width: float = 0.0
    height: float = 0.0

    @property
    def material_name(self) -> str | None:
        """The material with the largest share (the first of equals), as the element's material."""
        if not self.materials:
            return None
        return max(self.materials, key=lambda layer: layer.share).material

    def fields(self) -> dict[str, Any]:
        """The element as the API's element fields (``BuildingFileElementResponse``)."""
        return {
            "id": self.id,
            "name": self.name,
            "elementClass": self.element_class,
            "typeName": self.type_name,
            "materialName": self.material_name,
            "floor": self.floor,
            **{name: getattr(self, name) for name in QUANTITY_FIELDS},
        }


@dataclass(frozen=True)
class ImportResult:
    """What an import gives: the elements, or why there are none (``ok`` False)."""

    ok: bool
    message: str
    schema: str | None = None
    elements: tuple[ElementRecord, ...] = ()


@dataclass(frozen=True)
class Rules:
    schemas: tuple[str, ...]
    root: str
    excluded: tuple[str, ...]
    quantities: dict[str, tuple[str, ...]]
    max_bytes: int
    max_elements: int
    max_seconds: float
    messages: dict[str, str]


@functools.cache
def load_rules() -> Rules:
    data = read_data("ifc_import.yaml")
    limits = data.get("limits") or {}
    return Rules(
        schemas=tuple(data.get("schemas") or ()),
        root=str(data.get("elements") or "IfcElement"),
        excluded=tuple(data.get("excluded") or ()),
        quantities={k: tuple(v) for k, v in (data.get("quantities") or {}).items()},
        max_bytes=int(limits.get("max_bytes", 128 << 20)),
        max_elements=int(limits.get("max_elements", 200_000)),
        max_seconds=float(limits.get("max_seconds", 120)),
        messages=dict(data.get("messages") or {}),
    )


def is_ifc(content: bytes) -> bool:
    """IFC (STEP physical file) content starts with ISO-10303-21; (after an optional BOM)."""
    return content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(IFC_MAGIC)


def import_ifc(content: bytes, rules: Rules | None = None) -> ImportResult:
    """The elements of an IFC file, or a failed result with the platform-like reason."""
    rules = rules or load_rules()
    say = rules.messages.get
    if len(content) > rules.max_bytes:
        return ImportResult(False, _say(rules, "too_large", size=len(content), limit=rules.max_bytes))
    if not is_ifc(content):
        return ImportResult(False, str(say("not_ifc")))
    import ifcopenshell  # lazily: see the module docstring

    try:
        model = ifcopenshell.file.from_string(_text(content))
        schema = str(model.schema).upper()
    except Exception as exc:  # noqa: BLE001 - IfcOpenShell raises RuntimeError and others on bad input
        named = _header_schema(content)
        if named and named not in rules.schemas:  # IfcOpenShell cannot load what it does not know
            return ImportResult(False, _unsupported(rules, named), named)
        return ImportResult(False, _say(rules, "unreadable", reason=_reason(exc)))
    if schema not in rules.schemas:
        return ImportResult(False, _unsupported(rules, schema or "?"), schema)
    try:
        return _read_elements(model, schema, rules)
    except Exception as exc:  # noqa: BLE001 - a file IfcOpenShell parsed but cannot relate
        return ImportResult(False, _say(rules, "unreadable", reason=_reason(exc)), schema)


def _read_elements(model: Any, schema: str, rules: Rules) -> ImportResult:
    import ifcopenshell.util.unit as units

    candidates = [e for e in model.by_type(rules.root) if not _excluded(e, rules)]
    if len(candidates) > rules.max_elements:
        return ImportResult(False, _say(rules, "too_many", limit=rules.max_elements), schema)
    scale = {
        "length": _unit_scale(units, model, "LENGTHUNIT"),
        "area": _unit_scale(units, model, "AREAUNIT"),
        "volume": _unit_scale(units, model, "VOLUMEUNIT"),
    }
    deadline = time.monotonic() + rules.max_seconds
    relations = Relations(model, rules.root)
    records: list[ElementRecord] = []
    for index, element in enumerate(candidates):
        if index % _CHECK_EVERY == 0 and time.monotonic() > deadline:
            message = _say(
                rules, "too_slow", limit=f"{rules.max_seconds:g}", done=index, total=len(candidates)
            )
            return ImportResult(False, message, schema)
        if relations.has_element_parts(element):
            continue
        records.append(_record(element, relations, rules, scale))
    message = _say(rules, "imported", count=len(records), schema=schema)
    return ImportResult(True, message, schema, tuple(records))


def _excluded(element: Any, rules: Rules) -> bool:
    return any(_is_a(element, name) for name in rules.excluded)


def _is_a(element: Any, name: str) -> bool:
    try:
        return bool(element.is_a(name))
    except Exception:  # noqa: BLE001 - a class this schema does not define
        return False


def _record(element: Any, relations: Relations, rules: Rules, scale: dict[str, float]) -> ElementRecord:
    element_type = relations.type_of(element)
    quantities = _quantities(relations.quantity_sets(element), rules, scale)
    if not any(quantities.values()):
        quantities = _extrusion(element, scale["length"]) or quantities
    return ElementRecord(
        id=str(element.GlobalId),
        name=element.Name,
        element_class=element.is_a(),
        type_name=getattr(element_type, "Name", None) if element_type is not None else None,
        materials=_layers(relations.material_of(element), scale["length"]),
        floor=relations.storey_of(element),
        **quantities,
    )


def _quantities(sets: QuantitySets, rules: Rules, scale: dict[str, float]) -> dict[str, float]:
    ordered = sorted(sets, key=lambda item: _set_rank(item[0]))
    out: dict[str, float] = {}
    for field, names in rules.quantities.items():
        factor = scale.get(field, scale["length"])
        out[field] = next(
            (values[name] * factor for _, values in ordered for name in names if name in values),
            0.0,
        )
    return out


def _set_rank(name: str) -> int:
    return 0 if name.startswith("Qto_") else 1 if name == "BaseQuantities" else 2


def _extrusion(element: Any, length_scale: float) -> dict[str, float] | None:
    """Quantities of a body that is one extruded rectangle or polyline profile, else None."""
    representation = getattr(element, "Representation", None)
    for shape in getattr(representation, "Representations", None) or ():
        if shape.RepresentationIdentifier not in (None, "Body") or len(shape.Items or ()) != 1:
            continue
        solid = shape.Items[0]
        if not solid.is_a("IfcExtrudedAreaSolid"):
            continue
        outline = _profile_outline(solid.SweptArea)
        if outline is None:
            return None
        length, width, area = outline
        depth = float(solid.Depth)
        s = length_scale
        return {
            "volume": area * depth * s**3,
            "area": length * depth * s**2,
            "length": length * s,
            "width": width * s,
            "height": depth * s,
        }
    return None


def _profile_outline(profile: Any) -> tuple[float, float, float] | None:
    """(length, width, area) of a rectangle or closed-polyline profile, longest side as length."""
    if profile.is_a("IfcRectangleProfileDef"):
        x, y = float(profile.XDim), float(profile.YDim)
        return max(x, y), min(x, y), x * y
    curve = getattr(profile, "OuterCurve", None) if profile.is_a("IfcArbitraryClosedProfileDef") else None
    points = _polyline_points(curve) if curve is not None else None
    if not points or len(points) < 3:
        return None
    area = (
        abs(
            sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))
        )
        / 2
    )
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    dx, dy = max(xs) - min(xs), max(ys) - min(ys)
    return max(dx, dy), min(dx, dy), area


def _polyline_points(curve: Any) -> list[tuple[float, float]] | None:
    """The corners of a straight-segment curve (IfcPolyline, or IfcIndexedPolyCurve without arcs)."""
    if curve.is_a("IfcPolyline"):
        return [(float(p.Coordinates[0]), float(p.Coordinates[1])) for p in curve.Points]
    if (
        curve.is_a("IfcIndexedPolyCurve")
        and not curve.Segments
        and curve.Points.is_a("IfcCartesianPointList2D")
    ):
        points = [(float(x), float(y)) for x, y in curve.Points.CoordList]
        return points[:-1] if len(points) > 1 and points[0] == points[-1] else points
    return None


def _layers(material: Any, length_scale: float) -> tuple[Layer, ...]:
    """The element's materials with their shares, from whichever material definition it uses."""
    if material is None:
        return ()
    kind = material.is_a()
    if kind == "IfcMaterial":
        return (Layer(str(material.Name or ""), 1.0),)
    if kind == "IfcMaterialLayerSet":
        layers = [(layer.Material, float(layer.LayerThickness or 0)) for layer in material.MaterialLayers]
        total = sum(t for _, t in layers)
        return tuple(
            Layer(_name(m), t / total if total else 1 / len(layers), t * length_scale) for m, t in layers
        )
    if kind == "IfcMaterialConstituentSet":
        parts = [(c.Material, c.Fraction) for c in material.MaterialConstituents or ()]
        given = sum(float(f) for _, f in parts if f is not None)
        if parts and all(f is not None for _, f in parts) and given > 0:
            return tuple(Layer(_name(m), float(f) / given) for m, f in parts)
        return tuple(Layer(_name(m), 1 / len(parts)) for m, _ in parts)
    if kind == "IfcMaterialProfileSet":
        profiles = [p.Material for p in material.MaterialProfiles or ()]
        return tuple(Layer(_name(m), 1 / len(profiles)) for m in profiles)
    if kind == "IfcMaterialList":
        listed = list(material.Materials or ())
        return tuple(Layer(_name(m), 1 / len(listed)) for m in listed)
    return ()


def _name(material: Any) -> str:
    return str(getattr(material, "Name", None) or "")


def _unit_scale(units: Any, model: Any, unit_type: str) -> float:
    try:
        return float(units.calculate_unit_scale(model, unit_type))
    except Exception:  # noqa: BLE001 - no unit assignment: SI as the schema's default
        return 1.0


def _text(content: bytes) -> str:
    """STEP files are ASCII with escapes, but some tools write UTF-8 (or Latin-1) names."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _header_schema(content: bytes) -> str | None:
    """The schema the header's FILE_SCHEMA names (``IFC4``), read from the first few kB."""
    found = _FILE_SCHEMA.search(content[:8192])
    return found.group(1).decode("ascii", "replace").upper() if found else None


def _unsupported(rules: Rules, schema: str) -> str:
    return _say(rules, "schema", schema=schema, supported=", ".join(rules.schemas))


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _say(rules: Rules, key: str, **values: Any) -> str:
    return str(rules.messages.get(key, key)).format(**values)
