"""The steps of the platform's published v3.0 example programs, as a generated client makes them.

Each function is a step as a team writes it against its generated client: typed models in, typed
models out, every answer checked, ids followed from one call to the next. The programs themselves
are in ``workflows_v3.py`` (python3/example.py, building images) and ``workflows_csharp.py``.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import httpx

from tests.clients.generated import build, field_names
from tests.clients.steps import Session, attribute, in_order, keys_of, poll, value_of
from tests.ifc_models import SMALLEST

MADASTER_DATABASE = "00000000-0000-0000-0000-000000000000"
EPEA_DATABASE = "00000000-0000-0000-0000-000000000003"
OKOBAUDAT_DATABASE = "cd2bda71-760b-4fcc-8a0b-3877c10000a8"
OMNICLASS = "e6bbe656-6722-4f7c-a825-8be526e13189"

SOURCE_LIFECYCLE = [
    "Creating", "Uploaded", "Importing", "Imported", "Refining", "Refined", "Mapping", "Mapped",
]  # fmt: skip
FAILED = {"ImportFailed", "UnknownImportFile", "RefineFailed", "Error"}

SMALL_IFC = SMALLEST  # what the programs upload where a build takes no elements through the API


def setup_building(
    s: Session, *, external_id: str | None = None, unset_parent: bool = False
) -> dict[str, Any]:
    """Account, Portfolio folder type, a new folder, a new building in it: the example's first half.

    ``unset_parent``: the folder's ParentId left unset, as the C# programs do; NSwag sends the
    empty Guid for it, which the platform reads as the account."""
    account = s.call("GET", "/account", 200)
    assert account.id, account

    folder_types = s.call("GET", "/account/foldertypes", 200)
    portfolio = next((t for t in folder_types if t.name and t.name.nl == "Portfolio"), None)
    assert portfolio is not None, f"no folder type named nl 'Portfolio' in {[t.name for t in folder_types]}"

    # get or create the folder by name: not listed yet, created at the top, then listed
    name = f"Portfolio Utrecht {uuid.uuid4().hex[:6]}"
    assert name not in {f.name for f in s.call("GET", "/folder", 200)}
    folder_model = s.api.body_model("POST", "/folder")
    parent = uuid.UUID(int=0) if unset_parent else account.id
    folder_values = {"name": name, "parent_id": parent, "foldertype_id": portfolio.id}
    if external_id is not None:
        folder_values["external_id"] = f"folder-{external_id}"
    folder = s.call("POST", "/folder", 201, body=build(folder_model, **folder_values))
    assert folder.id and folder.name == name, folder
    if unset_parent:
        assert "empty-guid-parent" in s.last.headers.get("X-Mock-Leniency", ""), s.last.headers
    assert folder.foldertype_id == portfolio.id and folder.parent_id == account.id, folder
    assert [f.id for f in s.call("GET", "/folder", 200) if f.name == name] == [folder.id]

    usages = s.call("GET", "/system/buildingusages", 200)
    assert "other-othersub" in keys_of(usages), sorted(keys_of(usages))
    families = s.call("GET", "/system/materialfamilies", 200)
    assert "nl_sfb" in {f.id for f in families}, [f.id for f in families]
    methods = s.call("GET", "/system/classificationmethods", 200)
    nl_sfb = next((m for m in methods if m.name and m.name.nl == "NL-SfB"), None)
    assert nl_sfb is not None, [m.name for m in methods]
    by_invariant = [m for m in methods if m.name and m.name.additional_properties.get("iv") == "NL-SfB"]
    assert [m.id for m in by_invariant] == [nl_sfb.id]  # how csharp/basic picks it
    assert OMNICLASS in {str(m.id) for m in methods}

    building_model = s.api.body_model("POST", "/building")
    building_values: dict[str, Any] = {
        "folder_id": folder.id,
        "name": "Kantoor Maliebaan 12",
        "phase": "New",
        # a naive datetime: serialised without an offset, as the published client sends it
        "completion_date": datetime(2026, 11, 30, 20, 18, 35, 951712),
        "building_usage": "other-othersub",
        "gross_surface_area": 2450.0,
        "material_classification_type_id": "nl_sfb",
    }
    if "building_usage_other_description" in field_names(building_model):  # not in build 7980
        building_values["building_usage_other_description"] = "Kantoor met bedrijfsruimte"
    if external_id is not None:
        building_values["external_id"] = f"building-{external_id}"
    if "classification_type" in field_names(building_model) and "classification_type_id" not in field_names(
        s.api.body_model("POST", "/building/{buildingId}/files")
    ):
        building_values["classification_type"] = nl_sfb.id  # build 7980: the method sits on the building
    building = s.call("POST", "/building", 201, body=build(building_model, **building_values))
    assert "datetime-without-offset" in s.last.headers.get("X-Mock-Leniency", ""), s.last.headers
    assert building.id and building.folder_id == folder.id, building
    assert getattr(building, "material_classification_type_id", "nl_sfb") == "nl_sfb"  # 7980 has none
    assert building.completion_date.replace(tzinfo=None) == building_values["completion_date"]

    if s.has("GET", "/building/{id}/availabledatabases"):  # the preferred databases are offered
        offered = s.call("GET", "/building/{id}/availabledatabases", 200, id=building.id)
        assert {MADASTER_DATABASE, EPEA_DATABASE} <= {str(d.database_id) for d in offered}, offered
    read_back = s.call("GET", "/building/{id}", 200, id=building.id)
    assert read_back.id == building.id and read_back.name == "Kantoor Maliebaan 12"
    return {"account": account, "folder": folder, "building": building, "nl_sfb": nl_sfb}


def create_source_file(
    s: Session, building: Any, classification_id: Any, name: str, databases: list[str] | None = None
) -> Any:
    """A building file of type Source that prefers the standard databases (or ``databases``)."""
    model = s.api.body_model("POST", "/building/{buildingId}/files")
    values: dict[str, Any] = {
        "type_": "Source",
        "name": name,
        "preferred_database_ids": databases or [MADASTER_DATABASE, EPEA_DATABASE],
    }
    if "classification_type_id" in field_names(model):
        values["classification_type_id"] = classification_id
    file = s.call(
        "POST", "/building/{buildingId}/files", 201, building_id=building.id, body=build(model, **values)
    )
    assert file.id and file.building_id == building.id, file
    assert value_of(attribute(file, "type_")) == "Source"
    assert file.file_name is None and file.is_active is False  # nothing uploaded, not yet active
    return file


def file_status(s: Session, building: Any, file: Any) -> str:
    answer = s.call("GET", "/building/{buildingId}/files/{id}", 200, building_id=building.id, id=file.id)
    assert answer.id == file.id
    return value_of(answer.status)


def progress(s: Session, building: Any, file: Any) -> str:
    """The file's status from its status endpoint, the one the published client polls."""
    path = "/building/{buildingId}/files/{id}/status"
    answer = s.call("GET", path, 200, building_id=building.id, id=file.id)
    return value_of(answer.status)


