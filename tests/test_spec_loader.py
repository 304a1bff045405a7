"""Reading specs: every broken document gives one message naming the file, the location and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.errors import SpecError
from contracts.spec_loader import api_version, build_label, load_spec_file
from tests.conftest import real_builds, requires_shared


@pytest.mark.parametrize(
    ("content", "reason", "location"),
    [
        (b'{"openapi": "3.0.1",\n "info": }', "invalid JSON", "line 2 column"),
        (b"openapi: 3.0.1\ninfo: [\n", "invalid YAML", "line 3"),
        (b"", "the document is empty", None),
        (b"\xff\xfe\x00", "not UTF-8 text", None),
        (b"- a\n- b\n", "expected a mapping at the top level", None),
        (b'{"swagger": "2.0"}', "Swagger 2.0 is not supported", "swagger"),
        (b'{"openapi": "2.5.0"}', "unsupported OpenAPI version", "openapi"),
        (b'{"info": {}}', "no 'openapi' field", None),
        (
            b'{"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {"x": {}}}',
            "invalid OpenAPI",
            "#/paths",
        ),
    ],
)
def test_broken_documents(tmp_path: Path, content: bytes, reason: str, location: str | None) -> None:
    path = tmp_path / "spec.json"
    path.write_bytes(content)
    with pytest.raises(SpecError) as info:
        load_spec_file(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert reason in message
    if location:
        assert location in message
    assert "\n" not in message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="no such file"):
        load_spec_file(tmp_path / "absent.yaml")
    with pytest.raises(SpecError, match="is a directory"):
        load_spec_file(tmp_path)


def test_openapi_31_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("openapi: 3.1.0\ninfo: {title: 't - Build: 12', version: v4.0}\npaths: {}\n")
    doc = load_spec_file(path)
    assert build_label(doc) == "12"
    assert api_version(doc) == "v4.0"


@requires_shared
@pytest.mark.parametrize("path", real_builds(), ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_real_builds_load(path: Path) -> None:
    doc = load_spec_file(path)
    assert api_version(doc) == path.parent.name
    assert build_label(doc) == path.stem.split("-")[1]
