"""The config file: every option of test, mock, diff and proxy, the command line winning, bad keys one line."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import config as configuration
from contracts.cli import _build, main, parse_arguments

COMMANDS = configuration.SECTIONS


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory (with .git, so the search stops there) as the working directory."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_pyproject(root: Path, body: str) -> Path:
    path = root / "pyproject.toml"
    path.write_text('[project]\nname = "team-client"\n\n' + body, encoding="utf-8")
    return path


def test_pyproject_values_become_defaults_and_the_command_line_wins(project: Path) -> None:
    write_pyproject(
        project,
        '[tool.madaster-contracts]\nspecs-dir = "api-specs"\n\n'
        "[tool.madaster-contracts.test]\nmax-examples = 25\nallow-writes = true\n"
        'operation = ["^GET ", "^POST "]\nversion = "v3.0"\n',
    )
    args = parse_arguments(["test"])
    assert args.max_examples == 25 and args.allow_writes is True
    assert args.operations == ["^GET ", "^POST "] and args.versions == ["v3.0"]
    assert args.specs_dir == project / "api-specs"  # relative to the file's directory
    args = parse_arguments(["test", "--max-examples", "3", "--operation", "^DELETE ", "--specs-dir", "x"])
    assert args.max_examples == 3 and args.operations == ["^DELETE "] and args.specs_dir == Path("x")
    assert args.allow_writes is True
    diff = parse_arguments(["diff", "a.yaml", "b.yaml"])  # the shared key reaches every sub-command
    assert diff.specs_dir == str(project / "api-specs")


def test_madaster_contracts_toml_is_found_from_a_subdirectory_and_wins_over_pyproject(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_pyproject(project, "[tool.madaster-contracts.mock]\nport = 9000\n")
    (project / "madaster-contracts.toml").write_text("[mock]\nport = 9100\nno-admin = true\nseed = 4\n")
    (project / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(project / "src" / "deep")
    args = parse_arguments(["mock"])
    assert (args.port, args.admin, args.seed) == (9100, False, 4)
    assert args.config_file == str(project / "madaster-contracts.toml")
    assert parse_arguments(["--config", "", "mock"]).port == 8080  # '' reads no file
    other = project / "other.toml"
    other.write_text("[mock]\nport = 9200\n")
    assert parse_arguments(["--config", str(other), "mock"]).port == 9200


def test_a_pyproject_without_the_table_is_not_a_config(project: Path) -> None:
    write_pyproject(project, "[tool.ruff]\nline-length = 100\n")
    assert parse_arguments(["proxy", "--target", "mock"]).config_file is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[tool.madaster-contracts.test]\nmax-exampels = 3\n", "[tool.madaster-contracts.test] max-exampels: unknown key"),
        ("[tool.madaster-contracts.test]\nmax-examples = \"ten\"\n", "max-examples: expected an integer, got 'ten'"),
        ("[tool.madaster-contracts.test]\nallow-writes = 1\n", "allow-writes: expected true or false, got 1"),
        ("[tool.madaster-contracts.diff]\nformat = \"pdf\"\n", "format: 'pdf' is not one of text, json"),
        ("[tool.madaster-contracts.diff]\nacross = [\"v3.0\"]\n", "across: expected a list of 2 values"),
        ("[tool.madaster-contracts.mock]\nport = 1.5\n", "port: expected an integer, got 1.5"),
        ("[tool.madaster-contracts.test]\noperation = [\"a\", 3]\n", "operation[1]: expected a string, got 3"),
        ("[tool.madaster-contracts]\nspecs-dri = \"x\"\n", "[tool.madaster-contracts] specs-dri: unknown key (not an option of any"),
        ("[tool.madaster-contracts.snapshot]\nx = 1\n", "[snapshot]: unknown section"),
        ("[tool.madaster-contracts]\ntest = 3\n", "test: must be a table"),
        ("[tool.madaster-contracts.test\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_key_or_value_is_one_line_naming_file_and_key_exit_2(project, capsys, body, message) -> None:
    path = write_pyproject(project, body)
    command = "diff" if ".diff]" in body else "mock" if ".mock]" in body else "test"
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"madaster-contracts {command}: error: {path}: ")
    assert message in err


def test_a_missing_config_file_is_one_line(project: Path, capsys) -> None:
    assert main(["--config", "nope.toml", "test"]) == 2
    assert capsys.readouterr().err == "madaster-contracts test: error: nope.toml: no such config file\n"


def parsers() -> dict[str, argparse.ArgumentParser]:
    return {name: _build(name)[1][name] for name in COMMANDS}


def sample(action: argparse.Action) -> tuple[object, object]:
    """A TOML value for ``action`` and what argparse would have made of it on the command line."""
    if isinstance(
        action, argparse._StoreConstAction | argparse._StoreTrueAction | argparse._StoreFalseAction
    ):
        return True, action.const
    if action.choices is not None:
        choice = list(action.choices)[-1]
        return choice, choice
    kind = action.type
    raw: object
    if kind is int:
        raw = value = 7
    elif kind is float:
        raw, value = 2, 2.0
    elif kind is Path or action.metavar in configuration.PATH_METAVARS:
        raw, value = "/abs/file", (kind or str)("/abs/file")
    else:
        raw = "sample"
        try:
            value = kind(raw) if callable(kind) else raw
        except (ValueError, TypeError, argparse.ArgumentTypeError):
            raw, value = "1/2", kind("1/2")  # --shard K/N
    if isinstance(action, argparse._AppendAction):
        return [raw], [value]
    if isinstance(action.nargs, int):
        return [raw] * action.nargs, [value] * action.nargs
    return raw, value


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return '"' + value + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_of_every_sub_command_is_a_key(project: Path, command: str) -> None:
    options = configuration.options_of(parsers()[command])
    assert "quiet" in options and "verbose" in options
    for key, action in options.items():
        if key in ("verbose",):  # one dest with quiet: checked below
            continue
        raw, expected = sample(action)
        write_pyproject(project, f"[tool.madaster-contracts.{command}]\n{key} = {toml_value(raw)}\n")
        argv = [command, *(["--target", "mock"] if command == "proxy" and key != "target" else [])]
        args = parse_arguments(argv)
        assert getattr(args, action.dest) == expected, key
    write_pyproject(project, f"[tool.madaster-contracts.{command}]\nverbose = true\n")
    assert parse_arguments([command, *(["--target", "mock"] if command == "proxy" else [])]).verbosity == 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    configured=st.lists(st.sampled_from(["^GET ", "^PUT ", "x"]), max_size=3),
    given_=st.lists(st.sampled_from(["^HEAD ", "y"]), max_size=3),
    examples=st.none() | st.integers(1, 50),
)
def test_lists_from_the_command_line_replace_the_config_s(project, configured, given_, examples) -> None:
    body = f"operation = {toml_value(configured)}\n" + (f"max-examples = {examples}\n" if examples else "")
    write_pyproject(project, "[tool.madaster-contracts.test]\n" + body)
    argv = ["test", *[arg for item in given_ for arg in ("--operation", item)]]
    args = parse_arguments(argv)
    assert args.operations == (given_ or configured)
    assert args.max_examples == (examples or 10)


@pytest.mark.parametrize("command", [*COMMANDS, "snapshot list"])
@pytest.mark.parametrize("flag", ["-q", "--quiet", "-v", "--verbose"])
def test_quiet_and_verbose_on_every_sub_command(project: Path, command: str, flag: str) -> None:
    extra = ["--target", "mock"] if command == "proxy" else []
    args = parse_arguments([*command.split(), *extra, flag])
    assert args.verbosity == (-1 if flag in ("-q", "--quiet") else 1)
    assert parse_arguments([*command.split(), *extra]).verbosity == 0
    with pytest.raises(SystemExit):  # one or the other
        parse_arguments([*command.split(), *extra, "-q", "-v"])


def test_shared_keys_are_checked_against_every_sub_command_only_when_unknown_here(project: Path) -> None:
    write_pyproject(project, "[tool.madaster-contracts]\nmax-examples = 4\nstrict = true\n")
    assert parse_arguments(["test"]).max_examples == 4  # test's option
    args = parse_arguments(["diff", "a", "b"])  # max-examples and strict are others': not an error
    assert not hasattr(args, "max_examples")
    assert parse_arguments(["mock"]).strict is True


def test_diff_quiet_prints_nothing_and_keeps_the_exit_status(project: Path, capsys) -> None:
    old, new = project / "old.yaml", project / "new.yaml"
    head = "openapi: 3.0.1\ninfo: {title: t, version: v3.0}\npaths:\n"
    op = "  /api/v3.0/account:\n    get:\n      responses:\n        '200': {description: ok}\n"
    old.write_text(head + op)
    new.write_text(head + "  {}\n")
    assert main(["diff", str(old), str(new)]) == 1
    assert capsys.readouterr().out
    (project / "madaster-contracts.toml").write_text("quiet = true\n")
    assert main(["diff", str(old), str(new)]) == 1
    assert capsys.readouterr().out == ""


def test_verbose_names_the_config_file(project: Path, capsys) -> None:
    path = project / "madaster-contracts.toml"
    path.write_text('[diff]\nformat = "json"\n')
    main(["diff", "--rules", "-v"])
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0] == f"config: {path}"
    assert captured.out.lstrip().startswith("[")  # the config's --format json


def test_test_quiet_prints_the_summary_only(project: Path, capsys) -> None:
    from tests.conftest import PROJECT_ROOT

    argv = ["test", "--specs-dir", str(PROJECT_ROOT / "specs"), "--version", "v3.0", "--seed", "3",
            "--operation", r"^GET /api/v3\.0/account$", "--max-examples", "2"]  # fmt: skip
    loud = main(argv)
    full = capsys.readouterr().out
    assert full.startswith("   progress: ") and "\n== v3.0" in full  # the legend, then the version
    assert main([*argv, "-q"]) == loud
    quiet = capsys.readouterr().out
    assert quiet.startswith("version ") and "replay this run with --seed 3" in quiet
    assert "== v3.0" not in quiet and full.endswith(quiet)


def test_the_mock_started_from_the_config_file_serves_quietly(project: Path) -> None:
    """End to end: ``madaster-contracts mock`` with nothing on the command line but what the file says."""
    import re
    import signal
    import subprocess
    import sys

    import requests

    from tests.conftest import PROJECT_ROOT

    write_pyproject(
        project,
        f'[tool.madaster-contracts]\nspecs-dir = "{PROJECT_ROOT / "specs"}"\n\n'
        "[tool.madaster-contracts.mock]\nport = 0\nprocessing-delay = 0\nquiet = true\nseed = 5\n",
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "contracts", "mock"], cwd=project, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.match(r"Madaster API mock on (http://127\.0\.0\.1:\d+)/ ", line)
        assert found, line + (process.stderr.read() if process.poll() is not None else "")
        assert not found.group(1).endswith(":8080")  # port = 0 from the file: a free port
        state = requests.get(f"{found.group(1)}/__mock/state", timeout=10)
        assert state.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert out == "" and "Tokens" not in line  # -q: the one line, no banner after it
    assert "stopped" not in err