def wait_for_file(s: Session, building: Any, file: Any, targets: set[str]) -> tuple[str, list[str]]:
    """Poll the file's status until one of ``targets`` (a failure status ends the wait too);
    the file itself then shows the same status."""
    status, seen = poll(
        lambda: progress(s, building, file),
        lambda status: status in targets or status in FAILED,
        f"file {file.id} until {sorted(targets)}",
    )
    assert file_status(s, building, file) == status
    return status, seen


def add_elements(s: Session, building: Any, file: Any, elements: list[dict[str, Any]]) -> list[Any]:
    """Open the file for elements, add the first alone and the rest in one batch; read them back.

    A build without ``setimporting`` (the baseline) gives no way to open a file: there elements
    go into the file as it is."""
    if s.has("POST", "/building/{buildingId}/files/{id}/setimporting"):
        s.call(
            "POST", "/building/{buildingId}/files/{id}/setimporting", 204, building_id=building.id, id=file.id
        )
        assert file_status(s, building, file) == "Importing"
    model = s.api.body_model("POST", "/building/{buildingId}/files/{fileId}/elements")
    ids = dict(building_id=building.id, file_id=file.id)
    first = s.call(
        "POST", "/building/{buildingId}/files/{fileId}/elements", 201, body=build(model, **elements[0]), **ids
    )
    assert first.id == elements[0]["id"], first
    if len(elements) > 1:
        batch = [build(model, **element) for element in elements[1:]]
        result = s.call(
            "POST", "/building/{buildingId}/files/{fileId}/elements/batch", 200, body=batch, **ids
        )
        assert not result.failures, result
    listed = s.call("GET", "/building/{buildingId}/files/{fileId}/elements", 200, **ids)
    assert sorted(e.id for e in listed) == sorted(e["id"] for e in elements), listed
    for element in elements:
        path = "/building/{buildingId}/files/{fileId}/elements/{id}"
        read = s.call("GET", path, 200, id=element["id"], **ids)
        assert read.building_file_id == file.id, read
        # phaseLookup/classificationLookup go in as text and come out as lists, a materialId is
        # not shown: not compared
        sent = {k: v for k, v in element.items() if not k.endswith("_lookup") and k != "material_id"}
        assert {k: getattr(read, k) for k in sent} == sent, read
    return listed


