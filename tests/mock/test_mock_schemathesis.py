"""schemathesis (positive and negative data, all phases) against the mock on every real build.

The checks listed in ``mock_helpers.CHECKS`` must report nothing. One exception is the spec's
own doing: an operation that declares no error response at all (build 7980 declares only its
success codes) cannot answer a wrong request or a missing key with a documented status, so a
4xx there is reported by status_code_conformance and accepted here (and only there). The other
is the v4.0 commodity union no product can satisfy as published: an answer that validates as the
declared ``unsatisfiable-allof`` leniency reads the spec, and says so in its header, is accepted.
"""

from __future__ import annotations

import pytest

from mockserver import create_app
from tests.conftest import newest_builds, real_builds
from tests.mock.conftest import ALL_SPECS, SPEC_IDS, load
from tests.mock.mock_helpers import explained_by_leniency, run_schemathesis


def _declares_no_error(app, label: str) -> bool:
    for runtime in app.extensions["mockserver"]["runtimes"].values():
        for op in runtime.operations:
            if op.label == label:
                return not any(code == "default" or code[0] in "45" for code in op.responses)
    return False


NEWEST = newest_builds()


@pytest.mark.parametrize("path", ALL_SPECS, ids=SPEC_IDS)
def test_schemathesis_reports_nothing(path, spec_cache) -> None:
    """Every phase on the newest build of each version and on specs/; the coverage phase (positive
    and negative data for every parameter and body, undeclared methods) on the older builds, to
    keep the suite short."""
    app = create_app([load(path, spec_cache)])
    version = next(iter(app.extensions["mockserver"]["runtimes"]))
    older = path in real_builds() and path not in NEWEST
    phases = ("coverage",) if older else ("examples", "coverage", "fuzzing", "stateful")
    findings = run_schemathesis(app, version, max_examples=3, phases=phases)
    unexpected = [
        f
        for f in findings
        if not (
            f.check == "status_code_conformance"
            and f.status is not None
            and 400 <= f.status < 500
            and _declares_no_error(app, f.operation)
        )
        and not explained_by_leniency(app, f)
    ]
    assert not unexpected, "\n".join(str(f) for f in unexpected[:15])


def test_schemathesis_reports_nothing_on_a_spec_never_seen() -> None:
    """Runs without ../shared: the derivation and the checks on the synthetic warehouse spec."""
    import copy

    from tests.mock.test_mock_synthetic import SPEC

    app = create_app([copy.deepcopy(SPEC)])
    findings = run_schemathesis(app, "v9.1", max_examples=5)
    assert not findings, "\n".join(str(f) for f in findings[:15])
