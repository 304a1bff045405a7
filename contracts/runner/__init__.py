"""The contract runner, in pipeline order.

options   -> what the user asked for (versions, target, safety, seed)
specs     -> which snapshot documents to test (store snapshots or --spec files)
defects   -> spec problems found before testing (contracts.platform.leniency: reported once, repaired)
target    -> where requests go: the embedded mock in-process, or a base URL + key
transport -> WSGI layers every request passes: key injection, write guard, HTTP forwarding
safety    -> the schemathesis configuration: read-only unless writes are allowed
checks    -> Madaster checks on top of schemathesis's built-in ones
engine    -> runs schemathesis's engine and folds its events into results
workflows -> explicit CRUD workflows (writes allowed only)
cleanup   -> deletes every entity the run created, even on failure or Ctrl-C
reporting -> console progress and summary, JUnit XML, Markdown
"""

from typing import Any

__all__ = ["RunOptions", "run_contracts"]


def __getattr__(name: str) -> Any:  # lazy: importing the package must not import schemathesis
    if name == "run_contracts":
        from contracts.runner.core import run_contracts

        return run_contracts
    if name == "RunOptions":
        from contracts.runner.options import RunOptions

        return RunOptions
    raise AttributeError(name)
