"""The rule catalogue: every rule id, its level and description; ``--markdown`` prints the docs table.

``python -m contracts.diff.catalogue --markdown`` prints the table;
``python -m contracts.diff.catalogue --update docs/diff.md`` rewrites it between the markers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from contracts.diff.checks import CHECK_MODULES
from contracts.diff.model import Rule
from contracts.diff.rationale import WHY

GROUP_TITLES = {
    "operations": "Operations",
    "security": "Security",
    "parameters": "Parameters",
    "parameter_style": "Parameter serialisation",
    "request_body": "Request body",
    "request_properties": "Request body properties",
    "responses": "Responses",
    "response_properties": "Response properties",
    "response_headers": "Response headers",
}


def all_rules() -> list[Rule]:
    """Every rule, grouped in check order; ids are unique."""
    rules: list[Rule] = []
    for module in CHECK_MODULES:
        group = module.__name__.rsplit(".", 1)[-1]
        rules.extend(Rule(r.id, r.level, r.description, group) for r in module.RULES)
    return rules


def rules_by_id() -> dict[str, Rule]:
    return {r.id: r for r in all_rules()}


def why(rule_id: str) -> str:
    """The reasoning behind a rule's level (contracts.diff.rationale)."""
    return WHY.get(rule_id, "")


def markdown_table() -> str:
    lines = ["| group | id | level | meaning | why this level |", "|---|---|---|---|---|"]
    for r in all_rules():
        reason = why(r.id).replace("|", "\\|")
        group = GROUP_TITLES.get(r.group, r.group)
        lines.append(f"| {group} | `{r.id}` | {r.level.label} | {r.description} | {reason} |")
    return "\n".join(lines) + "\n"


START, END = "<!-- rule-table:start -->", "<!-- rule-table:end -->"


def with_table(document: str) -> str:
    """``document`` with the text between the rule-table markers replaced by the current table."""
    head, start, rest = document.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the document has no {START} ... {END} markers")
    return f"{head}{START}\n{markdown_table()}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.diff.catalogue", description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print the rule table as Markdown")
    parser.add_argument("--update", metavar="FILE", help="rewrite the table between the markers in FILE")
    args = parser.parse_args(argv)
    if args.update:
        path = Path(args.update)
        try:
            path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
        except (OSError, ValueError) as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            return 2
    elif args.markdown:
        sys.stdout.write(markdown_table())
    else:
        for r in all_rules():
            print(f"{r.id:48} {r.level.label:9} {r.description}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
