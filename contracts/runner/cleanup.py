"""Delete what a run created, and only that: the ledger's entities, children before parents.

Cleanup goes through the same layers as the tests (the gate, the key, the retries), so even
its DELETEs are fenced: one that named an entity outside the ledger would not be sent.
It runs after every run, a failed, interrupted or lost one included.
"""

from __future__ import annotations

from werkzeug.test import Client

from contracts.runner.target import Target
from contracts.runner.transport import KEY_HEADER, KEY_PLACEHOLDER, TargetUnreachable


def clean_up(target: Target) -> list[str]:
    """Delete every entity of the ledger; returns one line per entity that could not be deleted.

    An answer with an id that has no path of its own (a job, an action's receipt) is no entity
    to delete and is not mentioned; an entity the spec cannot delete is named if it still exists.
    """
    gate = target.gate
    if gate is None:
        return []
    client = Client(target.app)
    headers = {KEY_HEADER: KEY_PLACEHOLDER}
    problems: list[str] = []
    for entity in gate.ledger.for_cleanup():
        path = entity.path
        if path is None or not gate.ledger.owns(entity.entity_id):
            continue  # not addressable, or already gone with its parent
        found = gate.templates.match(path)
        try:
            if found is None or "DELETE" not in found[0].methods:
                if client.get(path, headers=headers).status_code == 200:
                    problems.append(
                        f"{path} (created by {entity.created_by}) remains: the spec has no DELETE for it"
                    )
                continue
            response = client.delete(path, headers=headers)
        except TargetUnreachable as exc:
            problems.append(f"DELETE {path}: {exc}")
            continue
        if response.status_code >= 400 and response.status_code not in (404, 410):
            problems.append(f"DELETE {path}: {response.status_code}")
        gate.ledger.forget(path)
    gate.ledger.clear()
    return collapse(problems)


def collapse(lines: list[str]) -> list[str]:
    """Each distinct line once, in first-seen order, with how often it occurred."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    return [line if count == 1 else f"{line} (x{count})" for line, count in counts.items()]
