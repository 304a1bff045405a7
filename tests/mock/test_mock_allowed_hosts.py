"""DNS rebinding: the API, downloads and images answer local Host names and ``--allowed-host`` ones only."""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import urlsplit

import pytest

from mockserver.auth.admin_guard import allow_host
from tests.conftest import real_build
from tests.mock.conftest import READ, WRITE, body_for
from tests.mock.test_mock_attachments import multipart

V3 = "/api/v3.0"
FOREIGN = ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example:80"]


@pytest.mark.parametrize("host", FOREIGN)
def test_a_foreign_host_gets_a_421_and_changes_nothing(v3: Any, host: str) -> None:
    client = v3.test_client()
    before = client.get(f"{V3}/building", headers=WRITE).json
    folder = client.get(f"{V3}/folder", headers=WRITE).json[0]["id"]
    body = body_for(v3, "v3.0", "POST", "/building", folderId=folder)
    read = client.get(f"{V3}/building", headers={**WRITE, "Host": host})
    created = client.post(f"{V3}/building", json=body, headers={**WRITE, "Host": host})
    for answer in (read, created):
        assert answer.status_code == 421, answer.data
        assert answer.mimetype == "application/problem+json" and answer.json["status"] == 421
        assert "--allowed-host" in answer.json["detail"]
    assert client.get(f"{V3}/building", headers=WRITE).json == before


@pytest.mark.parametrize("host", FOREIGN)
def test_downloads_and_images_answer_local_hosts_only(v3: Any, host: str) -> None:
    client = v3.test_client()
    building = client.get(f"{V3}/building", headers=READ).json[0]["id"]
    sent = multipart("file", "a.jpg", b"\xff\xd8 jpeg", "image/jpeg")
    assert client.post(f"{V3}/building/{building}/images", headers=WRITE, **sent).status_code == 204
    url = urlsplit(client.get(f"{V3}/building/{building}/images", headers=READ).json[0]["url"])
    target = url.path + (f"?{url.query}" if url.query else "")
    assert client.get(target).status_code == 200
    foreign = client.get(target, headers={"Host": host})
    assert foreign.status_code == 421 and foreign.mimetype == "application/problem+json"


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "127.0.0.1:9", "[::1]:8080", "LocalHost"])
def test_local_names_are_answered(v3: Any, host: str) -> None:
    assert v3.test_client().get(f"{V3}/account", headers={**READ, "Host": host}).status_code == 200


def test_an_allowed_host_is_answered(v3: Any) -> None:
    client = v3.test_client()
    headers = {**READ, "Host": "mock.internal:8080"}
    assert client.get(f"{V3}/account", headers=headers).status_code == 421
    allow_host(v3, "mock.internal")
    assert client.get(f"{V3}/account", headers=headers).status_code == 200
    assert client.get(f"{V3}/account", headers={**READ, "Host": "other.internal"}).status_code == 421


def test_the_command_takes_allowed_host_names(tmp_path: Any) -> None:
    from mockserver.command import add_arguments, build_app

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        [
            "--spec",
            str(real_build("v3.0", 30855)),
            "--allowed-host",
            "mock.internal",
            "--allowed-host",
            "Dev.Box",
        ]
    )
    app = build_app(args).app
    client = app.test_client()
    for host in ("mock.internal", "dev.box:8080", "localhost"):
        assert client.get(f"{V3}/account", headers={**READ, "Host": host}).status_code == 200, host
    assert client.get(f"{V3}/account", headers={**READ, "Host": "evil.example"}).status_code == 421