def refine_until_mapped(s: Session, building: Any, file: Any) -> list[str]:
    s.call(
        "POST", "/building/{buildingId}/files/{id}/startrefinement", 202, building_id=building.id, id=file.id
    )
    status, seen = wait_for_file(s, building, file, {"Mapped"})
    assert status == "Mapped", seen
    assert in_order(seen, SOURCE_LIFECYCLE), f"statuses went backwards: {seen}"
    return seen


def upload(s: Session, building: Any, file: Any, file_name: str, content: bytes) -> None:
    """Upload the bytes with the generated upload function (application/octet-stream)."""
    body = s.api.upload_body(content, file_name)
    path = "/building/{buildingId}/files/{id}/upload/{fileName}"
    s.call("POST", path, (201, 202), building_id=building.id, id=file.id, file_name=file_name, body=body)


def activate_until_clean(s: Session, building: Any, file: Any) -> None:
    """Activate the file; the building is dirty until the platform has processed it."""
    path = "/building/{buildingId}/files/{id}/active"
    active = s.call("POST", path, 200, building_id=building.id, id=file.id, body=True)
    assert active.id == file.id and active.is_active is True, active
    final, seen = poll(
        lambda: s.call("GET", "/building/{id}", 200, id=building.id),
        lambda b: b.is_dirty is False,
        f"building {building.id} until not dirty",
    )
    assert final.id == building.id


PASSPORTS = {
    # operation -> (file type, first bytes of the download): a PDF, or an XLSX (a zip archive)
    "/building/{id}/exportpassport": ("PassportPdf", b"%PDF-"),
    "/building/{id}/exportexcelpassport": ("PassportExcel", b"PK\x03\x04"),
    "/building/{id}/passport": ("PassportPdf", b"%PDF-"),  # a typed order: type and language
}


def passport(s: Session, building: Any, path: str, **order: Any) -> bytes:
    """Order a passport, poll its file until Uploaded, download it over HTTP."""
    file_type, magic = PASSPORTS[path]
    body = {"body": build(s.api.body_model("POST", path), **order)} if order else {}
    passport = s.call("POST", path, 202, id=building.id, **body)
    assert passport.id and passport.building_id == building.id, passport
    assert value_of(attribute(passport, "type_")) == file_type
    status, seen = wait_for_file(s, building, passport, {"Uploaded"})
    assert status == "Uploaded", seen
    assert set(seen) <= {"Creating", "Uploaded"}, seen
    files = s.call("GET", "/building/{buildingId}/files", 200, building_id=building.id)
    assert passport.id in {f.id for f in files}
    link = s.call(
        "GET", "/building/{buildingId}/files/{id}/download", 200, building_id=building.id, id=passport.id
    )
    assert link.url, link
    downloaded = httpx.get(link.url, timeout=10)  # the URL is the mock's own, outside the API
    assert downloaded.status_code == 200, downloaded.text[:300]
    assert downloaded.content.startswith(magic), downloaded.content[:40]
    return downloaded.content


