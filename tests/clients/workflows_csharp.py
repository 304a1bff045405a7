"""The platform's published C# example programs (csharp/basic, csharp/externalId,
csharp/upload-ifc-file) call for call, and refinement's mapping, driven with a generated client.

As NSwag-generated C# clients do, a folder is created without its ParentId (sent as the empty
Guid); the classification method is the one whose invariant name (``iv``) is NL-SfB. Each program
also checks what the platform derives: the elements read back, their mappings, the status counts
and the validation figures.
"""

from __future__ import annotations

import functools
import json
import math
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.clients.generated import build, field_names
from tests.clients.steps import Session, in_order
from tests.clients.steps_v3 import (
    ELEMENTS,
    MADASTER_DATABASE,
    OKOBAUDAT_DATABASE,
    OMNICLASS,
    SMALL_IFC,
    SOURCE_LIFECYCLE,
    activate_until_clean,
    add_elements,
    check_figures,
    create_source_file,
    elements_json,
    mapped_to,
    refine_until_mapped,
    setup_building,
    upload,
    wait_for_file,
)
from tests.ifc_models import Authored, author

CONCRETE = "b499c354-fa05-4fc5-8ee4-8df89d09da4a"  # Beton C30/37, Madaster database
STEEL = "fafe6a22-b9c0-4062-a7bb-0c8ffce68cb2"  # Wapeningsstaal B500B, Madaster database
OKOBAUDAT_DATASET = "923e1c71-f172-4902-a5f5-c4a1e8a773bc"  # externalDatabaseId of the programs
OKOBAUDAT_MATERIAL = "0e7b4c1d-3a52-4f60-9b8e-2d1c0f9a7e44"  # the Ökobaudat material it names
SETIMPORTING = ("POST", "/building/{buildingId}/files/{id}/setimporting")


def method_by_invariant_name(s: Session, name: str) -> Any:
    """csharp/basic: the classification method whose ``Name.AdditionalProperties["iv"]`` is ``name``."""
    methods = s.call("GET", "/system/classificationmethods", 200)
    found = [m for m in methods if m.name and m.name.additional_properties.get("iv") == name]
    assert len(found) == 1, [m.name for m in methods]
    return found[0]


def fill_file(s: Session, building: Any, file: Any, elements: list[dict[str, Any]]) -> None:
    """Elements through the API (into a file opened with ``setimporting`` where the build has
    it), refined to Mapped; an IFC upload where the build takes no elements through the API."""
    if s.has("POST", "/building/{buildingId}/files/{fileId}/elements"):
        add_elements(s, building, file, elements)
        refine_until_mapped(s, building, file)
    else:
        upload(s, building, file, "Constructie.ifc", SMALL_IFC)
        status, seen = wait_for_file(s, building, file, {"Mapped"})
        assert status == "Mapped", seen


def basic(s: Session) -> None:
    """csharp/basic: a folder at the account's top (ParentId unset), a building, a file classified
    NL-SfB (picked by its ``iv`` name), elements, Mapped, activated, figures from the elements."""
    made = setup_building(s, unset_parent=True)
    assert made["folder"].parent_id == made["account"].id, made["folder"]  # the empty Guid: the account
    nl_sfb = method_by_invariant_name(s, "NL-SfB")
    assert nl_sfb.id == made["nl_sfb"].id
    building = made["building"]
    file = create_source_file(s, building, nl_sfb.id, "Constructie.ifc")
    fill_file(s, building, file, ELEMENTS)
    activate_until_clean(s, building, file)
    elements = elements_json(s, building, file)
    if s.has(*SETIMPORTING):
        by_id = {e["id"]: e for e in elements}
        wall = by_id[ELEMENTS[0]["id"]]
        # the NL-SfB class looked up
        assert (wall.get("classificationMatch") or {}).get("code") == "21.12", wall
        assert wall["phaseMatch"]["name"] == "Nieuwbouw", wall
        assert mapped_to(by_id[ELEMENTS[1]["id"]]) == CONCRETE  # "Beton C30/37": the Madaster material
    check_figures(s, building, file, elements)


