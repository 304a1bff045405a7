"""The schemathesis configuration of a run: what is generated, and what may be sent.

Read-only runs include only GET and HEAD operations and leave the coverage phase's
unexpected-method probes out, so neither the coverage nor the stateful phase ever
produces a PUT/POST/DELETE; ``transport.WriteGuard`` refuses anything that slips through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from contracts.openapi import OPERATION_METHODS as HTTP_METHODS
from contracts.runner.transport import KEY_HEADER, KEY_PLACEHOLDER

# Built-in checks of schemathesis we run. `ignored_auth` is replaced by `madaster_auth`
# (stricter: 401 exactly, plus the body rule) and its probes break on in-process WSGI apps
# in schemathesis 4.32.5 (`max_redirects` is passed to werkzeug).
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
    "missing_required_header",
    "use_after_free",
    "ensure_resource_availability",
)
DISABLED_BUILTIN_CHECKS = (
    "ignored_auth",
    "object_level_authorization",
    "unsupported_method",
    "allow_header_conformance",
)
READ_ONLY_METHODS = ("GET", "HEAD")


def registered_checks() -> frozenset[str]:
    """The names of every check schemathesis runs, its own and the Madaster ones it was given."""
    from schemathesis.checks import CHECKS, load_all_checks

    from contracts.runner import checks  # noqa: F401  (registers the Madaster checks)

    load_all_checks()
    return frozenset(CHECKS.get_all_names())


def schemathesis_config_dict(
    *,
    seed: int,
    max_examples: int,
    writes_allowed: bool,
    phases: tuple[str, ...],
    timeout: float,
    skipped: tuple[str, ...] | list[str] = (),
) -> dict[str, Any]:
    """The TOML-shaped configuration handed to ``schemathesis.Config.from_dict``.

    ``skipped`` (``--skip-check``) turns built-in checks off here; the Madaster checks read it
    from the active run.
    """
    checks: dict[str, Any] = {name: {"enabled": name not in skipped} for name in BUILTIN_CHECKS}
    checks.update({name: {"enabled": False} for name in DISABLED_BUILTIN_CHECKS})
    checks.update({name: {"enabled": False} for name in skipped if name in registered_checks()})
    coverage: dict[str, Any] = {"enabled": "coverage" in phases}
    if not writes_allowed:
        coverage["unexpected-methods"] = []
    data: dict[str, Any] = {
        "seed": seed,
        "workers": 1,
        "headers": {KEY_HEADER: KEY_PLACEHOLDER},
        "request-timeout": timeout,
        "suppress-health-check": ["all"],
        "cache": {"enabled": False},
        "output": {"sanitization": {"enabled": False}},
        "generation": {
            "max-examples": max_examples,
            "with-security-parameters": False,
            "database": "none",
        },
        "checks": checks,
        "phases": {
            "examples": {"enabled": "examples" in phases, "fill-missing": True},
            "coverage": coverage,
            "fuzzing": {"enabled": "fuzzing" in phases},
            "stateful": {"enabled": "stateful" in phases, "max-steps": 10},
        },
    }
    return data


def select_operations(
    doc: dict[str, Any],
    *,
    writes_allowed: bool,
    patterns: list[re.Pattern[str]],
    keep: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """A shallow copy of ``doc`` without the operations the run must not send.

    Filtering the document (rather than only schemathesis's operation filter) keeps every
    consumer safe: the engine, the pytest integration and the workflows see the same set.
    ``keep`` narrows further by label (a shard, one operation of the pytest plugin).
    """
    paths: dict[str, Any] = {}
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        kept = {}
        for key, value in item.items():
            if key.lower() not in HTTP_METHODS:
                kept[key] = value
                continue
            label = f"{key.upper()} {path}"
            if not writes_allowed and not is_safe_method(key):
                continue
            if patterns and not any(p.search(label) for p in patterns):
                continue
            if keep is not None and not keep(label):
                continue
            kept[key] = value
        if any(key.lower() in HTTP_METHODS for key in kept):
            paths[path] = kept
    return {**doc, "paths": paths}


def is_safe_method(method: str) -> bool:
    return method.upper() in READ_ONLY_METHODS
