"""The published programs (csharp/basic, csharp/upload-ifc-file; the v4.0 bill of materials) with
TypeScript clients of a third generator nobody here wrote: @hey-api/openapi-ts, its SDK validating
every answer with zod or with valibot, generated from each real build (see docs/mock.md, "A third
generator"). The program is ``tests/clients/heyapi/``; each run prints one line per failed check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clients.conftest import spec_id
from tests.clients.workflows_csharp import authored_office
from tests.conftest import SKIP_REASON, real_build, real_builds

VALIDATORS = ["zod", "valibot"]
CASES = [(spec, v) for spec in real_builds() for v in VALIDATORS]
UNSATISFIABLE_PRODUCT = (
    "spec defect unsatisfiable-allof (contracts/platform/data/leniencies.yaml): the v4.0 Product "
    "is allOf two closed objects (CommodityBase and the product fields, each additionalProperties: "
    "false); valibot's strictObject holds both, so no Product answer validates as published"
)


@pytest.fixture(scope="session")
def office_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The IFC office csharp/upload-ifc-file uploads (tests/ifc_models.py) and its expected elements."""
    office = authored_office()
    folder = tmp_path_factory.mktemp("heyapi-ifc")
    (folder / "Kantoor.ifc").write_bytes(office.content)
    (folder / "Kantoor.json").write_text(json.dumps(office.expected))
    return folder / "Kantoor.ifc", folder / "Kantoor.json"


@pytest.mark.parametrize(("spec", "validator"), CASES, ids=[f"{spec_id(s)}-{v}" for s, v in CASES])
def test_published_programs(
    spec: Path, validator: str, heyapi_program, mock_url, office_files, request
) -> None:
    """Every published program of the build's version, run by the generated TypeScript client."""
    if spec.parent.name == "v4.0" and validator == "valibot":
        request.applymarker(pytest.mark.xfail(reason=UNSATISFIABLE_PRODUCT, strict=True))
    done = heyapi_program.run(spec, validator, mock_url(spec), "dev-write", office_files)
    assert done.returncode in (0, 1), f"the program refused its input: {done.stderr.strip()}"
    lines = done.stdout.splitlines()
    failed = [line for line in lines if line.startswith("FAIL ")]
    ran = [line for line in lines if line.startswith(("PASS ", "FAIL "))]
    if not ran:
        pytest.skip("; ".join(line.removeprefix("SKIP ") for line in lines) or f"{spec_id(spec)}: no program")
    assert not failed and done.returncode == 0, "\n".join(failed or [done.stderr.strip()])


def test_a_failed_check_is_one_line_and_exit_1(heyapi_program, office_files) -> None:
    """Against a mock without leniencies, the program stops on the folder the C# programs create
    (parentId the empty Guid: a 404 under --strict) and says so in one line."""
    from mockserver import create_app
    from mockserver.http.serve import serve_in_thread

    spec = real_build("v3.0", 30855)
    with serve_in_thread(create_app([spec], strict=True, processing_delay=0), threads=2) as (url, _stop):
        done = heyapi_program.run(spec, "valibot", url, "dev-write", office_files, programs="csharp/basic")
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, lines  # everything after the folder needs it
    assert lines[0].startswith("FAIL csharp/basic [valibot]: POST /folder: expected 201, got 404: "), lines


def test_bad_input_is_one_line_and_exit_2(heyapi_program, tmp_path: Path) -> None:
    done = heyapi_program.execute("run", "--spec", str(tmp_path / "none.json"), "--out", str(tmp_path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"heyapi: --spec: no such build file: {tmp_path / 'none.json'}"
    ]


@pytest.mark.skipif(bool(CASES), reason="the real builds are present: their tests ran above")
def test_real_builds_absent_is_reported() -> None:
    pytest.skip(SKIP_REASON)