def external_id(s: Session) -> None:
    """csharp/externalId: folder and building got or created by externalId; an element naming its
    Ökobaudat data set by externalDatabaseId, a material name, the phase ``casco`` and the OmniClass
    class ``21-01 10 10 10``: mapped to that data set, its phase and class resolved."""
    key = uuid.uuid4().hex[:8]
    s.missing("GET", "/folder/external/{externalId}", external_id=f"folder-{key}")
    s.missing("GET", "/building/external/{externalId}", external_id=f"building-{key}")
    made = setup_building(s, external_id=key, unset_parent=True)
    folder = s.call("GET", "/folder/external/{externalId}", 200, external_id=f"folder-{key}")
    assert folder.id == made["folder"].id and folder.external_id == f"folder-{key}"
    assert folder.parent_id == made["account"].id
    building = s.call("GET", "/building/external/{externalId}", 200, external_id=f"building-{key}")
    assert building.id == made["building"].id and building.external_id == f"building-{key}"
    assert building.folder_id == folder.id

    databases = [MADASTER_DATABASE, OKOBAUDAT_DATABASE]
    file = create_source_file(s, building, OMNICLASS, "Fundering.ifc", databases)
    element = {
        "id": f"ext-{key}",
        "name": "Funderingsbalk",
        "external_database_id": OKOBAUDAT_DATASET,
        "material_name": "Kalksandstein",
        "element_class": "IfcFooting",
        "volume": 6.5,
        "phase_lookup": "casco",
        "classification_lookup": "21-01 10 10 10",
    }
    fill_file(s, building, file, [element])
    read = next(e for e in elements_json(s, building, file) if e["id"] == element["id"])
    assert read["externalDatabaseId"] == OKOBAUDAT_DATASET, read
    assert mapped_to(read) == OKOBAUDAT_MATERIAL, read
    assert read["phaseMatch"]["name"] == "Casco", read
    assert read["classificationMatch"] == {
        "id": "7c1d2e3f-4a5b-4c6d-8e7f-21011010100a",
        "name": "Wall Foundations",
        "code": "21-01 10 10 10",
    }, read
    activate_until_clean(s, building, file)
    check_figures(s, building, file, [read])


@functools.cache
def authored_office() -> Authored:
    """The IFC file csharp/upload-ifc-file uploads: an office authored with IfcOpenShell."""
    return author("IFC4", 24, seed=11)


