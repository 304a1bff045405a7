"""The v3.0 programs of the platform's published examples that are not C#, driven with a
generated client: python3/example.py and a building's photos (the C# programs are in
``workflows_csharp.py``; the steps they share in ``steps_v3.py``)."""

from __future__ import annotations

import io
import zipfile

import httpx

from tests.clients.steps import Session
from tests.clients.steps_v3 import (
    ELEMENTS,
    SMALL_IFC,
    activate_until_clean,
    add_elements,
    check_figures,
    create_source_file,
    elements_json,
    passport,
    refine_until_mapped,
    setup_building,
    upload,
    wait_for_file,
)


def python_example(s: Session) -> None:
    """python3/example.py: account, Portfolio folder, building, a Source file with elements (or an
    IFC upload where the build cannot open a file), Mapped, activated, passports downloaded."""
    made = setup_building(s)
    building = made["building"]
    file = create_source_file(s, building, made["nl_sfb"].id, "Constructie.ifc")
    if s.has("POST", "/building/{buildingId}/files/{id}/setimporting"):
        add_elements(s, building, file, ELEMENTS)
        refine_until_mapped(s, building, file)
    else:  # builds without setimporting: the example's other route, an IFC upload
        upload(s, building, file, "Constructie.ifc", SMALL_IFC)
        status, seen = wait_for_file(s, building, file, {"Mapped"})
        assert status == "Mapped", seen
    activate_until_clean(s, building, file)
    check_figures(s, building, file, elements_json(s, building, file))
    pdf = passport(s, building, "/building/{id}/exportpassport")
    assert pdf.rstrip().endswith(b"%%EOF"), pdf[-40:]
    xlsx = passport(s, building, "/building/{id}/exportexcelpassport")
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(xlsx)).namelist()
    if s.has("POST", "/building/{id}/passport"):  # not in build 7980
        passport(s, building, "/building/{id}/passport", passport_type="OnePager", language="nl")


def building_images(s: Session) -> None:
    """Photos of a new building: uploaded with the generated multipart model, listed by name,
    fetched back from their URLs, deleted (a second delete is a 404)."""
    building = setup_building(s)["building"]
    photos = {"gevel noord.jpg": b"\xff\xd8\xff\xe0 noord", "entree.png": b"\x89PNG\r\n\x1a\n entree"}
    model = s.api.body_model("POST", "/building/{id}/images")
    for name, content in photos.items():
        media = "image/png" if name.endswith(".png") else "image/jpeg"
        file = s.api.upload_body(content, name, media)
        s.call("POST", "/building/{id}/images", 204, id=building.id, body=model(file=file))
    listed = s.call("GET", "/building/{id}/images", 200, id=building.id)
    assert [i.file_name for i in listed] == list(photos), listed
    for image in listed:
        fetched = httpx.get(image.url, timeout=10)
        assert fetched.status_code == 200 and fetched.content == photos[image.file_name]
    s.call("DELETE", "/building/{id}/images/{fileName}", 204, id=building.id, file_name="gevel noord.jpg")
    s.missing("DELETE", "/building/{id}/images/{fileName}", id=building.id, file_name="gevel noord.jpg")
    left = s.call("GET", "/building/{id}/images", 200, id=building.id)
    assert [i.file_name for i in left] == ["entree.png"], left
