"""``madaster-contracts diff``: every change between two specs, classified breaking/warning/info.

OLD and NEW are spec files or store references (``v3.0@28168``, ``v3.0@latest``,
``v3.0@previous``). ``--history v3.0`` walks all stored builds; ``--across v3.0 v4.0``
compares two versions with the ``/api/vX.Y`` prefix set aside. Exit 1 when a change at or
above ``--fail-on`` remains (not ignored), 0 otherwise, 2 on bad input.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

TYPE_CHECKING = False  # typing is not imported at run time: it costs start-up (contracts.records)

if TYPE_CHECKING:
    from contracts.diff.sources import LoadedSpec

LEVEL_CHOICES = ("breaking", "warning", "info")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", nargs="?", metavar="OLD", help="older spec: a file or a store reference")
    parser.add_argument("new", nargs="?", metavar="NEW", help="newer spec: a file or a store reference")
    parser.add_argument("--history", metavar="VERSION", help="changelog over every stored build of VERSION")
    parser.add_argument(
        "--across",
        nargs=2,
        metavar=("FROM", "TO"),
        help="migration report between two versions (latest build of each, or VERSION@BUILD)",
    )
    parser.add_argument(
        "--format", choices=("text", "json", "markdown", "junit", "githubactions", "html"), default="text"
    )
    parser.add_argument(
        "--fail-on",
        choices=("breaking", "warning", "never"),
        default="breaking",
        help="exit 1 when a change at or above this level exists (default: breaking)",
    )
    parser.add_argument(
        "--ignore", metavar="FILE", help="YAML list of accepted changes {id, operation, location, reason}"
    )
    parser.add_argument(
        "--levels",
        metavar="FILE",
        help="YAML/JSON mapping rule id -> breaking|warning|info|ignore, overriding the built-in levels",
    )
    parser.add_argument(
        "--min-level",
        choices=LEVEL_CHOICES,
        default="info",
        help="hide less severe findings in text/markdown",
    )
    parser.add_argument(
        "--specs-dir", metavar="DIR", help="snapshot store (default: $MADASTER_SPECS_DIR or ./specs)"
    )
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument(
        "--validate", action="store_true", help="fully validate both documents as OpenAPI first (slower)"
    )
    parser.add_argument("--rules", action="store_true", help="list every rule id with its level and exit")
    parser.add_argument(
        "--usage",
        metavar="FILE",
        help="keep only the changes that touch this client's traffic (HAR, proxy JSONL log or mock request log)",
    )


def run(args: argparse.Namespace) -> int:
    """One diff call, with Python's cycle collector paused: it would walk every parsed document
    and model a few times (4-5% of a whole call) to free nothing, as they live until the report
    is written; what they leave is freed by reference counts, or when the collector resumes."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _run(args)
    finally:
        if paused:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    from contracts.diff.engine import diff_specs
    from contracts.diff.formatters import RenderOptions, renderer
    from contracts.diff.model import Level
    from contracts.errors import ContractsError

    # The catalogue and the YAML reader are read only for a team's files: not part of a plain diff.
    known = _rule_ids() if args.levels or args.ignore else set()
    levels = _load_levels(args.levels, known) if args.levels else {}
    if args.rules:
        return _print_rules(args.format, levels)
    ignores = _load_ignores(args.ignore, known) if args.ignore else []
    pairs = _pairs(args)
    reports = []
    for old, new in pairs:
        across = bool(args.across) or (
            old.version is not None and new.version is not None and old.version != new.version
        )
        report = diff_specs(old.doc, new.doc, across=across, old_label=old.title, new_label=new.title)
        if levels:
            from contracts.diff.levels import apply_levels

            apply_levels(report, levels)
        if ignores:
            from contracts.diff.ignore import apply_ignores

            apply_ignores(report, ignores)
        reports.append(report)

    splits = None
    if args.usage is not None:  # imported only when asked: a plain diff starts faster
        from contracts.diff.usage_filter import filter_by_usage

        splits = filter_by_usage(args.usage, [old.doc for old, _ in pairs], reports)
    fail_on = None if args.fail_on == "never" else Level.parse(args.fail_on)
    color = args.color == "always" or (
        args.color == "auto" and not args.output and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    )
    options = RenderOptions(
        fail_on=fail_on, min_level=Level.parse(args.min_level), color=color, history=bool(args.history)
    )
    text = renderer(args.format)(reports, options)
    if splits is not None:
        from contracts.diff.usage_report import annotate

        text = annotate(text, args.format, splits, args.usage)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise ContractsError(f"{args.output}: cannot write the report: {exc.strerror or exc}") from None
    elif getattr(args, "verbosity", 0) >= 0:  # -q: the exit status only
        sys.stdout.write(text)
    if fail_on is not None and any(r.has_at_least(fail_on) for r in reports):
        return 1
    return 0


