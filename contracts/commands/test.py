"""``madaster-contracts test``: property-based contract tests against the API or the embedded mock.

Exit 0 when every contract holds, 1 on contract failures, 2 on usage, configuration or
connection errors. The key comes from --api-key or MADASTER_API_KEY and is never printed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TextIO

from contracts.runner.options import DEFAULT_MAX_RESPONSE_TIME, DEFAULT_REQUEST_TIMEOUT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from contracts.runner.specs import add_spec_arguments

    add_spec_arguments(parser, purpose="test")
    parser.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="host of the API to test, e.g. https://api.madaster.com (default: $MADASTER_BASE_URL; "
        "without one the embedded mock is tested in-process)",
    )
    parser.add_argument(
        "--api-key",
        default=None,
        metavar="KEY",
        help="API key sent as X-API-Key (default: $MADASTER_API_KEY)",
    )
    parser.add_argument(
        "--read-only-key",
        default=None,
        metavar="KEY",
        help="a second key with read permission only: with --allow-writes, writes on the run's own "
        "entities with it must be 403 (default: $MADASTER_READ_ONLY_KEY)",
    )
    parser.add_argument(
        "--scoped-key",
        default=None,
        metavar="KEY",
        help="a key scoped to one folder, building or database: nothing outside its scope may appear "
        "in its lists (default: $MADASTER_SCOPED_KEY)",
    )
    parser.add_argument(
        "--allow-writes",
        action="store_true",
        help="also send POST/PUT/DELETE and run the CRUD workflows; created entities are deleted at the end",
    )
    parser.add_argument(
        "--operation",
        dest="operations",
        action="append",
        default=[],
        metavar="REGEX",
        help="only operations whose 'METHOD /path' matches; repeatable",
    )
    parser.add_argument(
        "--max-examples", type=int, default=10, metavar="N", help="examples per operation (10)"
    )
    parser.add_argument("--seed", type=int, default=None, metavar="N", help="seed to replay a run")
    parser.add_argument("--junit", type=Path, default=None, metavar="FILE", help="write a JUnit XML report")
    parser.add_argument(
        "--report",
        dest="reports",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="write a report: JSON when FILE ends in .json (docs/schemas/test-report.schema.json), "
        "self-contained HTML when it ends in .html, else Markdown; repeatable, each is written",
    )
    parser.add_argument(
        "--max-response-time",
        type=float,
        default=DEFAULT_MAX_RESPONSE_TIME,
        metavar="SECONDS",
        help=f"a slower answer is a finding on its operation ({DEFAULT_MAX_RESPONSE_TIME:g})",
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help=f"no answer within this is a finding on its operation; the run goes on ({DEFAULT_REQUEST_TIMEOUT:g})",
    )
    parser.add_argument(
        "--shard",
        default=None,
        metavar="K/N",
        help="run only the K-th of N deterministic parts (operations split by a stable hash), for a CI matrix",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        default=None,
        metavar="N",
        help="worker processes to spread the run over, or auto (the usable cores); one run, one set of "
        "reports (default: auto against the embedded mock, 1 against --base-url)",
    )
    parser.add_argument(
        "--skip-check",
        dest="skipped_checks",
        action="append",
        default=[],
        metavar="NAME",
        help="turn a check off by its name (as reports show it, e.g. head_like_get); repeatable",
    )
    parser.add_argument(
        "--specs-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="snapshot store (default: $MADASTER_SPECS_DIR or ./specs)",
    )


def run(args: argparse.Namespace) -> int:
    from contracts.runner import RunOptions, run_contracts
    from contracts.runner.options import parse_jobs, parse_shard

    base_url = args.base_url or os.environ.get("MADASTER_BASE_URL") or None
    api_key = args.api_key or os.environ.get("MADASTER_API_KEY") or None
    options = RunOptions(
        versions=list(args.versions),
        spec_files=list(args.spec_files),
        base_url=base_url,
        api_key=api_key if base_url else None,
        read_only_key=(args.read_only_key or os.environ.get("MADASTER_READ_ONLY_KEY") or None)
        if base_url
        else None,
        scoped_key=(args.scoped_key or os.environ.get("MADASTER_SCOPED_KEY") or None) if base_url else None,
        allow_writes=args.allow_writes,
        operations=list(args.operations),
        max_examples=args.max_examples,
        seed=args.seed,
        junit=args.junit,
        reports=list(args.reports),
        specs_dir=args.specs_dir,
        max_response_time=args.max_response_time,
        request_timeout=args.request_timeout,
        shard=parse_shard(args.shard) if args.shard else None,
        jobs=parse_jobs(getattr(args, "jobs", None), offline=base_url is None),
        skipped_checks=list(getattr(args, "skipped_checks", None) or []),
    )
    stream = SummaryOnly(sys.stdout) if getattr(args, "verbosity", 0) < 0 else None
    return run_contracts(options, stream=stream).exit_code


class SummaryOnly:
    """``-q``: the progress lines are dropped, the summary (from its table on) is kept."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.passing = False
        self.pending = ""

    def write(self, text: str) -> int:
        if self.passing:
            return self.stream.write(text)
        self.pending += text
        lines = self.pending.split("\n")
        self.pending = lines.pop()
        for index, line in enumerate(lines):
            if SUMMARY_HEADER.match(line):
                self.passing = True
                self.stream.write("\n".join(lines[index:]) + "\n" + self.pending)
                self.pending = ""
                break
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


SUMMARY_HEADER = re.compile(r"^version\s+operations\s+cases\b")
"""The first line of the summary table (``reporting.console.summary_table``)."""
