"""``madaster-contracts mock``: serve every API version offline on waitress.

Specs come from the snapshot store (newest build of each version) or exactly from ``--spec`` files.
Every bad input (spec, tokens file, store, rate limit, port) is one line on stderr and exit 2.
Flask and waitress are imported only when the command runs, so other sub-commands start fast.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.errors import ContractsError
from mockserver.served_specs import ServedSpec, await_validation, cancel_validation, load_specs

STORE_HELP = (
    "where created entities live: 'memory' (default, lost on exit) or 'sqlite:PATH' (kept across restarts)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    parser.add_argument(
        "--allowed-host",
        dest="allowed_hosts",
        metavar="NAME",
        action="append",
        default=[],
        help="also answer requests whose Host header names NAME (repeatable); local names and the --host "
        "address are always answered, any other Host gets a 421 (DNS rebinding)",
    )
    parser.add_argument(
        "--port", type=int, default=8080, help="port to listen on, 0 for any free port (default: %(default)s)"
    )
    parser.add_argument(
        "--specs-dir",
        type=Path,
        metavar="DIR",
        help="snapshot store to serve from (default: $MADASTER_SPECS_DIR or ./specs)",
    )
    parser.add_argument(
        "--spec",
        dest="spec_files",
        metavar="FILE",
        action="append",
        type=Path,
        default=[],
        help="serve exactly this spec file (JSON or YAML, repeatable, one per version) instead of the store",
    )
    parser.add_argument(
        "--tokens", type=Path, metavar="FILE", help="YAML tokens file (default: built-in dev tokens)"
    )
    parser.add_argument("--store", default="memory", metavar="memory|sqlite:PATH", help=STORE_HELP)
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="seed of the fixture data and the random faults (default: 0)",
    )
    parser.add_argument(
        "--processing-delay",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="time each step of long-running work takes: file processing, refinement, activation,"
        " passports (default: %(default)s; 0 = done at once)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="MS", help="add MS milliseconds to every answer"
    )
    parser.add_argument(
        "--error-rate",
        type=float,
        default=0.0,
        metavar="P",
        help="answer 503 to a share P (0..1) of requests",
    )
    parser.add_argument(
        "--rate-limit",
        metavar="N/SECONDS",
        help="answer 429 with Retry-After beyond N requests per SECONDS, per API key (e.g. 10/1)",
    )
    parser.add_argument(
        "--fixtures",
        type=Path,
        metavar="FILE",
        help="your own folders, buildings, files, databases, commodities (YAML or JSON); "
        "'mode: extend' (default) adds them to the generated fixtures, 'mode: replace' replaces those",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse what the platform accepts but the spec does not (date-times without an offset, "
        "v4.0 commodity bodies the spec cannot express) instead of accepting it with an X-Mock-Leniency header",
    )
    parser.add_argument(
        "--no-admin", dest="admin", action="store_false", help="turn off the /__mock/ admin endpoints"
    )
    parser.add_argument(
        "--threads", type=int, default=None, metavar="N", help="waitress worker threads (default: 16)"
    )
    parser.add_argument(
        "--no-inline",
        dest="inline",
        action="store_false",
        help="answer every request on a worker thread (by default reads under /api/ are answered in the "
        "server's event loop, about 1.4x the reads per second; writes, uploads and the admin API use the threads)",
    )
    parser.add_argument(
        "--connection-limit",
        type=int,
        default=None,
        metavar="N",
        help="open connections at most; idle ones are closed first when it is near (default: 500)",
    )
    parser.add_argument(
        "--replay",
        type=Path,
        metavar="FILE",
        help="answer requests recorded in this HAR file with the recorded answer (others are emulated)",
    )
    parser.add_argument(
        "--stubs",
        type=Path,
        metavar="FILE",
        help="runtime stubs to start with (YAML or JSON, as POST /__mock/stubs takes them; kept across resets)",
    )
    parser.add_argument(
        "--fixtures-from",
        type=Path,
        metavar="FILE",
        help="start from the entities seen in this HAR recording instead of generated fixtures",
    )


def _shown(source: str) -> str:
    """A spec's path as the user would type it: relative to the working folder when inside it."""
    path = Path(source)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return source


def open_store(value: str) -> Any:
    """``memory`` -> None (the app's own in-memory store); ``sqlite:PATH`` -> a SqliteStore."""
    if value == "memory":
        return None
    kind, sep, path = value.partition(":")
    if kind == "sqlite" and sep and path.strip():
        from mockserver.state.sqlite_store import SqliteStore

        return SqliteStore(Path(path).expanduser())
    raise ContractsError(f"--store {value!r}: expected 'memory' or 'sqlite:PATH', e.g. sqlite:mock-state.db")


@dataclass
class MockSetup:
    """Everything the command serves, built before the port is taken."""

    app: Any
    specs: list[ServedSpec]
    tokens: tuple[Any, ...]
    builtin_tokens: bool
    faults: Any
    store: Any


def build_app(args: argparse.Namespace) -> MockSetup:
    """Check every input, then build the app (wrapped in the fault middleware when a fault is on)."""
    from mockserver.admin.faults import RateLimit
    from mockserver.auth.tokens import DEFAULT_TOKENS, load_tokens_file

    rate_limit = RateLimit.parse(args.rate_limit) if args.rate_limit is not None else None
    if args.threads is not None and not 1 <= args.threads <= 256:
        raise ContractsError(f"--threads {args.threads}: must be between 1 and 256")
    if not math.isfinite(args.processing_delay) or args.processing_delay < 0:
        raise ContractsError(f"--processing-delay {args.processing_delay}: expected seconds >= 0, e.g. 0.5")
    tokens = tuple(load_tokens_file(args.tokens)) if args.tokens else DEFAULT_TOKENS
    fixtures = None
    if args.fixtures is not None and args.fixtures_from is not None:
        raise ContractsError("give either --fixtures FILE or --fixtures-from RECORDING, not both")
    if args.fixtures is not None:
        from mockserver.fixtures.user import load_fixtures_file

        fixtures = load_fixtures_file(args.fixtures)
    specs = load_specs(args.spec_files, args.specs_dir, background=True)
    try:
        return _build_with(args, specs, tokens, fixtures, rate_limit)
    finally:
        cancel_validation(specs)  # a no-op once its verdict is in


