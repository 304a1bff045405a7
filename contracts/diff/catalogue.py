"""The rule catalogue: every rule id, its level and description; ``--markdown`` prints the docs table.

Run ``python -m contracts.diff.catalogue --markdown`` to regenerate the table in docs/diff.md.
"""

from __future__ import annotations

import argparse
import sys

from contracts.diff.checks import CHECK_MODULES
from contracts.diff.model import Rule

GROUP_TITLES = {
    "operations": "Operations",
    "security": "Security",
    "parameters": "Parameters",
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


def markdown_table() -> str:
    lines = ["| group | id | level | meaning |", "|---|---|---|---|"]
    for r in all_rules():
        lines.append(
            f"| {GROUP_TITLES.get(r.group, r.group)} | `{r.id}` | {r.level.label} | {r.description} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.diff.catalogue", description=__doc__)
    parser.add_argument("--markdown", action="store_true", help="print the rule table as Markdown")
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown_table())
    else:
        for r in all_rules():
            print(f"{r.id:48} {r.level.label:9} {r.description}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