ELEMENTS: list[dict[str, Any]] = [
    {
        "id": "2O2Fr$t4X7Zf8NOew3FLOH",
        "name": "Wand beton 200 mm",
        "material_name": "Beton C20/25",
        "type_name": "Basic Wall:Beton 200",
        "element_class": "IfcWall",
        "volume": 12.4,
        "area": 62.0,
        "classification_lookup": "21.12",
        "phase_lookup": "Nieuwbouw",
        "floor": "00 begane grond",
    },
    {
        "id": "1kTvXnbbzCWw8lcMd1dR4o",
        "name": "Vloer kanaalplaat 250 mm",
        "material_name": "Beton C30/37",
        "element_class": "IfcSlab",
        "volume": 30.5,
        "area": 122.0,
        "classification_lookup": "23.21",
        "floor": "01 eerste verdieping",
    },
    {
        "id": "3mE1Gq0MD4xBWsbvTiqz3e",
        "name": "Kozijn hout",
        "material_name": "Hout - vuren",
        "element_class": "IfcWindow",
        "volume": 0.35,
        "classification_lookup": "31.21",
        "floor": "00 begane grond",
    },
]


def elements_json(s: Session, building: Any, file: Any) -> list[dict[str, Any]]:
    """The file's elements as the API answered them (JSON: mappings and matches as sent back)."""
    path = "/building/{buildingId}/files/{fileId}/elements"
    s.call("GET", path, 200, building_id=building.id, file_id=file.id)
    return json.loads(s.last.content)


def mapped_to(element: dict[str, Any]) -> str | None:
    return (element.get("mapping") or {}).get("id")


VALIDATION_TESTS: dict[str, Any] = {
    # docs/mock.md, "What the mock computes": the test behind each validation figure, restated
    # from the client's side on the elements as answered (known mass needs densities: not checked)
    "ClassificationAssigned": lambda e: bool((e.get("classificationMatch") or {}).get("id")),
    "VolumeBaseQuantityAssigned": lambda e: (e.get("volume") or 0) > 0,
    "AreaBaseQuantityAssigned": lambda e: (e.get("area") or 0) > 0,
    "LengthBaseQuantityAssigned": lambda e: (e.get("length") or 0) > 0,
    "BaseQuantitiesAssigned": lambda e: any((e.get(n) or 0) > 0 for n in ("volume", "area", "length")),
    "MaterialSpecified": lambda e: bool(e.get("materialName")) or bool(mapped_to(e)),
    "ElementsMapped": lambda e: bool(mapped_to(e)),
}


def expected_validation(elements: list[dict[str, Any]]) -> dict[str, float]:
    """Each figure the elements decide: the share (0-100, two decimals) of the elements passing its
    test, by number and weighted by volume."""
    total_volume = sum(e.get("volume") or 0 for e in elements)
    out: dict[str, float] = {}
    for name, test in VALIDATION_TESTS.items():
        passing = [e for e in elements if test(e)]
        out[f"percentage{name}ByNumber"] = round(100 * len(passing) / len(elements), 2) if elements else 0.0
        volume = sum(e.get("volume") or 0 for e in passing)
        out[f"percentage{name}ByVolume"] = round(100 * volume / total_volume, 2) if total_volume else 0.0
    return out


def check_figures(s: Session, building: Any, file: Any, elements: list[dict[str, Any]]) -> None:
    """What the platform derives from the file's elements: the status counts and message, the
    file's validation and, with the file the building's only active Source file, the building's."""
    count, mapped = len(elements), sum(1 for e in elements if mapped_to(e))
    assert count, "no elements to derive figures from"
    if s.has("GET", "/building/{buildingId}/files/{id}/status"):
        s.call("GET", "/building/{buildingId}/files/{id}/status", 200, building_id=building.id, id=file.id)
        status = json.loads(s.last.content)
        assert (status["elementCount"], status["elementProcessedCount"]) == (count, count), status
        assert status["statusMessage"] == f"{mapped} of {count} elements mapped", status
    expected = expected_validation(elements)
    s.call("GET", "/building/{buildingId}/files/{id}", 200, building_id=building.id, id=file.id)
    validation = json.loads(s.last.content).get("validation")
    if validation is not None:
        decided = {k: v for k, v in validation.items() if k in expected}
        assert decided and decided == {k: expected[k] for k in decided}, (validation, expected)
    if s.has("GET", "/building/{id}/validation"):
        s.call("GET", "/building/{id}/validation", 200, id=building.id)
        figures = json.loads(s.last.content)
        decided = {k: v for k, v in figures.items() if k in expected}
        assert decided and decided == {k: expected[k] for k in decided}, (figures, expected)
        s.call("GET", "/building/{id}/validation", 200, id=building.id)
        assert json.loads(s.last.content) == figures  # the same state, the same answer
