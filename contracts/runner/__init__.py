"""The contract runner, in pipeline order.

options   -> what the user asked for (versions, target, safety, seed)
specs     -> which snapshot documents to test (store snapshots or --spec files)
defects   -> spec problems found before testing (contracts.platform.leniency: reported once, repaired)
target    -> where requests go: the embedded mock in-process, or a base URL + key
transport -> WSGI layers every request passes: key injection, request log, write guard,
             HTTP forwarding of the exact request target, timeouts
safety    -> the schemathesis configuration: read-only unless writes are allowed
sharding  -> units of work (operations, the stateful unit) and the shard each belongs to
session   -> one spec against one target, running units (CLI, --jobs workers, pytest plugin)
parallel  -> --jobs N: batches of units over worker processes (worker), merged into one run
checks    -> Madaster checks on top of schemathesis's built-in ones (auth; response_checks:
             declared success status, response time)
engine    -> runs schemathesis's engine and folds its events into results
workflows -> explicit CRUD workflows with read-back (readback) (writes allowed only)
cleanup   -> deletes every entity the run created, even on failure or Ctrl-C
reporting -> console progress and summary, JUnit XML, Markdown, HTML (reproduce: curl and chain)
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