def _rule_ids() -> set[str]:
    from contracts.diff.catalogue import rules_by_id

    return set(rules_by_id())


def _load_levels(path: str, known: set[str]) -> dict:
    from contracts.diff.levels import load_levels

    return load_levels(path, known)


def _load_ignores(path: str, known: set[str]) -> list:
    from contracts.diff.ignore import load_ignore_file

    return load_ignore_file(path, known)


def _print_rules(fmt: str, levels: dict) -> int:
    """The catalogue with this run's levels (``--levels`` applied; ``ignore`` for dropped rules)."""
    import json

    from contracts.diff.catalogue import all_rules, markdown_table, why

    if fmt == "markdown" and not levels:
        sys.stdout.write(markdown_table())
        return 0
    rows = []
    for r in all_rules():
        level = levels.get(r.id, r.level)
        rows.append((r, "ignore" if level is None else level.label))
    if fmt == "json":
        data = [
            {"id": r.id, "level": label, "group": r.group, "description": r.description, "why": why(r.id)}
            for r, label in rows
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        for r, label in rows:
            sys.stdout.write(f"{r.id:44} {label:9} {r.description}\n")
    return 0


class _Side:
    """One side of a comparison with the label the report shows."""

    def __init__(self, loaded: LoadedSpec) -> None:
        from contracts.diff.sources import describe

        self.doc = loaded.doc
        self.version = loaded.version
        self.title = describe(loaded)


def _pairs(args: argparse.Namespace) -> list[tuple[_Side, _Side]]:
    from contracts.diff import sources
    from contracts.errors import ContractsError

    modes = sum(bool(x) for x in (args.history, args.across, args.old or args.new))
    if modes != 1:
        raise ContractsError("give OLD and NEW, or --history VERSION, or --across FROM TO (exactly one)")
    if args.history:
        store = sources.open_store(args.specs_dir)
        from contracts.store import check_version_name

        builds = store.builds(check_version_name(args.history))
        if len(builds) < 2:
            known = ", ".join(store.versions()) or "none"
            raise ContractsError(
                f"--history {args.history} needs at least two stored builds, found {len(builds)} "
                f"in {store.root} (stored versions: {known})"
            )
        sides = [_Side(sources.load_ref(b.label, store, validate=args.validate)) for b in builds]
        return list(zip(sides, sides[1:], strict=False))
    if args.across:
        store = None
        loaded = []
        for ref in args.across:
            if not sources.looks_like_ref(ref):
                loaded.append(sources.load_source(ref, args.specs_dir, validate=args.validate))
                continue
            store = store or sources.open_store(args.specs_dir)
            loaded.append(
                sources.load_ref(ref if "@" in ref else f"{ref}@latest", store, validate=args.validate)
            )
        return [(_Side(loaded[0]), _Side(loaded[1]))]
    if not (args.old and args.new):
        raise ContractsError("give both OLD and NEW (files or store references such as v3.0@latest)")
    old = sources.load_source(args.old, args.specs_dir, validate=args.validate)
    new = sources.load_source(args.new, args.specs_dir, validate=args.validate)
    return [(_Side(old), _Side(new))]
