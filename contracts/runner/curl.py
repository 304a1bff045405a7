"""curl commands that reproduce a case; the key is always written as ``$MADASTER_API_KEY``."""

from __future__ import annotations

from typing import Any

from contracts.runner.transport import KEY_HEADER, KEY_PLACEHOLDER

_SENTINEL_BASE = "http://madaster-contracts.invalid"


def curl_for_case(
    case: Any, base_url: str, *, auth: str = "key", unknown_key: str = "some-unknown-key"
) -> str:
    """``auth``: ``key`` (the run's key), ``no key`` or ``unknown key``."""
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != KEY_HEADER.lower()}
    probe = case.operation.Case(
        method=case.method,
        path_parameters=case.path_parameters,
        query=case.query,
        headers=headers,
        body=case.body,
        media_type=case.media_type,
    )
    command = probe.as_curl_command(base_url=_SENTINEL_BASE)
    # The key header is added here, not by schemathesis, so its sanitization cannot rewrite it.
    key_header = {
        "key": f'-H "{KEY_HEADER}: {KEY_PLACEHOLDER}"',
        "unknown key": f"-H '{KEY_HEADER}: {unknown_key}'",
    }
    if auth in key_header:
        head = f"curl -X {case.method.upper()}"
        if command.startswith(head):
            command = f"{head} {key_header[auth]}{command[len(head) :]}"
    if base_url.startswith("$"):  # an environment variable: keep it outside single quotes
        command = command.replace(f"'{_SENTINEL_BASE}", f'"{base_url}"\'')
        command = command.replace(_SENTINEL_BASE, f'"{base_url}"')
    else:
        command = command.replace(_SENTINEL_BASE, base_url.rstrip("/"))
    return command
