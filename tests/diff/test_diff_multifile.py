"""Specs split across files: relative $ref to JSON/YAML files in diff, snapshot import, test and mock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.cli import main
from contracts.diff import diff_specs
from contracts.errors import SpecError
from contracts.spec_loader import load_spec_file
from tests.conftest import contracts_command, real_build
from tests.diff.split_specs import LIST, single_file_equivalent, write_split_spec
from tests.serve.mock_client import READ, mock_process


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_split_spec_loads_as_one_self_contained_document(tmp_path: Path) -> None:
    doc = load_spec_file(write_split_spec(tmp_path))  # validated as OpenAPI too
    text = json.dumps(doc)
    refs = [part.split('"')[0] for part in text.split('"$ref": "')[1:]]
    assert refs and all(r.startswith("#/components/schemas/") for r in refs)
    # path items from other files are put in place; the root's alias takes the file's content;
    # the cycle thing.json -> owner.yaml -> thing.json stays a cycle of local references
    assert "get" in doc["paths"]["/api/v3.0/thing/{id}"]
    schemas = doc["components"]["schemas"]
    assert set(schemas) == {"Thing", "owner"}
    assert schemas["Thing"]["properties"]["parent"] == {"$ref": "#/components/schemas/Thing"}
    assert schemas["Thing"]["properties"]["owner"] == {"$ref": "#/components/schemas/owner"}
    assert schemas["owner"]["properties"]["things"]["items"] == {"$ref": "#/components/schemas/Thing"}


def test_parameters_and_responses_from_other_files_become_their_components(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.1\ninfo: {title: t, version: v3.0}\npaths:\n  /api/v3.0/a:\n    get:\n"
        "      parameters: [{$ref: 'common.yaml#/Page'}]\n"
        "      responses: {'404': {$ref: 'common.yaml#/NotFound'}, '200': {description: ok}}\n"
        "components:\n  schemas:\n    Page: {type: string}\n"
    )
    (tmp_path / "common.yaml").write_text(
        "Page: {name: page, in: query, schema: {type: integer}}\n"
        "NotFound: {description: gone, content: {application/json: {schema: {$ref: '#/Problem'}}}}\n"
        "Problem: {type: object, properties: {title: {type: string}}}\n"
    )
    doc = load_spec_file(tmp_path / "api.yaml")
    get = doc["paths"]["/api/v3.0/a"]["get"]
    assert get["parameters"] == [{"$ref": "#/components/parameters/Page"}]
    assert get["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}
    components = doc["components"]
    assert components["schemas"]["Page"] == {"type": "string"}  # the root's own component kept
    assert components["parameters"]["Page"]["schema"] == {"type": "integer"}
    problem = components["responses"]["NotFound"]["content"]["application/json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}


def test_split_spec_is_no_change_against_its_single_file_form(tmp_path: Path) -> None:
    split = load_spec_file(write_split_spec(tmp_path))
    assert diff_specs(single_file_equivalent(), split).changes == []
    assert diff_specs(split, single_file_equivalent()).changes == []


def test_cli_diff_finds_a_change_inside_another_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write_split_spec(tmp_path / "old")
    new = write_split_spec(tmp_path / "new", energy_nullable=True)
    for extra in ([], ["--validate"]):
        code, out, err = run(capsys, "diff", str(old), str(new), "--format", "json", *extra)
        assert code == 1 and err == ""
        found = {(c["id"], c["operation"], c["location"]) for c in json.loads(out)["changes"]}
        assert (
            "response-property-became-nullable",
            "GET /api/v3.0/thing/{id}",
            "response.200.energyIndex",
        ) in found
        assert (
            "response-property-became-nullable",
            "GET /api/v3.0/thing",
            "response.200[].energyIndex",
        ) in found


def _break(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    path.write_text(path.read_text().replace(old, new))


@pytest.mark.parametrize(
    ("file", "old", "new", "needle"),
    [
        ("api.yaml", "paths/things.yaml", "paths/absent.yaml", "no such file"),
        (
            "paths/thing.yaml",
            "../schemas/thing.json#/Thing",
            "../schemas/thing.json#/Nothing",
            "no /Nothing in",
        ),
        ("api.yaml", "schemas/thing.json#/Thing", "https://example.com/thing.json#/Thing", "remote URL"),
        ("api.yaml", "schemas/thing.json#/Thing", "//example.com/thing.json", "remote URL"),
        ("schemas/owner.yaml", "thing.json#/Thing", "thing.json#Thing", "must be a JSON pointer"),
        ("schemas/owner.yaml", "name: {type: string}", "name: {type: [string", "invalid YAML"),
    ],
)
@pytest.mark.parametrize("validate", [False, True])
def test_bad_external_reference_exits_2_with_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    file: str,
    old: str,
    new: str,
    needle: str,
    validate: bool,
) -> None:
    good = write_split_spec(tmp_path / "good")
    bad = write_split_spec(tmp_path / "bad")
    _break(bad.parent, file, old, new)
    code, _, err = run(capsys, "diff", str(good), str(bad), *(["--validate"] if validate else []))
    assert code == 2
    assert needle in one_line(err)


@pytest.mark.parametrize("validate", [False, True])
def test_bad_local_reference_exits_2_with_a_short_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], validate: bool
) -> None:
    spec = single_file_equivalent()
    spec["components"]["schemas"]["Thing"]["properties"]["owner"] = {"$ref": "#/components/schemas/Nope"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(spec))
    code, _, err = run(capsys, "diff", str(bad), str(bad), *(["--validate"] if validate else []))
    line = one_line(err)
    assert code == 2 and "Nope" in line and len(line) < 400


def test_snapshot_import_stores_a_self_contained_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_split_spec(tmp_path / "split")
    store = tmp_path / "specs"
    code, out, err = run(capsys, "snapshot", "import", str(root), "--specs-dir", str(store))
    assert code == 0, err
    stored = store / "v3.0" / "build-7.yaml"
    doc = yaml.safe_load(stored.read_text())
    assert "Thing" in doc["components"]["schemas"] and ".json" not in stored.read_text()
    code, out, _ = run(capsys, "diff", "v3.0@7", str(root), "--specs-dir", str(store), "--format", "json")
    assert code == 0 and json.loads(out)["changes"] == []
    _break(root.parent, "api.yaml", "paths/things.yaml", "paths/absent.yaml")
    code, _, err = run(capsys, "snapshot", "import", str(root), "--specs-dir", str(tmp_path / "other"))
    assert code == 2 and "no such file" in one_line(err)


TINY_ROOT = """\
openapi: 3.0.1
info: {title: "Tiny - Build: 1", version: v3.0}
paths:
  /api/v3.0/ping:
    $ref: 'ops/ping.yaml'
