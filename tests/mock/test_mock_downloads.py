"""Downloads and images are served as attachments no browser renders, to a signed link or a key
whose scope reaches the owner (``mockserver/platform/downloads.py``)."""

from __future__ import annotations

import calendar
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.platform import downloads
from tests.mock.conftest import READ, TOKENS, WRITE, real_app
from tests.mock.lifecycle_helpers import OCTET, file_url, first_building, new_file
from tests.mock.test_mock_attachments import multipart

V3 = "/api/v3.0"
SECURED = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}


@pytest.fixture
def app(spec_cache: dict) -> Any:
    return real_app("v3.0", 30855, spec_cache, tokens=TOKENS)


def _image_url(client: Any, name: str, content: bytes, media: str) -> tuple[str, str]:
    """(building id, the signed URL of an image uploaded to the first building)."""
    building = first_building(client)
    sent = multipart("file", name, content, media)
    assert client.post(f"{V3}/building/{building}/images", headers=WRITE, **sent).status_code == 204
    return building, client.get(f"{V3}/building/{building}/images", headers=READ).json[-1]["url"]


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.mark.parametrize(
    "media",
    ["text/html", "text/html; charset=utf-8", "image/svg+xml", "application/xhtml+xml", "text/javascript"],
)
def test_a_type_a_browser_would_render_is_served_as_octet_stream_with_nosniff(app: Any, media: str) -> None:
    client = app.test_client()
    _, url = _image_url(client, "x.html", b"<script>alert(1)</script>", media)
    served = client.get(_local(url))
    assert served.status_code == 200 and served.data == b"<script>alert(1)</script>"
    assert served.mimetype == "application/octet-stream"
    assert {k: served.headers.get(k) for k in SECURED} == SECURED
    assert served.headers["Content-Disposition"].startswith("attachment;")


def test_an_inert_type_is_served_as_uploaded(app: Any) -> None:
    client = app.test_client()
    _, url = _image_url(client, "gevel.jpg", b"\xff\xd8 jpeg", "image/jpeg")
    served = client.get(_local(url))
    assert served.mimetype == "image/jpeg" and served.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("..%2F..%2Fetc%2Fpasswd", "passwd"),
        ("a%0D%0ASet-Cookie%3A%20x%3D1.ifc", "aSet-Cookie: x=1.ifc"),
        ("%2E%2E", "file"),
        ("r%C3%A9sum%C3%A9%E2%80%AE.ifc", "résumé.ifc"),
    ],
)
def test_a_hostile_file_name_is_sanitised_in_the_url_and_the_disposition(
    app: Any, sent: str, shown: str
) -> None:
    client = app.test_client()
    building = first_building(client)
    file_id = new_file(app, client, building)["id"]
    uploaded = client.post(
        f"{file_url(building, file_id)}/upload/{sent}", data=b"ISO-10303-21;", headers=OCTET
    )
    assert uploaded.status_code in (201, 202), uploaded.data
    url = client.get(f"{file_url(building, file_id)}/download", headers=WRITE).json["url"]
    assert "\r" not in url and "\n" not in url
    assert unquote(urlsplit(url).path).rsplit("/", 1)[-1] == shown
    served = client.get(_local(url))
    assert served.status_code == 200 and served.data == b"ISO-10303-21;"
    header = served.headers["Content-Disposition"]
    assert header.endswith("filename*=UTF-8''" + downloads.quote(shown, safe=""))
    assert "/" not in header.split("filename*=", 1)[1] and "\r" not in header and "\n" not in header


@given(st.text(max_size=80))
def test_any_name_gives_a_disposition_without_folders_or_control_characters(name: str) -> None:
    clean = downloads.safe_name(name)
    assert clean and "/" not in clean and "\\" not in clean and not clean.startswith(".")
    assert all(ord(c) >= 32 and c not in "\x7f\u2028\u2029\u202e" for c in clean)
    header = downloads.disposition(name)
    assert header.isascii() and all(32 <= ord(c) < 127 for c in header)
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert '"' not in fallback and ";" not in fallback
    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == clean


def test_an_image_url_without_its_signature_needs_a_key_whose_scope_reaches_the_building(app: Any) -> None:
    client = app.test_client()
    building, url = _image_url(client, "a.png", b"png", "image/png")
    bare = urlsplit(url).path
    assert client.get(bare).status_code == 401
    assert client.get(bare, headers={"X-API-Key": "old-key-123"}).status_code == 401  # expired key
    outside = client.get(bare, headers={"X-API-Key": "scoped-building"})
    assert outside.status_code == 403 and "limited to building:" in outside.json["detail"]
    assert client.get(bare, headers=READ).data == b"png"
    other = client.get(f"{V3}/building", headers=READ).json[1]["id"]
    assert client.get(bare.replace(building, other), headers=READ).status_code == 404


def test_a_tampered_or_expired_link_opens_nothing(app: Any) -> None:
    client = app.test_client()
    building, url = _image_url(client, "a.png", b"png", "image/png")
    path, query = urlsplit(url).path, parse_qs(urlsplit(url).query)
    assert client.get(_local(url)).status_code == 200
    later = int(query["expires"][0]) + 3600
    assert client.get(f"{path}?expires={later}&signature={query['signature'][0]}").status_code == 401
    other = client.get(f"{V3}/building", headers=READ).json[1]["id"]
    moved = _local(url).replace(building, other)
    assert client.get(moved).status_code == 401  # the signature covers the path
    past = int(time.time()) - 1
    expired = client.get(f"{path}?expires={past}&signature={downloads.signature(unquote(path), past)}")
    assert expired.status_code == 401 and "expired" in expired.json["detail"]


def test_the_download_answer_carries_a_link_expiring_with_it(app: Any) -> None:
    client = app.test_client()
    building = first_building(client)
    file_id = new_file(app, client, building)["id"]
    client.post(f"{file_url(building, file_id)}/upload/m.ifc", data=b"ISO-10303-21;", headers=OCTET)
    answer = client.get(f"{file_url(building, file_id)}/download", headers=WRITE).json
    expires = int(parse_qs(urlsplit(answer["url"]).query)["expires"][0])
    stated = calendar.timegm(time.strptime(answer["expirationDateTime"], "%Y-%m-%dT%H:%M:%SZ"))
    assert abs(expires - stated) <= 1 and 3500 < expires - time.time() <= 3600
