"""What a plain ``diff`` call loads, and the cheap stand-ins that keep it small (contracts.records,
the CLI's help formatter, spec_loader's path spelling)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.cli import HelpFormatter, build_parser, terminal_columns
from contracts.records import record
from contracts.spec_loader import _display
from tests.conftest import PROJECT_ROOT
from tests.diff.builders import base_spec, mutated, schemas

# Modules a diff of two JSON files must not import (each costs milliseconds of every call);
# they stay available to the calls that need them (YAML, --levels/--ignore, store references).
NOT_ON_A_PLAIN_DIFF = (
    "typing",
    "pathlib",
    "shutil",
    "yaml",
    "yaml_rs",
    "contracts.diff.catalogue",
    "contracts.diff.rationale",
    "contracts.diff.ignore",
    "contracts.diff.levels",
    "contracts.datafile",
    "contracts.store",
    "dataclasses",
    "jsonpointer",
)

_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from contracts.cli import main
code = main(sys.argv[2:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _modules_of_a_call(*args: str, site: bool = False) -> tuple[int, set[str]]:
    """The exit code and every module loaded by one call, by default run without ``site`` (so
    nothing an environment's start-up imports hides what the call itself imports)."""
    result = subprocess.run(
        [sys.executable, *([] if site else ["-S"]), "-c", _PROBE, str(PROJECT_ROOT), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stderr.strip(), result.stdout
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


@pytest.fixture
def json_pair(tmp_path: Path) -> tuple[str, str]:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(base_spec()))
    new.write_text(json.dumps(mutated(lambda s: schemas(s)["Item"]["properties"].pop("status"))))
    return str(old), str(new)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_a_plain_json_diff_imports_none_of_the_costly_modules(json_pair: tuple[str, str], fmt: str) -> None:
    code, modules = _modules_of_a_call("diff", *json_pair, "--format", fmt)
    assert code == 1  # a property removed: breaking, so the call did the whole diff
    assert "contracts.diff.engine" in modules
    assert sorted(modules.intersection(NOT_ON_A_PLAIN_DIFF)) == []


def test_team_files_still_load_what_they_need(json_pair: tuple[str, str], tmp_path: Path) -> None:
    levels = tmp_path / "levels.json"
    levels.write_text(json.dumps({"response-property-removed": "warning"}))
    code, modules = _modules_of_a_call("diff", *json_pair, "--levels", str(levels), site=True)
    assert code == 0  # the only finding became a warning
    assert {"contracts.diff.catalogue", "contracts.diff.levels"} <= modules


# -- contracts.records -------------------------------------------------------------------------


@record
class _Point:
    """A point."""

    x: int
    y: int
    label: str = ""

    @property
    def norm(self) -> int:
        return abs(self.x) + abs(self.y)


def test_a_record_is_a_named_tuple_with_its_methods_defaults_and_docstring() -> None:
    p = _Point(1, -2)
    assert p == (1, -2, "") and p == _Point(x=1, y=-2, label="")
    assert p.norm == 3 and p.label == ""
    assert _Point._fields == ("x", "y", "label")
    assert p._replace(label="a") == _Point(1, -2, "a")
    assert repr(p) == "_Point(x=1, y=-2, label='')"
    assert _Point.__doc__ == "A point." and _Point.__name__ == "_Point"
    assert isinstance(p, tuple) and not hasattr(p, "__dict__")
    with pytest.raises(AttributeError):
        p.x = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        _Point(1)  # type: ignore[call-arg]


def test_a_record_field_without_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="must come last"):

        @record
        class _Bad:
            a: int = 0
            b: int


# -- the command line's help formatter -----------------------------------------------------


@pytest.mark.parametrize("columns", ["60", "200", "0", "-3", "wide", None])
def test_the_help_width_is_the_one_shutil_gives(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == shutil.get_terminal_size().columns
    assert HelpFormatter("prog")._width == shutil.get_terminal_size().columns - 2


@pytest.mark.parametrize("columns", ["50", "120"])
def test_help_is_what_argparse_formatter_prints(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    import argparse

    monkeypatch.setenv("COLUMNS", columns)
    parser = build_parser(only="diff")
    diff = parser._subparsers._group_actions[0].choices["diff"]  # type: ignore[union-attr]
    ours = (parser.format_help(), diff.format_help())
    parser.formatter_class = diff.formatter_class = argparse.HelpFormatter
    assert ours == (parser.format_help(), diff.format_help())


# -- spec_loader's path spelling -----------------------------------------------------------


@given(st.text(alphabet="a./", max_size=14))
def test_a_path_is_spelled_as_pathlib_spells_it(text: str) -> None:
    assert _display(text) == str(PurePosixPath(text))


@pytest.mark.skipif(os.sep != "/", reason="POSIX spelling")
def test_a_path_object_is_accepted(tmp_path: Path) -> None:
    assert _display(tmp_path / "a" / "b.json") == str(tmp_path / "a" / "b.json")


# -- the cycle collector, paused for one call -----------------------------------------------


@pytest.mark.parametrize("valid", [True, False])
def test_a_diff_call_pauses_the_cycle_collector_and_gives_it_back(
    json_pair: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, valid: bool
) -> None:
    import gc

    from contracts.cli import main
    from contracts.diff import engine

    collecting: list[bool] = []
    real = engine.diff_specs

    def watched(*args: object, **kwargs: object) -> object:
        collecting.append(gc.isenabled())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "diff_specs", watched)
    old, new = json_pair if valid else (json_pair[0], str(tmp_path / "missing.json"))
    code = main(["diff", old, new, "--output", str(tmp_path / "report.txt")])
    assert code == (1 if valid else 2)
    assert collecting == ([False] if valid else [])
    assert gc.isenabled()


def test_the_collector_stays_off_when_the_caller_turned_it_off(
    json_pair: tuple[str, str], tmp_path: Path
) -> None:
    import gc

    from contracts.cli import main

    gc.disable()
    try:
        main(["diff", *json_pair, "--output", str(tmp_path / "report.txt")])
        assert not gc.isenabled()
    finally:
        gc.enable()
