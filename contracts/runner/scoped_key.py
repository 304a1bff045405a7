"""A key scoped to one entity (a folder, a building, a database) lists nothing outside it.

With ``--scoped-key KEY`` (``$MADASTER_SCOPED_KEY``; the embedded mock makes its own, on an
entity of its fixtures), each list a token's scope bounds (``contracts/platform/data/scopes.yaml``:
folders, buildings, databases) is read with the run's key and with the scoped key:

- ``scoped_key``: every entity the scoped key lists is its scope or hangs below it, by the
  parent fields of the entries of both keys' lists (a building's ``folderId``, a folder's
  ``parentId``). The scope is the entity the key was made on where the run knows it (the
  embedded mock's), else the entity of the scoped key's lists that no other listed one holds
  and that holds the most (a token reaches one entity and what hangs below it: two unrelated
  tops mean a list shows what is outside the scope). The standard databases are reference
  data every key lists. A list the key may not read at all (403) shows nothing: no finding.

Reads only; turned off with ``--skip-check scoped_key``.
"""

from __future__ import annotations

from typing import Any

from contracts.platform.scopes import Entity, parent_links, scope_rules, shared_ids, topmost, within
from contracts.runner.active_run import active
from contracts.runner.flow import Flow, json_of
from contracts.runner.relatives import entries
from contracts.runner.target import SCOPED_PLACEHOLDER

SCOPED_CHECK = "scoped_key"
SHOWN = 5


def wanted_for(target: Any) -> bool:
    run = active()
    return bool(target.scoped) and (run is None or run.enabled(SCOPED_CHECK))


def check_scoped_lists(flow: Flow, full_lists: dict[str, list[dict[str, Any]]]) -> None:
    """Read each scoped list with the scoped key; what lies outside the scope is a finding.

    ``full_lists`` holds the run key's lists (read here when missing), for the parent links.
    """
    if not wanted_for(flow.target):
        return
    answers: dict[str, tuple[Any, Any, list[dict[str, Any]]]] = {}
    for path in scope_rules().scoped_lists:
        operation = flow.operation("get", path)
        if operation is None:
            continue
        if path not in full_lists:
            _, response = flow.call(operation, {})
            full_lists[path] = (entries(json_of(response)) or []) if response.status_code == 200 else []
        case, response = flow.call(operation, {}, key=SCOPED_PLACEHOLDER)
        if response.status_code in (403, 404):
            continue  # the key may not list these at all: nothing outside its scope is shown
        if response.status_code != 200:
            flow.fail(
                case,
                response,
                SCOPED_CHECK,
                "Scoped key not answered",
                f"GET {path} with the scoped key answered {response.status_code}, expected 200 (or 403)",
            )
            continue
        flow.validate(case, response)
        answers[path] = (case, response, entries(json_of(response)) or [])
    shared = shared_ids(flow.version)
    links = parent_links({**full_lists, **{p: a[2] for p, a in answers.items()}})
    for path, (_, _, listed) in answers.items():  # an entry of both lists: the scoped key's links win
        links.update(parent_links({path: listed}))
    members = [(p, str(e["id"])) for p, a in answers.items() for e in a[2] if e.get("id") not in (None, "")]
    members = [m for m in members if m[1] not in shared]
    scope = flow.target.scope or topmost(members, links)
    if scope is None:
        return
    for path, (case, response, _) in answers.items():
        outside = [m[1] for m in members if m[0] == path and not within(m, scope, links)]
        if outside:
            flow.fail(
                case,
                response,
                SCOPED_CHECK,
                "Scoped key lists what is outside its scope",
                _message(flow, path, outside, scope, links),
            )
        else:
            flow.passed(case, SCOPED_CHECK)


def _message(flow: Flow, path: str, outside: list[str], scope: Entity, links: dict[Entity, Entity]) -> str:
    kind = scope[0].strip("/")
    known = "the key's scope" if flow.target.scope else "the topmost entity the key lists"
    shown = []
    for entity_id in outside[:SHOWN]:
        parent = links.get((path, entity_id))
        shown.append(f"{entity_id} (in {parent[0].strip('/')} {parent[1]})" if parent else entity_id)
    more = f" and {len(outside) - SHOWN} more" if len(outside) > SHOWN else ""
    return (
        f"GET {path} with the scoped key lists {len(outside)} entit{'y' if len(outside) == 1 else 'ies'} "
        f"outside {kind} {scope[1]} ({known}): {', '.join(shown)}{more}"
    )
