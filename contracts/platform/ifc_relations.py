"""The relations an IFC import asks of every element, indexed in one pass over the file.

IfcOpenShell's ``ifcopenshell.util.element`` answers the same questions (type, material,
container, quantity sets) through inverse look-ups, about 0.2 ms each on this machine: measured,
an import with them ran at about 700 elements/s, without them at about 1,800. Reading the
relationship entities once (IfcRelAssociatesMaterial, IfcRelDefinesByType,
IfcRelContainedInSpatialStructure, IfcRelAggregates, IfcRelDefinesByProperties) gives the same
answers in a dictionary look-up each;
``bench/bench_ifc_import.py`` prints the rate. The semantics follow IfcOpenShell's: an element's
own material and quantities first, then its type's; a usage stands for its set.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

QuantitySets = list[tuple[str, dict[str, float]]]


class Relations:
    """Types, materials, containers, aggregates and quantity sets of a file, by entity id."""

    def __init__(self, model: Any, root: str) -> None:
        self.types: dict[int, Any] = {}
        self.materials: dict[int, Any] = {}
        self.containers: dict[int, Any] = {}
        self.parents: dict[int, Any] = {}
        self.assemblies: set[int] = set()  # ids of elements whose parts are elements
        self.quantities: dict[int, QuantitySets] = defaultdict(list)
        for rel in model.by_type("IfcRelDefinesByType"):
            for obj in rel.RelatedObjects or ():
                self.types[obj.id()] = rel.RelatingType
        for rel in model.by_type("IfcRelAssociatesMaterial"):
            for obj in rel.RelatedObjects or ():
                self.materials.setdefault(obj.id(), rel.RelatingMaterial)
        for rel in model.by_type("IfcRelContainedInSpatialStructure"):
            for obj in rel.RelatedElements or ():
                self.containers.setdefault(obj.id(), rel.RelatingStructure)
        for rel in model.by_type("IfcRelAggregates"):
            parts = rel.RelatedObjects or ()
            for obj in parts:
                self.parents.setdefault(obj.id(), rel.RelatingObject)
            if any(part.is_a(root) for part in parts):
                self.assemblies.add(rel.RelatingObject.id())
        for rel in model.by_type("IfcRelDefinesByProperties"):
            sets = _quantity_sets(rel.RelatingPropertyDefinition)
            for obj in rel.RelatedObjects or ():
                self.quantities[obj.id()].extend(sets)
        for element_type in {t.id(): t for t in self.types.values()}.values():
            for definition in getattr(element_type, "HasPropertySets", None) or ():
                self.quantities[element_type.id()].extend(_quantity_sets(definition))

    def type_of(self, element: Any) -> Any:
        return self.types.get(element.id())

    def material_of(self, element: Any) -> Any:
        """The element's material definition, else its type's; a usage as the set it uses."""
        material = self.materials.get(element.id())
        if material is None:
            element_type = self.type_of(element)
            material = self.materials.get(element_type.id()) if element_type is not None else None
        if material is not None and material.is_a("IfcMaterialLayerSetUsage"):
            return material.ForLayerSet
        if material is not None and material.is_a("IfcMaterialProfileSetUsage"):
            return material.ForProfileSet
        return material

    def quantity_sets(self, element: Any) -> QuantitySets:
        """The element's quantity sets, then its type's (a set the element has hides the type's)."""
        own = list(self.quantities.get(element.id(), ()))
        element_type = self.type_of(element)
        if element_type is not None:
            names = {name for name, _ in own}
            own += [(n, v) for n, v in self.quantities.get(element_type.id(), ()) if n not in names]
        return own

    def has_element_parts(self, element: Any) -> bool:
        return element.id() in self.assemblies

    def storey_of(self, element: Any) -> str | None:
        """The storey holding the element (through spaces or its assembly), else the name of its
        nearest container; None when nothing holds it."""
        holder: Any = element
        nearest: str | None = None
        for _ in range(16):  # containers and aggregates nest a few levels at most
            structure = self.containers.get(holder.id())
            above = structure if structure is not None else self.parents.get(holder.id())
            if above is None:
                return nearest
            if above.is_a("IfcBuildingStorey"):
                return above.Name
            if structure is not None and nearest is None:
                nearest = above.Name
            holder = above
        return nearest


def _quantity_sets(definition: Any) -> QuantitySets:
    """(name, {quantity: value}) of an IfcElementQuantity (or of each in a definition set)."""
    definitions = definition if isinstance(definition, tuple) else (definition,)
    out: QuantitySets = []
    for item in definitions:
        if item is None or not item.is_a("IfcElementQuantity"):
            continue
        values: dict[str, float] = {}
        for quantity in item.Quantities or ():
            if quantity.is_a("IfcPhysicalSimpleQuantity"):
                value = quantity[3]  # LengthValue, AreaValue, VolumeValue, CountValue, ...
                if isinstance(value, int | float) and not isinstance(value, bool):
                    values.setdefault(str(quantity.Name), float(value))
        out.append((str(item.Name or ""), values))
    return out