def upload_ifc_file(s: Session) -> None:
    """csharp/upload-ifc-file: an IFC file uploaded with the generated upload function, polled until
    Mapped; its elements read back by GlobalId with their names, classes, types, materials, storeys
    and quantities; refinement restarted with other databases; a file that is no IFC fails."""
    made = setup_building(s, unset_parent=True)
    building = made["building"]
    nl_sfb = method_by_invariant_name(s, "NL-SfB")
    office = authored_office()
    file = create_source_file(s, building, nl_sfb.id, "Kantoor.ifc")
    before = datetime.now(UTC).replace(microsecond=0)
    upload(s, building, file, "Kantoor.ifc", office.content)
    status, seen = wait_for_file(s, building, file, {"Mapped"})
    assert status == "Mapped" and in_order(seen, SOURCE_LIFECYCLE), seen
    read = s.call("GET", "/building/{buildingId}/files/{id}", 200, building_id=building.id, id=file.id)
    assert (read.file_name, read.file_size) == ("Kantoor.ifc", len(office.content)), read
    modified = read.last_modified_date  # stored by the mock's clock: the upload's jobs, just now
    assert before <= modified.replace(tzinfo=modified.tzinfo or UTC) <= datetime.now(UTC), modified

    elements = {e["id"]: e for e in elements_json(s, building, file)}
    assert set(elements) == set(office.expected), sorted(set(elements) ^ set(office.expected))
    for global_id, expected in office.expected.items():
        element = elements[global_id]
        for name in ("name", "elementClass", "typeName", "materialName", "floor"):
            assert element.get(name) == expected.get(name), (global_id, name, element)
        for name in ("volume", "area", "length"):
            assert math.isclose(element[name], expected.get(name, 0.0), rel_tol=1e-3, abs_tol=1e-6)
        if expected.get("materialName") == "Beton C30/37":  # the Madaster material of that name
            assert mapped_to(element) == CONCRETE, element
    one = next(iter(office.expected))
    path = "/building/{buildingId}/files/{fileId}/elements/{id}"
    by_global_id = s.call("GET", path, 200, building_id=building.id, file_id=file.id, id=one)
    assert by_global_id.id == one and by_global_id.name == office.expected[one]["name"]

    if s.has("POST", "/building/{buildingId}/files/restartrefinement"):  # with other databases
        body = build(
            s.api.body_model("POST", "/building/{buildingId}/files/restartrefinement"),
            file_id=file.id,
            preferred_database_ids=[OKOBAUDAT_DATABASE],
        )
        s.call(
            "POST", "/building/{buildingId}/files/restartrefinement", 202, building_id=building.id, body=body
        )
        status, seen = wait_for_file(s, building, file, {"Mapped"})
        assert status == "Mapped" and in_order(seen, SOURCE_LIFECYCLE), seen
        again = elements_json(s, building, file)
        assert not any(mapped_to(e) == CONCRETE for e in again)  # Madaster is no longer preferred
    activate_until_clean(s, building, file)
    check_figures(s, building, file, elements_json(s, building, file))

    bad = create_source_file(s, building, nl_sfb.id, "notities.txt")
    upload(s, building, bad, "notities.txt", b"Dit is geen IFC-bestand, maar een notitie.\n")
    status, seen = wait_for_file(s, building, bad, {"ImportFailed", "UnknownImportFile"})
    assert status in {"ImportFailed", "UnknownImportFile"}, seen
    if s.has("GET", "/building/{buildingId}/files/{id}/status"):
        s.call("GET", "/building/{buildingId}/files/{id}/status", 200, building_id=building.id, id=bad.id)
        counts = json.loads(s.last.content)
        assert counts["elementCount"] == 0 and "not an IFC file" in counts["statusMessage"], counts


def refinement_mapping(s: Session) -> None:
    """Refinement maps what each element names: its materialId, else its externalDatabaseId, else
    its materialName in the preferred databases; an element naming nothing known stays unmapped."""
    made = setup_building(s)
    building = made["building"]
    file = create_source_file(s, building, made["nl_sfb"].id, "Mapping.ifc", [MADASTER_DATABASE])
    model = s.api.body_model("POST", "/building/{buildingId}/files/{fileId}/elements")
    fields = field_names(model)
    elements = [
        {"id": "by-name", "name": "Vloer", "material_name": "Gewapend beton", "volume": 3.0},
        {"id": "unknown", "name": "Iets", "material_name": "Onbekend goedje", "volume": 1.0},
    ]
    expected = {"by-name": CONCRETE, "unknown": None}
    if "material_id" in fields:
        elements.append({"id": "by-id", "name": "Wapening", "material_id": STEEL, "material_name": "Beton"})
        expected["by-id"] = STEEL  # the material named wins over the name
    if "external_database_id" in fields:
        elements.append({"id": "by-external", "name": "Wand", "external_database_id": OKOBAUDAT_DATASET})
        expected["by-external"] = OKOBAUDAT_MATERIAL
    add_elements(s, building, file, elements)
    refine_until_mapped(s, building, file)
    read = elements_json(s, building, file)
    assert {e["id"]: mapped_to(e) for e in read} == expected, read
    activate_until_clean(s, building, file)
    check_figures(s, building, file, read)
