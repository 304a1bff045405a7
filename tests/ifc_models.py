"""IFC files authored with IfcOpenShell's authoring API, for the import's tests and benchmark.

``author`` builds a small office: storeys, walls with a layer set, slabs, columns with one
material, doors and windows with types, beams with a constituent set, an opening (not a building
element) and an assembly of two members (listed as its parts). Every element's expected record is
returned beside the bytes, so a test compares what the import reads with what was authored.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

QTO = {  # the quantity set each class carries in IFC4 (IFC2X3 files use BaseQuantities)
    "IfcWall": "Qto_WallBaseQuantities",
    "IfcSlab": "Qto_SlabBaseQuantities",
    "IfcColumn": "Qto_ColumnBaseQuantities",
    "IfcBeam": "Qto_BeamBaseQuantities",
    "IfcDoor": "Qto_DoorBaseQuantities",
    "IfcWindow": "Qto_WindowBaseQuantities",
    "IfcMember": "Qto_MemberBaseQuantities",
}
DIMENSIONS = {"length": (1.5, 12.0), "width": (0.05, 1.2), "height": (0.2, 6.0)}

SMALLEST = b"""ISO-10303-21;
HEADER;
FILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');
FILE_NAME('office.ifc','2026-11-30T12:00:00',('Architect'),('Bureau'),'IfcOpenShell','IfcOpenShell','');
FILE_SCHEMA(('IFC4'));
ENDSEC;
DATA;
#1=IFCPROJECT('2O2Fr$t4X7Zf8NOew3FLOH',$,'Office Utrecht',$,$,$,$,$,$);
#2=IFCWALL('1kTvXnbbzCWw8lcMd1dR4o',$,'Wall 200 mm concrete',$,$,$,$,$,$);
#3=IFCSLAB('3mE1Gq0MD4xBWsbvTiqz3e',$,'Floor 250 mm',$,$,$,$,$,$);
ENDSEC;
END-ISO-10303-21;
"""
"""The smallest IFC file worth importing, written by hand: a project, a wall and a slab, no
storeys, materials or quantities. Imported all the way to Mapped (two elements)."""


@dataclass
class Authored:
    """An authored file and what its import should give, by GlobalId."""

    content: bytes
    schema: str
    expected: dict[str, dict[str, Any]] = field(default_factory=dict)
    not_listed: set[str] = field(default_factory=set)  # the opening and the assembly


def author(schema: str = "IFC4", elements: int = 40, *, seed: int = 0, millimetres: bool = False) -> Authored:
    """An office of about ``elements`` building elements (at least a dozen) in ``schema``.

    ``millimetres`` writes lengths in mm (areas mm², volumes mm³), as many authoring tools do; the
    expected quantities stay in metres.
    """
    rng = random.Random(seed)
    api = _ifcopenshell_api()
    f = api.project.create_file(version=schema)
    if schema == "IFC2X3":  # IFC2X3 requires an owner history on every rooted entity
        _owner(f)
    project = api.root.create_entity(f, ifc_class="IfcProject", name="Kantoor Maliebaan")
    scale = 1000.0 if millimetres else 1.0
    prefix = "MILLI" if millimetres else None
    api.unit.assign_unit(
        f,
        units=[
            api.unit.add_si_unit(f, unit_type=kind, prefix=prefix)
            for kind in ("LENGTHUNIT", "AREAUNIT", "VOLUMEUNIT")
        ],
    )
    model = api.context.add_context(f, context_type="Model")
    body = api.context.add_context(
        f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model
    )
    site = api.root.create_entity(f, ifc_class="IfcSite", name="Terrein")
    building = api.root.create_entity(f, ifc_class="IfcBuilding", name="Kantoor")
    api.aggregate.assign_object(f, products=[site], relating_object=project)
    api.aggregate.assign_object(f, products=[building], relating_object=site)
    storeys = []
    for name in ("00 begane grond", "01 eerste verdieping", "02 tweede verdieping"):
        storey = api.root.create_entity(f, ifc_class="IfcBuildingStorey", name=name)
        api.aggregate.assign_object(f, products=[storey], relating_object=building)
        storeys.append(storey)

    materials = {
        n: api.material.add_material(f, name=n)
        for n in (
            "Beton C30/37",
            "Baksteen metselwerk",
            "Minerale wol",
            "Vurenhout",
            "Floatglas",
            "Staal S235",
        )
    }
    wall_set = api.material.add_material_set(f, name="Spouwmuur", set_type="IfcMaterialLayerSet")
    for material, thickness in (("Baksteen metselwerk", 0.1), ("Minerale wol", 0.12), ("Beton C30/37", 0.2)):
        layer = api.material.add_layer(f, layer_set=wall_set, material=materials[material])
        api.material.edit_layer(f, layer=layer, attributes={"LayerThickness": thickness * scale})
    wall_type = _type(f, "IfcWallType", "Spouwmuur 420mm")
    api.material.assign_material(f, products=[wall_type], type="IfcMaterialLayerSet", material=wall_set)
    door_type = _type(f, "IfcDoorType" if schema != "IFC2X3" else "IfcDoorStyle", "Binnendeur 930x2315")
    window_type = _type(f, "IfcWindowType" if schema != "IFC2X3" else "IfcWindowStyle", "Kozijn 1200x1500")

    authored = Authored(b"", schema)
    kinds = ["IfcWall", "IfcSlab", "IfcColumn", "IfcBeam", "IfcDoor", "IfcWindow"]
    count = max(elements - 2, 9)  # the assembly's two members come on top (listed, unlike it)
    for index in range(count):
        cls = kinds[index % len(kinds)]
        storey = storeys[index % len(storeys)]
        element = api.root.create_entity(f, ifc_class=cls, name=f"{cls[3:]} {index:04d}")
        api.spatial.assign_container(f, products=[element], relating_structure=storey)
        expected: dict[str, Any] = {
            "name": element.Name,
            "elementClass": cls,
            "typeName": None,
            "floor": storey.Name,
        }
        # the longest side is the length (as an extrusion's outline is read)
        qty = {key: round(rng.uniform(*bounds), 3) for key, bounds in DIMENSIONS.items()}
        qty["area"] = qty["length"] * qty["height"]
        qty["volume"] = qty["area"] * qty["width"]
        if cls == "IfcWall":
            api.type.assign_type(f, related_objects=[element], relating_type=wall_type)
            expected.update(typeName=wall_type.Name, materialName="Beton C30/37")
        elif cls in ("IfcDoor", "IfcWindow"):
            chosen = door_type if cls == "IfcDoor" else window_type
            api.type.assign_type(f, related_objects=[element], relating_type=chosen)
            material = "Vurenhout" if cls == "IfcDoor" else "Floatglas"
            api.material.assign_material(f, products=[element], material=materials[material])
            expected.update(typeName=chosen.Name, materialName=material)
        elif cls == "IfcBeam" and schema != "IFC2X3":
            constituents = api.material.add_material_set(
                f, name="Ligger", set_type="IfcMaterialConstituentSet"
            )
            for name, fraction in (("Staal S235", 0.3), ("Beton C30/37", 0.7)):
                part = api.material.add_constituent(f, constituent_set=constituents, material=materials[name])
                api.material.edit_constituent(
                    f, constituent=part, attributes={"Fraction": fraction}, material=materials[name]
                )
            api.material.assign_material(
                f, products=[element], type="IfcMaterialConstituentSet", material=constituents
            )
            expected["materialName"] = "Beton C30/37"
        else:
            material = "Staal S235" if cls == "IfcBeam" else "Beton C30/37"
            api.material.assign_material(f, products=[element], material=materials[material])
            expected["materialName"] = material
        if index % 7 == 6:  # no quantity set: a box extrusion gives the quantities instead
            shape = api.geometry.add_wall_representation(
                f,
                context=body,
                length=qty["length"],  # SI: IfcOpenShell converts to the file's units
                height=qty["height"],
                thickness=qty["width"],
            )
            api.geometry.assign_representation(f, product=element, representation=shape)
        else:
            name = QTO[cls] if schema != "IFC2X3" else "BaseQuantities"
            qto = api.pset.add_qto(f, product=element, name=name)
            values = {
                "Length": qty["length"] * scale,
                "Width": qty["width"] * scale,
                "Height": qty["height"] * scale,
                "NetSideArea" if cls == "IfcWall" else "NetArea": qty["area"] * scale**2,
                "NetVolume": qty["volume"] * scale**3,
            }
            api.pset.edit_qto(f, qto=qto, properties=values)
        expected.update(qty)
        authored.expected[element.GlobalId] = expected

    opening = api.root.create_entity(f, ifc_class="IfcOpeningElement", name="Sparing")
    authored.not_listed.add(opening.GlobalId)
    assembly = api.root.create_entity(f, ifc_class="IfcElementAssembly", name="Spant")
    api.spatial.assign_container(f, products=[assembly], relating_structure=storeys[0])
    authored.not_listed.add(assembly.GlobalId)
    for index in range(2):
        member = api.root.create_entity(f, ifc_class="IfcMember", name=f"Spantbeen {index}")
        api.aggregate.assign_object(f, products=[member], relating_object=assembly)
        api.material.assign_material(f, products=[member], material=materials["Vurenhout"])
        authored.expected[member.GlobalId] = {
            "name": member.Name,
            "elementClass": "IfcMember",
            "typeName": None,
            "materialName": "Vurenhout",
            "floor": storeys[0].Name,
            "volume": 0.0,
            "area": 0.0,
            "length": 0.0,
            "width": 0.0,
            "height": 0.0,
        }
    authored.content = f.to_string().encode("utf-8")
    return authored


def _owner(f: Any) -> None:
    """A person, organisation and application for IFC2X3's owner histories."""
    import ifcopenshell.api.owner
    import ifcopenshell.api.owner.settings

    person = ifcopenshell.api.owner.add_person(f, identification="arch", family_name="Architect")
    organisation = ifcopenshell.api.owner.add_organisation(f, identification="bureau", name="Bureau")
    user = ifcopenshell.api.owner.add_person_and_organisation(f, person=person, organisation=organisation)
    application = ifcopenshell.api.owner.add_application(f)
    ifcopenshell.api.owner.settings.get_user = lambda _file: user
    ifcopenshell.api.owner.settings.get_application = lambda _file: application


def _type(f: Any, cls: str, name: str) -> Any:
    return _ifcopenshell_api().root.create_entity(f, ifc_class=cls, name=name)


def _ifcopenshell_api() -> Any:
    """IfcOpenShell's authoring API, imported on first use: modules that only need ``SMALLEST``
    (the lifecycle tests, every worker) do not pay its import (about 0.4 s)."""
    import ifcopenshell.api.aggregate
    import ifcopenshell.api.context
    import ifcopenshell.api.geometry
    import ifcopenshell.api.material
    import ifcopenshell.api.project
    import ifcopenshell.api.pset
    import ifcopenshell.api.root
    import ifcopenshell.api.spatial
    import ifcopenshell.api.type
    import ifcopenshell.api.unit

    return ifcopenshell.api
