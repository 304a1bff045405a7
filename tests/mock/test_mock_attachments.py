"""v4.0 commodity files and images, v3.0 building images: an upload is kept under the name it
carries, listed, served back byte for byte, and gone once deleted (rules in
``contracts/platform/data/attachments.yaml``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.platform.attachments import load_attachments
from mockserver.validation.response import lenient_response, validate_response
from tests.mock.conftest import READ, WRITE, operation, real_app, runtime_of

V4 = "/api/v4.0"
BUILDS = [17265, 28168]


def multipart(part: str, filename: str, content: bytes, media: str = "application/pdf") -> dict[str, Any]:
    disposition = f'form-data; name="{part}"; filename="{filename}"'.encode()
    body = (
        b"--b0undary\r\nContent-Disposition: " + disposition + b"\r\nContent-Type: " + media.encode()
        + b"\r\n\r\n" + content + b"\r\n--b0undary--\r\n"
    )  # fmt: skip
    return {"data": body, "content_type": "multipart/form-data; boundary=b0undary"}


def own_commodity(client: Any) -> str:
    """A commodity of the account's own database (the fixtures hold two products there)."""
    databases = client.get(f"{V4}/database", headers=READ).json
    own = next(d for d in databases if not d.get("readOnly"))
    return client.get(f"{V4}/database/{own['id']}/commodities", headers=READ).json[0]["id"]


def problems_of(app: Any, method: str, path: str, answer: Any) -> list[Any]:
    """What in ``answer`` breaks the build's contract, as the platform reads it (leniencies applied)."""
    op, runtime = operation(app, "v4.0", method, path), runtime_of(app, "v4.0")
    status, media = answer.status_code, answer.headers.get("Content-Type", "")
    found = validate_response(op, runtime.schemas, status, media, answer.data)
    return lenient_response(runtime, op, status, answer.data, found)[0]


def download(client: Any, url: str) -> Any:
    parts = urlsplit(url)  # served by the mock itself: the signed link needs no key
    return client.get(f"{parts.path}?{parts.query}")


@pytest.fixture(params=BUILDS, ids=[f"build-{b}" for b in BUILDS])
def app(request: pytest.FixtureRequest, spec_cache: dict) -> Any:
    return real_app("v4.0", request.param, spec_cache)


def test_every_rule_names_operations_of_a_real_build(spec_cache: dict) -> None:
    rules = load_attachments()
    apps = {"v4.0": real_app("v4.0", 28168, spec_cache), "v3.0": real_app("v3.0", 30855, spec_cache)}
    for rule in [*rules.files, *rules.images]:
        method, path = rule.upload.split(" ", 1)
        version = "v4.0" if path.startswith("/commodity") else "v3.0"
        assert operation(apps[version], version, method, path.replace("{}", "{id}"))


def test_an_uploaded_file_is_listed_under_its_name_and_served_back(app: Any) -> None:
    client = app.test_client()
    commodity = own_commodity(client)
    before = client.get(f"{V4}/commodity/{commodity}/files", headers=READ).json
    sent = multipart("file", "Technisch blad v2.pdf", b"%PDF-1.7 sheet")
    answer = client.post(f"{V4}/commodity/{commodity}/files/upload", headers=WRITE, **sent)
    assert answer.status_code == 200, answer.data
    entry = answer.json
    assert entry["fileName"] == "Technisch blad v2.pdf"
    assert entry["folderNames"]["en"] == "Product data sheets"
    assert not problems_of(app, "POST", "/commodity/{id}/files/upload", answer)
    listed = client.get(f"{V4}/commodity/{commodity}/files", headers=READ).json
    assert listed == [*before, entry]
    served = download(client, entry["url"])
    assert served.status_code == 200 and served.data == b"%PDF-1.7 sheet"
    assert served.mimetype == "application/pdf"
    assert client.delete(f"{V4}/commodity/{commodity}/files/{entry['id']}", headers=WRITE).status_code == 202
    assert client.get(f"{V4}/commodity/{commodity}/files", headers=READ).json == before
    assert download(client, entry["url"]).status_code == 404


def test_an_image_joins_the_commodity_and_goes_when_deleted(app: Any) -> None:
    client = app.test_client()
    commodity = own_commodity(client)
    for content in (b"\x89PNG first", b"\x89PNG second"):  # the same name again replaces it
        sent = multipart("image", "front.png", content, "image/png")
        assert client.post(f"{V4}/commodity/{commodity}/images", headers=WRITE, **sent).status_code == 202
    read = client.get(f"{V4}/commodity/{commodity}", headers=READ)
    images = read.json["images"]
    assert [i["name"] for i in images] == ["front.png"]
    assert not problems_of(app, "GET", "/commodity/{id}", read)
    served = download(client, images[0]["url"])
    assert served.data == b"\x89PNG second" and served.mimetype == "image/png"
    assert client.delete(f"{V4}/commodity/{commodity}/images/front.png", headers=WRITE).status_code == 202
    assert client.get(f"{V4}/commodity/{commodity}", headers=READ).json["images"] == []
    assert download(client, images[0]["url"]).status_code == 404
    missing = client.delete(f"{V4}/commodity/{commodity}/images/front.png", headers=WRITE)
    assert missing.status_code == 404 and "has no image 'front.png'" in missing.json["detail"]