def _build_with(
    args: argparse.Namespace, specs: list[ServedSpec], tokens: Any, fixtures: Any, rate_limit: Any
) -> MockSetup:
    from mockserver.admin.faults import FaultInjector

    faults = FaultInjector(
        None, latency_ms=args.latency, error_rate=args.error_rate, rate_limit=rate_limit, seed=args.seed
    )
    store = open_store(args.store)
    recordings = _recordings(args, specs)

    from mockserver import create_app

    try:
        app = create_app(
            [s.for_app() for s in specs],
            tokens=list(tokens),
            store=store,
            seed=args.seed,
            admin=args.admin,
            processing_delay=args.processing_delay,
            strict=args.strict,
            fixtures=recordings["fixtures_from"].fixtures if "fixtures_from" in recordings else fixtures,
        )
    except ContractsError:
        await_validation(specs)  # an invalid spec's own error first: the build may have failed on it
        raise
    except Exception as exc:  # a spec the mock cannot handle: one line, not a traceback
        await_validation(specs)
        detail = f"{type(exc).__name__}: {exc}"
        raise ContractsError(
            f"cannot build the mock from {', '.join(s.source for s in specs)}: {detail}"
        ) from exc
    from mockserver.auth.admin_guard import allow_host

    allow_host(app, args.host)
    for name in args.allowed_hosts:
        allow_host(app, name)
    _use_recordings(app, args, recordings)
    if getattr(args, "stubs", None) is not None:
        from mockserver.http.stubs import load_stubs_file

        count = load_stubs_file(app, args.stubs)
        _say(args, f"Stubs: {count} from {args.stubs}")
    faults.app = app
    await_validation(specs)  # nothing is served before the specs are known to be valid
    return MockSetup(faults if faults.active else app, specs, tokens, args.tokens is None, faults, store)


def _say(args: argparse.Namespace, text: str) -> None:
    """A start-up note on stderr, unless ``-q``."""
    if getattr(args, "verbosity", 0) >= 0:
        print(text, file=sys.stderr)


def _recordings(args: argparse.Namespace, specs: list[ServedSpec]) -> dict[str, Any]:
    """--replay and --fixtures-from: HAR files read (and checked) before anything starts."""
    from contracts.har import load_har

    found: dict[str, Any] = {}
    if args.replay is not None:
        found["replay"] = load_har(args.replay)
    if args.fixtures_from is not None:
        from mockserver.fixtures.recorded import recorded_fixtures

        docs = {s.version: s.doc for s in specs}
        found["fixtures_from"] = recorded_fixtures(
            load_har(args.fixtures_from), docs, f"--fixtures-from {args.fixtures_from}", args.seed
        )
    return found


def _use_recordings(app: Any, args: argparse.Namespace, recordings: dict[str, Any]) -> None:
    if "fixtures_from" in recordings:
        from mockserver.fixtures.recorded import store_others

        recorded = recordings["fixtures_from"]
        store_others(app, recorded.others)
        _say(args, f"Fixtures: {recorded.count} entities from {args.fixtures_from}")
    if "replay" in recordings:
        from mockserver.admin.replay import Replayer

        replayer = Replayer(app.wsgi_app, recordings["replay"])
        app.wsgi_app = replayer
        _say(args, f"Replay: {replayer.recorded} recorded answers from {args.replay}")


def run(args: argparse.Namespace) -> int:
    from mockserver.http.inline import reads_inline
    from mockserver.http.serve import DEFAULT_CONNECTION_LIMIT, DEFAULT_THREADS, MockServer, format_banner

    started = time.perf_counter()
    setup = build_app(args)
    threads = args.threads or DEFAULT_THREADS
    server = None
    try:
        limit = DEFAULT_CONNECTION_LIMIT if args.connection_limit is None else args.connection_limit
        # faults.app is the Flask app (setup.app is the fault middleware when a fault is on)
        inline = reads_inline(setup.faults.app, setup.faults) if args.inline else None
        server = MockServer(
            setup.app, args.host, args.port, threads=threads, connection_limit=limit, inline=inline
        )
        banner = format_banner(
            base_url=server.base_url,
            specs=[
                (s.version, s.build, len(s.doc.get("paths") or {}), _shown(s.source)) for s in setup.specs
            ],
            tokens=setup.tokens,
            tokens_in_clear=setup.builtin_tokens,
            store=args.store,
            seed=args.seed,
            admin=args.admin,
            processing_delay=args.processing_delay,
            faults=setup.faults.describe(),
            threads=threads,
            startup_seconds=time.perf_counter() - started,
            inline=inline is not None,
        )
        quiet = getattr(args, "verbosity", 0) < 0
        print(banner.splitlines()[0] if quiet else banner, flush=True)  # -q: the URL line only
        server.serve_until_signal()
    finally:
        if server is not None:
            server.stop()  # no-op after a clean stop; frees the port if printing failed
        if setup.store is not None:
            setup.store.close()
    if getattr(args, "verbosity", 0) >= 0:
        print("madaster-contracts mock: stopped", file=sys.stderr, flush=True)
    return 0
