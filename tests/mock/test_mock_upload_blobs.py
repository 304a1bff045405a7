"""Upload bytes live in a folder, not in the process (``mockserver/state/blobs.py``): the store
keeps a small record, the folder has a total cap (507 past it, 413 for one upload beyond it),
files of deleted entities are collected, and a reset empties it."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from mockserver.platform.downloads import BLOBS
from mockserver.state.blobs import BlobFolder
from mockserver.state.memory_store import MemoryStore
from mockserver.state.sqlite_store import SqliteStore
from tests.mock.conftest import READ, WRITE, real_app
from tests.mock.test_mock_attachments import multipart

V3 = "/api/v3.0"
MIB = 1024 * 1024


def _upload(client: Any, building: str, name: str, content: bytes) -> Any:
    sent = multipart("file", name, content, "image/png")
    return client.post(f"{V3}/building/{building}/images", headers=WRITE, **sent)


def _fetch(client: Any, building: str, name: str) -> bytes:
    images = client.get(f"{V3}/building/{building}/images", headers=READ).json
    url = urlsplit(next(i["url"] for i in images if i["fileName"] == name))
    answer = client.get(f"{url.path}?{url.query}")
    assert answer.status_code == 200
    return answer.data


@pytest.fixture(params=["memory", "sqlite"])
def app(request: pytest.FixtureRequest, spec_cache: dict, tmp_path: Path) -> Any:
    store = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "state.db")
    return real_app("v3.0", 30855, spec_cache, store=store)


def _folder(app: Any) -> BlobFolder:
    return app.extensions["mockserver"]["store"].blobs


def test_the_store_keeps_a_small_record_and_the_bytes_are_in_the_folder(app: Any, tmp_path: Path) -> None:
    client = app.test_client()
    building = client.get(f"{V3}/building", headers=READ).json[0]["id"]
    content = bytes(range(256)) * 4096  # 1 MiB
    assert _upload(client, building, "big.png", content).status_code == 204
    records = app.extensions["mockserver"]["store"].list(BLOBS)
    assert len(records) == 1 and len(json.dumps(records[0])) < 1024 and "data" not in records[0]
    assert Path(records[0]["path"]).read_bytes() == content and records[0]["size"] == MIB
    assert _fetch(client, building, "big.png") == content
    if isinstance(getattr(app.extensions["mockserver"]["store"], "inner", None), SqliteStore):
        assert Path(records[0]["path"]).parent == tmp_path / "state.db.blobs"


def test_past_the_cap_an_upload_is_a_507_and_space_comes_back(app: Any) -> None:
    client = app.test_client()
    _folder(app).cap = 2 * MIB + MIB // 2
    first, second = (b["id"] for b in client.get(f"{V3}/building", headers=READ).json[:2])
    for n in range(2):
        assert _upload(client, first, f"{n}.png", bytes([n]) * MIB).status_code == 204
    refused = _upload(client, second, "third.png", b"3" * MIB)
    assert refused.status_code == 507 and "exceed" in refused.json["detail"]
    assert client.get(f"{V3}/building/{second}/images", headers=READ).json == []
    whole = _upload(client, second, "huge.png", b"h" * (3 * MIB))
    assert whole.status_code == 413
    assert client.delete(f"{V3}/building/{first}/images/0.png", headers=WRITE).status_code == 204
    assert _upload(client, second, "third.png", b"3" * MIB).status_code == 204
    assert client.delete(f"{V3}/building/{first}", headers=WRITE).status_code < 300  # its image: no record
    assert _upload(client, second, "fourth.png", b"4" * MIB).status_code == 204  # the orphan was collected
    assert _fetch(client, second, "third.png") == b"3" * MIB
    assert _folder(app).used() == 2 * MIB


def test_a_reset_empties_the_folder(app: Any) -> None:
    client = app.test_client()
    building = client.get(f"{V3}/building", headers=READ).json[0]["id"]
    assert _upload(client, building, "a.png", b"a" * 1000).status_code == 204
    assert _folder(app).used() == 1000
    assert client.post("/__mock/reset").status_code == 200
    assert _folder(app).used() == 0 and list(_folder(app).folder.iterdir()) == []


def test_a_memory_store_removes_its_temporary_folder_with_it() -> None:
    store = MemoryStore()
    path = store.blobs.write("k", b"bytes", set)
    assert path.read_bytes() == b"bytes"
    del store
    gc.collect()
    assert not path.parent.exists()


def test_a_commodity_file_with_no_room_is_a_507_and_leaves_no_entry(spec_cache: dict) -> None:
    from tests.mock.test_mock_attachments import own_commodity

    app = real_app("v4.0", 28168, spec_cache)
    client = app.test_client()
    _folder(app).cap = MIB
    commodity = own_commodity(client)
    before = client.get(f"/api/v4.0/commodity/{commodity}/files", headers=READ).json
    sent = multipart("file", "sheet.pdf", b"%PDF" + b"x" * MIB)
    answer = client.post(f"/api/v4.0/commodity/{commodity}/files/upload", headers=WRITE, **sent)
    assert answer.status_code == 413
    _folder(app).cap = MIB + MIB // 2
    client.post(
        f"/api/v4.0/commodity/{commodity}/files/upload",
        headers=WRITE,
        **multipart("file", "a.pdf", b"a" * MIB),
    )
    answer = client.post(f"/api/v4.0/commodity/{commodity}/files/upload", headers=WRITE, **sent)
    assert answer.status_code == 507
    listed = client.get(f"/api/v4.0/commodity/{commodity}/files", headers=READ).json
    assert [f["fileName"] for f in listed] == [f["fileName"] for f in before] + ["a.pdf"]
