"""Your own fixtures: ``mock --fixtures FILE`` and ``create_app(..., fixtures=load_fixtures(...))``."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from contracts.cli import main
from contracts.errors import ContractsError
from mockserver import create_app
from mockserver.fixtures.user import load_fixtures, load_fixtures_file
from tests.conftest import PROJECT_ROOT, real_build
from tests.mock.conftest import READ
from tests.serve.mock_client import mock_process

EXAMPLE = PROJECT_ROOT / "examples" / "mock-fixtures.yaml"
PORTFOLIO = "0ec6ec6b-0ece-4f1c-9c78-c5fcdfdd2d68"
FOLDER = "3f0c2a8e-5a43-4e36-9a3c-6d1f9b7e2c10"
PRODUCT = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"


def _example() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def _specs() -> list[Path]:
    return [real_build("v3.0", 30855), real_build("v4.0", 28168)]


def test_the_example_file_extends_the_generated_fixtures() -> None:
    client = create_app(_specs(), fixtures=load_fixtures_file(EXAMPLE)).test_client()
    folders = client.get("/api/v3.0/folder", headers=READ).json
    assert FOLDER in {f["id"] for f in folders} and len(folders) > 2
    building = client.get("/api/v3.0/building/external/school-42", headers=READ).json
    assert building["name"] == "Kindcentrum De Wadden" and building["buildingUsage"] == "education-primary"
    files = client.get(f"/api/v3.0/building/{building['id']}/files", headers=READ).json
    assert [f["fileName"] for f in files] == ["Kindcentrum.ifc"]
    elements = client.get(
        f"/api/v3.0/building/{building['id']}/files/{files[0]['id']}/elements", headers=READ
    )
    assert [e["id"] for e in elements.json] == ["2hQ$Xv1kT9Bf0mWq3rZy7A"]
    children = client.get(f"/api/v4.0/commodity/{PRODUCT}/children", headers=READ).json
    assert [c["names"]["en"] for c in children] == ["Concrete C30/37", "Reinforcing steel B500B"]
    matches = client.get(f"/api/v4.0/commodity/{PRODUCT}/matches", headers=READ).json
    assert [m["value"] for m in matches] == ["gevelpaneel"]


def test_replace_keeps_only_the_file_and_the_platform_data() -> None:
    document = {**_example(), "mode": "replace"}
    client = create_app(_specs(), fixtures=load_fixtures(document, "in memory")).test_client()
    assert [f["name"] for f in client.get("/api/v3.0/folder", headers=READ).json] == [
        "Portefeuille Noord",
        "Scholen Groningen",
    ]
    assert len(client.get("/api/v3.0/building", headers=READ).json) == 1
    databases = {d["id"] for d in client.get("/api/v4.0/database", headers=READ).json}
    assert "00000000-0000-0000-0000-000000000000" in databases and len(databases) == 4
    reset = client.post("/__mock/reset")
    assert reset.status_code == 200
    assert len(client.get("/api/v3.0/building", headers=READ).json) == 1


def _broken(change) -> dict:
    document = copy.deepcopy(_example())
    change(document)
    return document


BROKEN = {
    "unknown section": (lambda d: d["v3.0"].update(towers=[{}]), "v3.0 towers: unknown section"),
    "bad mode": (lambda d: d.update(mode="merge"), "mode: 'merge' is not one of extend, replace"),
    "not a list": (lambda d: d["v3.0"].update(folders={"name": "x"}), "v3.0 folders: expected a list"),
    "unknown field": (
        lambda d: d["v3.0"]["folders"][0].update(colour="red"),
        "v3.0 folders[0] 'Portefeuille Noord': unknown field(s) colour",
    ),
    "broken link": (
        lambda d: d["v3.0"]["buildings"][0].update(folderId="11111111-1111-4111-8111-111111111111"),
        "v3.0 buildings[0] 'Kindcentrum De Wadden': folderId '11111111-1111-4111-8111-111111111111' names no folder",
    ),
    "unknown folder type": (
        lambda d: d["v3.0"]["folders"][1].update(foldertypeId="22222222-2222-4222-8222-222222222222"),
        "foldertypeId '22222222-2222-4222-8222-222222222222' names no folder_types",
    ),
    "unknown standard commodity": (
        lambda d: d["v4.0"]["children"][0].update(commodityId="33333333-3333-4333-8333-333333333333"),
        "v4.0 children[0]: commodityId '33333333-3333-4333-8333-333333333333' names no commodity",
    ),
    "schema-invalid value": (
        lambda d: d["v3.0"]["buildings"][0].update(grossSurfaceArea="big"),
        "v3.0 buildings[0] 'Kindcentrum De Wadden': grossSurfaceArea:",
    ),
    "missing parent": (
        lambda d: d["v3.0"]["files"][0].pop("buildingId"),
        "v3.0 files[0] 'Kindcentrum.ifc': buildingId is missing",
    ),
    "id used twice": (
        lambda d: d["v3.0"]["folders"][1].update(id=FOLDER),
        f"v3.0 folders[1] 'Scholen Groningen': id '{FOLDER}' is used twice",
    ),
    "unserved version": (lambda d: d.update({"v9.9": {}}), "v9.9: the platform data describes no fixture"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_fixtures_file_is_one_clear_error_and_exit_2(case: str, tmp_path: Path, capsys) -> None:
    change, expected = BROKEN[case]
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps(_broken(change)), encoding="utf-8")
    specs = [arg for spec in _specs() for arg in ("--spec", str(spec))]
    code = main(["mock", "--port", "0", *specs, "--fixtures", str(path)])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert str(path) in lines[0] and expected in lines[0], lines[0]


def test_unreadable_files_are_one_clear_error(tmp_path: Path, capsys) -> None:
    bad_yaml = tmp_path / "bad.yaml"
    bad_yaml.write_text("v3.0:\n  folders: [\n", encoding="utf-8")
    spec = str(real_build("v3.0", 30855))
    for path, expected in (
        (tmp_path / "absent.yaml", "no such fixtures file"),
        (bad_yaml, "invalid YAML at line"),
    ):
        assert main(["mock", "--port", "0", "--spec", spec, "--fixtures", str(path)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and expected in err, err


def test_a_version_the_mock_does_not_serve_is_refused() -> None:
    fixtures = load_fixtures({"v4.0": {"databases": [{"names": {"en": "x"}}]}}, "mine.yaml")
    with pytest.raises(ContractsError, match=r"mine.yaml: v4.0 is not served \(served: v3.0\)"):
        create_app([real_build("v3.0", 30855)], fixtures=fixtures)


def test_the_command_serves_the_fixtures() -> None:
    """End to end: the example file served over HTTP by ``madaster-contracts mock``."""
    import requests

    specs = [arg for spec in _specs() for arg in ("--spec", str(spec))]
    with mock_process(*specs, "--fixtures", str(EXAMPLE)) as mock:
        answer = requests.get(f"{mock.base_url}/api/v3.0/folder/external/pf-noord", headers=READ, timeout=10)
        assert answer.status_code == 200 and answer.json()["foldertypeId"] == PORTFOLIO
        mock.stop()
