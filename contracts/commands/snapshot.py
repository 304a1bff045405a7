"""``madaster-contracts snapshot list|capture|check|import``: the per-version spec store."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from contracts.errors import ContractsError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    from contracts.cli import add_verbosity

    def common(sub: argparse.ArgumentParser) -> None:
        add_verbosity(sub, nested=True)
        sub.add_argument(
            "--specs-dir",
            type=Path,
            help="snapshot store (default: $MADASTER_SPECS_DIR or ./specs)",
        )

    listing = actions.add_parser("list", help="versions, builds, capture dates and provenance")
    listing.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="json: every snapshot with its provenance and each version's newest"
        " (docs/schemas/snapshot-list.schema.json)",
    )
    common(listing)

    for name, help_text in (
        ("capture", "fetch {URL}/api/{V}/swagger.json and store new builds"),
        ("check", "exit 1 when the served spec differs from the newest stored build"),
    ):
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--base-url", required=True, help="API host, e.g. https://api.madaster.com")
        sub.add_argument(
            "--version",
            action="append",
            dest="versions",
            metavar="V",
            help="API version such as v3.0 (repeatable; default: every stored version)",
        )
        sub.add_argument("--api-key", help="sent as X-API-Key (default: $MADASTER_API_KEY)")
        sub.add_argument("--timeout", type=float, default=20.0, help="seconds per request (default 20)")
        common(sub)

    importing = actions.add_parser("import", help="add a spec file (JSON or YAML) to the store")
    importing.add_argument("file", type=Path)
    importing.add_argument("--version", help="API version (default: read from the document)")
    importing.add_argument("--note", help="free text kept in the snapshot's provenance")
    importing.add_argument(
        "--baseline", action="store_true", help="mark the document as an authored baseline"
    )
    common(importing)


def run(args: argparse.Namespace) -> int:
    from contracts.store import SnapshotStore, default_specs_dir

    store = SnapshotStore(args.specs_dir or default_specs_dir())
    handler = {"list": _list, "capture": _capture, "check": _check, "import": _import}[args.action]
    return handler(store, args)


def _list(store, args) -> int:
    versions = store.versions()
    if getattr(args, "format", "text") == "json":
        from contracts.snapshot_listing import listing_json

        print(listing_json(store, versions))
        return 0
    if not versions:
        print(f"no snapshots in {store.root}")
        return 0
    rows = [("VERSION", "BUILD", "CAPTURED", "KIND", "OPS", "SOURCE")]
    for version in versions:
        for snap in store.builds(version):
            meta = snap.meta
            rows.append(
                (
                    version,
                    snap.build or snap.name,
                    meta.get("captured_at", "?"),
                    meta.get("kind", "?"),
                    str(meta.get("operations", "?")),
                    meta.get("source", "?"),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    if not _quiet(args):
        print(f"\nstore: {store.root}")
    return 0


def _quiet(args: argparse.Namespace) -> bool:
    return getattr(args, "verbosity", 0) < 0


def _target_versions(store, args) -> list[str]:
    from contracts.store import check_version_name

    versions = args.versions or store.versions()
    if not versions:
        raise ContractsError(f"no versions given and none stored in {store.root}; pass --version V")
    return [check_version_name(v) for v in versions]


def _api_key(args) -> str | None:
    return args.api_key or os.environ.get("MADASTER_API_KEY") or None


def _capture(store, args) -> int:
    from contracts.fetch import fetch_spec

    versions = _target_versions(store, args)
    # fetch and validate everything first: one failure leaves the store untouched
    fetched = [
        fetch_spec(args.base_url, v, api_key=_api_key(args), timeout=args.timeout) + (v,) for v in versions
    ]
    for raw, _doc, url, version in fetched:
        result = store.add(raw, source=url, version=version, kind="capture")
        if result.added:
            print(f"{version}: stored {result.snapshot.label} ({result.snapshot.path})")
        else:
            if not _quiet(args):
                print(f"{version}: unchanged, same as stored {result.snapshot.label}")
    return 0


def _check(store, args) -> int:
    from contracts.drift import summarize_drift
    from contracts.fetch import fetch_spec
    from contracts.store import canonical_sha256

    versions = _target_versions(store, args)
    latest = {v: store.latest(v) for v in versions}  # unknown version -> error before any request
    drifted = 0
    for version in versions:
        _raw, served, url = fetch_spec(args.base_url, version, api_key=_api_key(args), timeout=args.timeout)
        stored_snapshot = latest[version]
        stored = stored_snapshot.load()
        if canonical_sha256(stored) == canonical_sha256(served):
            if not _quiet(args):
                print(f"{version}: no drift ({url} equals stored {stored_snapshot.label})")
            continue
        drifted += 1
        print(f"{version}: DRIFT: {url} differs from stored {stored_snapshot.label}")
        for line in summarize_drift(stored, served):
            print(f"  {line}")
    if drifted:
        print(
            f"\n{drifted} of {len(versions)} version(s) drifted. For the full report, store the new build(s)"
            " with `madaster-contracts snapshot capture`, then run `madaster-contracts diff V@previous V@latest`."
        )
        sys.stdout.flush()
        return 1
    return 0


def _import(store, args) -> int:
    kind = "baseline" if args.baseline else "import"
    result = store.add_file(args.file, version=args.version, kind=kind, note=args.note)
    if result.added:
        print(f"stored {result.snapshot.label} ({result.snapshot.path})")
    elif not _quiet(args):
        print(f"unchanged: {args.file} equals stored {result.snapshot.label}")
    return 0
