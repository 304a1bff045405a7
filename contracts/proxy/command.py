"""``madaster-contracts proxy``: a validating proxy in front of the real API or the mock.

Every bad input (target URL, version, spec file, log or recording path, port) is one line on
stderr and exit 2, checked before the port is taken. Ctrl-C or SIGTERM stops it cleanly, prints
the summary (exchanges, violations by operation) and exits 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from contracts.errors import ContractsError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target", required=True, metavar="URL", help="where to forward, e.g. https://api.madaster.com"
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=8081, help="port to listen on, 0 for any free port (default: %(default)s)"
    )
    from contracts.runner.specs import add_spec_arguments

    add_spec_arguments(parser, purpose="validate against")
    parser.add_argument(
        "--specs-dir",
        type=Path,
        metavar="DIR",
        help="snapshot store (default: $MADASTER_SPECS_DIR or ./specs)",
    )
    parser.add_argument(
        "--record", type=Path, metavar="FILE", help="record every exchange to FILE as HAR 1.2"
    )
    parser.add_argument("--log", type=Path, metavar="FILE", help="append one JSON line per exchange to FILE")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="answer a request that breaks the contract with 400 instead of forwarding it",
    )
    parser.add_argument(
        "--no-leniency",
        dest="lenient",
        action="store_false",
        help="count what the platform's known leniencies explain (date-times without an offset, ...) as violations",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="wait this long for the target (default: 60)",
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="waitress worker threads (default: 16)"
    )


def load_contracts(args: argparse.Namespace) -> tuple[Any, list[tuple[str, str]]]:
    """The ContractSet to validate against and (version, source) pairs for the banner.

    The same selection as ``test``: ``--spec`` files and ``--version`` references, else the
    newest snapshot of every stored version.
    """
    from contracts.proxy.contract import ContractSet
    from contracts.runner.specs import collect_specs

    docs: dict[str, dict[str, Any]] = {}
    shown = []
    for spec in collect_specs(args.versions, args.spec_files, args.specs_dir):
        if spec.version in docs:
            raise ContractsError(f"{spec.version} is given twice ({spec.source}); give one spec per version")
        docs[spec.version] = spec.doc
        shown.append((spec.version, f"{spec.label} ({spec.source})"))
    try:
        return ContractSet(docs, lenient=args.lenient), shown
    except Exception as exc:  # a spec the validators cannot compile: one line
        raise ContractsError(f"cannot compile the contracts: {type(exc).__name__}: {exc}") from exc


def run(args: argparse.Namespace) -> int:
    from contracts.proxy.app import PROXY_IDENT, ValidatingProxy
    from contracts.proxy.forwarding import Target, Upstream
    from contracts.proxy.recording import HarRecorder
    from contracts.proxy.reporting import Reporter
    from mockserver.http.serve import DEFAULT_THREADS, MockServer

    started = time.perf_counter()
    target = Target.parse(args.target)
    if args.timeout <= 0:
        raise ContractsError(f"--timeout {args.timeout}: must be more than 0")
    if args.threads is not None and not 1 <= args.threads <= 256:
        raise ContractsError(f"--threads {args.threads}: must be between 1 and 256")
    contracts, shown = load_contracts(args)
    reporter = Reporter(sys.stdout, args.log)
    recorder = HarRecorder(args.record) if args.record else None
    sinks = [reporter] + ([recorder] if recorder is not None else [])
    app = ValidatingProxy(contracts, Upstream(target, args.timeout), sinks, strict=args.strict)
    server = None
    try:
        server = MockServer(
            app, args.host, args.port, threads=args.threads or DEFAULT_THREADS, ident=PROXY_IDENT
        )
        banner = _banner(server.base_url, target.url, shown, args, time.perf_counter() - started)
        quiet = getattr(args, "verbosity", 0) < 0
        print(banner.splitlines()[0] if quiet else banner, flush=True)  # -q: the URL line only
        server.serve_until_signal()
    finally:
        if server is not None:
            server.stop()
        reporter.close()
        if recorder is not None:
            recorder.close()
    print(reporter.summary(), flush=True)
    if recorder is not None:
        print(f"recorded {recorder.count} exchange(s) to {args.record}", flush=True)
    return 0


def _banner(
    base_url: str, target: str, shown: list[tuple[str, str]], args: argparse.Namespace, seconds: float
) -> str:
    lines = [f"Validating proxy on {base_url}/ -> {target} (ready in {seconds * 1000:.0f} ms)"]
    lines += [f"  {version}: {source}" for version, source in shown]
    mode = "strict: violating requests get 400" if args.strict else "report only: everything is forwarded"
    lines.append(f"Mode: {mode}; verdict header X-Contract-Verdict")
    if args.log:
        lines.append(f"Log: {args.log}")
    if args.record:
        lines.append(f"Recording: {args.record} (HAR 1.2, keys redacted)")
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)
