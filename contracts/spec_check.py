"""Validating parsed specs in a second process while the first goes on with its start-up.

Why: openapi-spec-validator costs a start about half a second (~0.23 s to import it — pydantic,
pydantic-settings, requests — and ~0.09 s per build), as much as the mock's whole start without it.
A ``--spec FILE`` start validates the files it parsed in a child process, beside the app's build,
and waits for the verdict before it serves: the same check, on the second core. Documents the
child cannot be handed (pickling fails on very deep nesting) or a child that cannot answer are
validated in this process, as before. So is everything when no core is spare: then the child's
extra work (its own interpreter and imports, ~0.2 s more CPU than validating here) only slows the
start (measured: 0.78 s against 1.09 s inline at load 1.3 on two cores, 2.8 s against 2.0 s at load 5).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from typing import Any

from contracts.errors import SpecError
from contracts.spec_loader import validate_openapi

Document = tuple[dict[str, Any], str]
"""(a parsed spec, the source its errors name)"""


def spare_core() -> bool:
    """True when a second core is likely idle: more cores than the last minute's load average."""
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average (Windows): assume a busy machine
        return False
    return cores >= 2 and load <= cores - 1


class BackgroundValidation:
    """``validate_openapi`` of each document, run in a child process; ``verdict()`` waits for it."""

    def __init__(self, documents: list[Document]) -> None:
        self._documents = documents
        self._process: subprocess.Popen[bytes] | None = None
        self._done = False
        try:
            payload = pickle.dumps(documents, protocol=pickle.HIGHEST_PROTOCOL)
        except (RecursionError, pickle.PicklingError, TypeError):
            return  # validated here, in verdict()
        import tempfile

        try:
            with tempfile.TemporaryFile() as handle:  # a file, not a pipe: nothing to feed while building
                handle.write(payload)
                handle.seek(0)
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "contracts.spec_check"],
                    stdin=handle,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
        except OSError:
            return

    def verdict(self) -> None:
        """Return when every document is valid; raise the first one's SpecError otherwise."""
        if self._done:
            return
        self._done = True
        answer = self._child_answer()
        if answer is None:
            for doc, source in self._documents:
                validate_openapi(doc, source)
            return
        if answer:
            raise SpecError(answer["source"], answer["reason"], answer.get("location"))

    def cancel(self) -> None:
        """Stop the child (the start failed for another reason)."""
        self._done = True
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def _child_answer(self) -> dict[str, Any] | None:
        """The child's SpecError as a dict, {} when all are valid, None when it could not tell."""
        if self._process is None:
            return None
        assert self._process.stdout is not None
        out = self._process.stdout.read()
        self._process.stdout.close()
        self._process.wait()
        if self._process.returncode == 0:
            return {}
        if self._process.returncode == 1:
            try:
                answer = json.loads(out)
            except ValueError:
                return None
            if isinstance(answer, dict) and {"source", "reason"} <= answer.keys():
                return answer
        return None


def main() -> int:
    """The child: unpickle (source, document) pairs from stdin, exit 0 when all are valid, else
    print the first SpecError as JSON and exit 1 (any other exit: the parent validates itself)."""
    documents: list[Document] = pickle.loads(sys.stdin.buffer.read())  # from our own parent only
    for doc, source in documents:
        try:
            validate_openapi(doc, source)
        except SpecError as exc:
            print(json.dumps({"source": exc.source, "reason": exc.reason, "location": exc.location}))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
