"""Shared wording for schema facts, so parameters, request and response properties say the same thing.

Each check module owns its rules (ids and levels); it maps the schema facts it reports to
those rules with ``fact_table`` and gets the common message templates from here. A
module whose wording differs for a fact passes its own template for that fact.
"""

from __future__ import annotations

from contracts.diff import schema_diff as facts
from contracts.diff.model import Rule

MESSAGES: dict[str, str] = {
    facts.PROPERTY_REQUIRED: "became required",
    facts.PROPERTY_OPTIONAL: "became optional",
    facts.ENUM_VALUES_REMOVED: "enum values removed: {detail}",
    facts.ENUM_ADDED: "now restricted to enum values: {detail}",
    facts.ENUM_VALUES_ADDED: "enum values added: {detail}",
    facts.ENUM_REMOVED: "enum restriction removed (was: {detail})",
    facts.NULLABLE_REMOVED: "no longer nullable",
    facts.NULLABLE_ADDED: "became nullable",
    facts.TIGHTENED: "tightened: {detail}",
    facts.LOOSENED: "loosened: {detail}",
    facts.DEFAULT_CHANGED: "default changed: {detail}",
    facts.VARIANT_REMOVED: "alternative removed",
    facts.VARIANT_ADDED: "alternative added",
    facts.ADDITIONAL_CLOSED: "no longer accepts unknown properties",
    facts.ADDITIONAL_OPENED: "now accepts unknown properties",
}
"""Message template per schema fact kind; ``{detail}`` is the fact's detail."""


def fact_table(rules: dict[str, Rule], wording: dict[str, str] | None = None) -> dict[str, tuple[Rule, str]]:
    """Fact kind -> (the module's rule, message template); ``wording`` overrides shared templates."""
    templates = {**MESSAGES, **(wording or {})}
    return {kind: (r, templates[kind]) for kind, r in rules.items()}
