"""--shard K/N: a deterministic split whose JUnit files together equal one whole run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.errors import ContractsError
from contracts.runner.options import parse_shard
from contracts.runner.sharding import STATEFUL_UNIT, in_shard, shard_of
from tests.conftest import requires_shared
from tests.runner.broken_api import BrokenApi, serving
from tests.runner.test_broken_server import READ_RUN, target_args

labels = st.builds(
    lambda method, path: f"{method} /api/v3.0/{path}",
    st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    st.text(alphabet="abcdefghij/{}", min_size=1, max_size=30),
)


@given(st.lists(labels, min_size=1, max_size=30, unique=True), st.integers(min_value=1, max_value=8))
def test_every_unit_lands_in_exactly_one_shard(units: list[str], total: int) -> None:
    for unit in [*units, STATEFUL_UNIT]:
        owners = [k for k in range(1, total + 1) if in_shard("v3.0", unit, (k, total))]
        assert owners == [shard_of("v3.0", unit, total)]


def test_the_split_depends_on_the_names_only() -> None:
    # fixed values: a CI matrix on other machines and Python versions computes the same split
    assert [shard_of("v3.0", "GET /api/v3.0/building", n) for n in (1, 2, 3, 4)] == [1, 2, 1, 4]
    assert in_shard("v3.0", "anything", None)


@pytest.mark.parametrize("text", ["0/2", "3/2", "a/b", "1", "1/0", ""])
def test_a_bad_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(ContractsError, match="--shard"):
        parse_shard(text)


def junit_cases(path: Path) -> Counter[tuple[str, str, str, str]]:
    """(suite, classname, name, outcome) of every test case."""
    found: Counter[tuple[str, str, str, str]] = Counter()
    for suite in ET.parse(path).getroot().iter("testsuite"):
        for case in suite.iter("testcase"):
            outcome = next((child.tag for child in case), "passed")
            found[(suite.get("name", ""), case.get("classname", ""), case.get("name", ""), outcome)] += 1
    return found


@requires_shared
def test_the_shards_together_are_the_whole_run(cli, build_28168, tmp_path) -> None:
    api = BrokenApi()
    with serving(api) as url:
        whole = cli("test", *target_args(build_28168, url), *READ_RUN, "--junit", "whole.xml")
        shards = [
            cli("test", *target_args(build_28168, url), *READ_RUN, "--shard", f"{k}/3", "--junit", f"{k}.xml")
            for k in (1, 2, 3)
        ]
    assert whole.code == 1
    together: Counter[tuple[str, str, str, str]] = Counter()
    spec_problems = set()
    for k in (1, 2, 3):
        cases = junit_cases(tmp_path / f"{k}.xml")
        # the spec's own problems are reported by every shard (each checks the spec it loads)
        spec_problems |= {case for case in cases if case[1].endswith(".spec")}
        together.update({case: n for case, n in cases.items() if not case[1].endswith(".spec")})
    together.update(dict.fromkeys(spec_problems, 1))
    assert together == junit_cases(tmp_path / "whole.xml")
    # each shard did a real part of the work
    assert all(shard.code in (0, 1) for shard in shards)
    assert sum(1 for shard in shards if "operation(s)" in shard.out) == 3
