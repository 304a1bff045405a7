"""curl commands that reproduce a request; the key is always written as ``$MADASTER_API_KEY``.

``curl_for_sent`` rebuilds the request that actually left the run (run-prefixed name, final
encoded URL, body), which is what reproduces the answer the run saw; ``curl_for_case`` is the
fallback for a case that never reached the transport.
"""

from __future__ import annotations

import shlex
from typing import Any

from contracts.runner.transport import KEY_HEADER, KEY_PLACEHOLDER, SentRequest

_SENTINEL_BASE = "http://madaster-contracts.invalid"


def curl_for_sent(sent: SentRequest, base_url: str) -> str:
    """The curl command for a request as it was sent (the key, if any, as the variable)."""
    parts = [f"curl -X {sent.method}"]
    for name, value in sent.headers.items():
        if name.lower() == KEY_HEADER.lower():
            if value == KEY_PLACEHOLDER:
                parts.append(f'-H "{KEY_HEADER}: {KEY_PLACEHOLDER}"')
            else:
                parts.append("-H " + shlex.quote(f"{KEY_HEADER}: {value}"))
            continue
        parts.append("-H " + shlex.quote(f"{name}: {value}"))
    if sent.body:
        parts.append("-d " + shlex.quote(sent.body.decode("utf-8", errors="backslashreplace")))
    parts.append(_url(base_url, sent.target))
    return " ".join(parts)


def _url(base_url: str, target: str) -> str:
    if base_url.startswith("$"):  # an environment variable: keep it outside single quotes
        return f'"{base_url}"' + shlex.quote(target)
    return shlex.quote(base_url.rstrip("/") + target)


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
    if base_url.startswith("$"):
        command = command.replace(f"'{_SENTINEL_BASE}", f'"{base_url}"\'')
        command = command.replace(_SENTINEL_BASE, f'"{base_url}"')
    else:
        command = command.replace(_SENTINEL_BASE, base_url.rstrip("/"))
    return command
