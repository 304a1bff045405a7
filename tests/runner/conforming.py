"""A conforming server for the runner's tests: the mock of a spec, served over HTTP."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from contracts.platform.leniency import find_and_repair
from contracts.runner import RunOptions, run_contracts
from contracts.runner.results import RunResult
from contracts.runner.specs import from_document
from contracts.spec_loader import load_spec_file
from mockserver import create_app
from mockserver.auth.tokens import Token
from mockserver.http.serve import serve_in_thread

KEY = "conforming-key-5151"
SCOPED_KEY = "conforming-scoped-key-6262"
"""A read key the mock scopes to one of its fixture entities (``target.grant_scoped_token``)."""


@contextmanager
def mock_over_http(spec_file: Path, seed: int = 0, wrap: Callable[[Any], Any] | None = None) -> Iterator[str]:
    """The mock the offline run would build for this spec, served by waitress; yields its base URL.

    ``wrap`` puts a WSGI layer around it (``broken_api.MockFaults`` plants a fault).
    """
    from contracts.runner.target import create_mock, grant_scoped_token

    spec = from_document(load_spec_file(spec_file), str(spec_file))
    doc, _ = find_and_repair(spec.doc)
    app = create_mock(create_app, spec, doc, [Token(key=KEY, name="tests", permission="write")], seed)
    grant_scoped_token(app, spec.version, KEY, SCOPED_KEY)
    with serve_in_thread(wrap(app) if wrap else app) as (url, _stop):
        yield url


def run_against(url: str, spec_file: Path, **options: object) -> tuple[RunResult, str]:
    """A contract run against ``url`` with the key; returns the result and the console output."""
    out = io.StringIO()
    run = run_contracts(
        RunOptions(spec_files=[spec_file], base_url=url, api_key=KEY, **options),  # type: ignore[arg-type]
        stream=out,
    )
    return run, out.getvalue()


def explain(run: RunResult, out: str) -> str:
    """Every failure in full (what a red test must show)."""
    return run.describe() + "\n" + out[-6000:]