def test_uploads_to_a_commodity_the_platform_does_not_have_are_404(app: Any) -> None:
    client = app.test_client()
    nobody = "6e943637-0163-4e94-8c17-f0dd7ee4eed5"
    sent = multipart("file", "a.pdf", b"%PDF")
    assert client.post(f"{V4}/commodity/{nobody}/files/upload", headers=WRITE, **sent).status_code == 404
    image = multipart("image", "a.png", b"png", "image/png")
    assert client.post(f"{V4}/commodity/{nobody}/images", headers=WRITE, **image).status_code == 404


def test_a_read_token_cannot_attach(app: Any) -> None:
    client = app.test_client()
    commodity = own_commodity(client)
    sent = multipart("file", "a.pdf", b"%PDF")
    assert client.post(f"{V4}/commodity/{commodity}/files/upload", headers=READ, **sent).status_code == 403
    assert client.get(f"{V4}/commodity/{commodity}/files", headers=READ).json[-1]["fileName"] != "a.pdf"


NAMES = st.text(
    st.characters(codec="utf-8", exclude_characters='"\\/\r\n', exclude_categories=["Cs", "Cc"]),
    min_size=1,
    max_size=30,
).filter(lambda name: name.strip() == name and name not in (".", ".."))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES, content=st.binary(max_size=2048))
def test_any_file_name_and_bytes_come_back_as_sent(v4: Any, name: str, content: bytes) -> None:
    client = v4.test_client()  # one app for every example: each upload is a new entry
    commodity = own_commodity(client)
    sent = multipart("file", name, content, "application/octet-stream")
    entry = client.post(f"{V4}/commodity/{commodity}/files/upload", headers=WRITE, **sent).json
    assert entry["fileName"] == name
    assert download(client, entry["url"]).data == content


V3_BUILDINGS = [18991, 28168, 30855]  # 7980 has no building images


@pytest.mark.parametrize("build", V3_BUILDINGS, ids=[f"build-{b}" for b in V3_BUILDINGS])
def test_building_images_are_listed_served_and_deleted(spec_cache: dict, build: int) -> None:
    app = real_app("v3.0", build, spec_cache)
    client = app.test_client()
    building = client.get("/api/v3.0/building", headers=READ).json[0]["id"]
    images = f"/api/v3.0/building/{building}/images"
    assert client.get(images, headers=READ).json == []
    sent = multipart("file", "gevel noord.jpg", b"\xff\xd8\xff jpeg", "image/jpeg")
    assert client.post(images, headers=WRITE, **sent).status_code == 204
    listed = client.get(images, headers=READ)
    assert [i["fileName"] for i in listed.json] == ["gevel noord.jpg"]
    op, runtime = operation(app, "v3.0", "GET", "/building/{id}/images"), runtime_of(app, "v3.0")
    assert not validate_response(op, runtime.schemas, 200, listed.headers["Content-Type"], listed.data)
    served = download(client, listed.json[0]["url"])
    assert served.data == b"\xff\xd8\xff jpeg" and served.mimetype == "image/jpeg"
    assert client.delete(f"{images}/gevel%20noord.jpg", headers=WRITE).status_code == 204
    assert client.get(images, headers=READ).json == []
    assert client.delete(f"{images}/gevel%20noord.jpg", headers=WRITE).status_code == 404
    assert download(client, listed.json[0]["url"]).status_code == 404


def test_deleting_a_building_deletes_its_images(v3: Any) -> None:
    client = v3.test_client()
    building = client.get("/api/v3.0/building", headers=READ).json[0]["id"]
    sent = multipart("file", "a.png", b"png", "image/png")
    assert client.post(f"/api/v3.0/building/{building}/images", headers=WRITE, **sent).status_code == 204
    url = client.get(f"/api/v3.0/building/{building}/images", headers=READ).json[0]["url"]
    assert client.delete(f"/api/v3.0/building/{building}", headers=WRITE).status_code in (200, 202, 204)
    assert download(client, url).status_code == 404
    store = v3.extensions["mockserver"]["store"]
    assert not [k for k in store.list("~images")], "the images of a deleted building are kept"
