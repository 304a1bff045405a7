"""How a failure is reproduced: the curl of the request actually sent, and the chain before it."""

from __future__ import annotations

from typing import Any

from contracts.runner.curl import curl_for_case, curl_for_sent
from contracts.runner.results import ChainStep
from contracts.runner.target import Target


def curl_for(target: Target, case_id: str | None, case: Any, scenario: str | None = None) -> str:
    """The request as sent (from the target's request log); rebuilt from the case if it never left."""
    sent = target.log.get(case_id) if target.log else None
    if sent is not None:
        return curl_for_sent(sent, target.display_base_url)
    return curl_for_case(
        case, target.display_base_url, auth=scenario or "key", unknown_key=target.unknown_key
    )


def chain_step(target: Target, case: Any, status: int | None) -> ChainStep:
    """One request of a scenario: method, final URL, status and its curl."""
    sent = target.log.get(case.id) if target.log else None
    path = sent.target if sent is not None else case.formatted_path
    return ChainStep(
        method=case.method.upper(),
        url=target.display_base_url.rstrip("/") + path,
        status=status,
        curl=curl_for(target, case.id, case),
    )