"""


def test_contract_run_loads_a_split_spec(tmp_path: Path) -> None:
    (tmp_path / "ops").mkdir()
    (tmp_path / "api.yaml").write_text(TINY_ROOT)
    (tmp_path / "ops" / "ping.yaml").write_text(
        LIST.split("post:")[0].replace("../schemas/thing.json#/Thing", "pong.json#/Pong")
    )
    (tmp_path / "ops" / "pong.json").write_text(
        '{"Pong": {"type": "object", "properties": {"ok": {"type": "boolean"}}}}'
    )
    result = contracts_command(
        "test", "--spec", str(tmp_path / "api.yaml"), "--max-examples", "1", timeout=300
    )
    assert "1 operation(s)" in result.stdout, result.stdout + result.stderr
    assert "Schema Error" not in result.stdout and "Traceback" not in result.stderr
    assert result.returncode == 0, result.stdout + result.stderr
    (tmp_path / "ops" / "pong.json").unlink()
    result = contracts_command("test", "--spec", str(tmp_path / "api.yaml"))
    assert result.returncode == 2 and "no such file" in result.stderr and "Traceback" not in result.stderr


def test_mock_serves_paths_from_other_files(tmp_path: Path) -> None:
    root = write_split_spec(tmp_path)
    with mock_process("--spec", str(root), "--no-admin") as mock:
        listed = requests.get(f"{mock.base_url}/api/v3.0/thing", headers=READ, timeout=10)
        assert listed.status_code == 200
        things = listed.json()
        assert things and all(
            set(thing) <= {"id", "name", "energyIndex", "parent", "owner"} for thing in things
        )
        unknown = "00000000-0000-4000-8000-000000000000"
        missing = requests.get(f"{mock.base_url}/api/v3.0/thing/{unknown}", headers=READ, timeout=10)
        assert missing.status_code == 404
        known = requests.get(f"{mock.base_url}/api/v3.0/thing/{things[0]['id']}", headers=READ, timeout=10)
        assert known.status_code == 200 and known.json()["id"] == things[0]["id"]
        mock.stop()
    _break(tmp_path, "paths/thing.yaml", "../schemas/thing.json", "../schemas/gone.json")
    result = contracts_command("mock", "--spec", str(root), "--port", "0", timeout=60)
    assert result.returncode == 2 and "no such file" in result.stderr and "Traceback" not in result.stderr


def test_loading_without_a_file_refuses_external_references() -> None:
    from contracts.spec_loader import load_spec_bytes

    with pytest.raises(SpecError, match="points to another file"):
        load_spec_bytes(TINY_ROOT, "https://example.com/swagger.yaml", validate=False)


# -- property: splitting a real build into files is no change ------------------------------------


def _split(doc: dict[str, Any], folder: Path, names: list[str], as_json: list[bool]) -> Path:
    """Move the named component schemas of ``doc`` into schemas/<name>.(json|yaml) files."""
    (folder / "schemas").mkdir(parents=True)
    moved = dict(zip(names, as_json, strict=True))

    def file_of(name: str) -> str:
        return f"{name}.{'json' if moved[name] else 'yaml'}"

    def rewrite(text: str, inside: bool) -> str:
        for name in moved:
            target = file_of(name) if inside else f"schemas/{file_of(name)}"
            text = text.replace(f'"#/components/schemas/{name}"', json.dumps(target))
        return text

    schemas = doc["components"]["schemas"]
    for name in names:
        body = json.loads(rewrite(json.dumps(schemas[name]), inside=True))
        # refs to schemas left in the root go back up: ../api.json#/components/schemas/X
        text = json.dumps(body).replace('"#/components/schemas/', '"../api.json#/components/schemas/')
        path = folder / "schemas" / file_of(name)
        path.write_text(text if moved[name] else yaml.safe_dump(json.loads(text)))
        schemas[name] = {"$ref": f"schemas/{file_of(name)}"}
    root = folder / "api.json"
    root.write_text(rewrite(json.dumps(doc), inside=False))
    return root


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_splitting_a_real_build_into_files_is_no_change(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    original = load_spec_file(real_build("v3.0", 30855), validate=False)
    components = sorted(original["components"]["schemas"])
    names = data.draw(st.lists(st.sampled_from(components), min_size=1, max_size=12, unique=True))
    as_json = data.draw(st.lists(st.booleans(), min_size=len(names), max_size=len(names)))
    root = _split(json.loads(json.dumps(original)), tmp_path_factory.mktemp("split"), names, as_json)
    assert diff_specs(original, load_spec_file(root, validate=False)).changes == []
