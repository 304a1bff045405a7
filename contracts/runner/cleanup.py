"""Delete what a run created, newest first, through the same layers as the tests (key, retries)."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.test import Client

from contracts.runner.target import Target
from contracts.runner.transport import KEY_HEADER, KEY_PLACEHOLDER, CreatedEntity, TargetUnreachable

UPLOAD_SUFFIX = "/upload"
API_PREFIX = re.compile(r"^(/api/v\d+(?:\.\d+)?)(/.*)$")


def delete_templates(doc: dict[str, Any]) -> list[re.Pattern[str]]:
    """Path templates of the spec's DELETE operations, as regexes over concrete paths."""
    patterns = []
    for path, item in (doc.get("paths") or {}).items():
        if isinstance(item, dict) and "delete" in item:
            regex = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))
            patterns.append(re.compile(f"^{regex}$"))
    return patterns


def deletion_path(entity: CreatedEntity, templates: list[re.Pattern[str]]) -> str | None:
    """``POST /folder`` created id X -> ``/folder/X`` when the spec can delete it there.

    An upload adds to the list it sits in: ``POST /commodity/C/files/upload`` created id X ->
    ``/commodity/C/files/X``; a platform action that creates an entity puts it where the
    platform's lifecycles say (``created_by_action``). Nothing else is guessed: a wrong guess
    could delete a real entity.
    """
    base = entity.path.rstrip("/")
    candidates = [f"{base}/{entity.entity_id}"]
    if base.rsplit("/", 1)[-1] == entity.entity_id:  # PUT /thing/{id}
        candidates.insert(0, base)
    if base.endswith(UPLOAD_SUFFIX):
        candidates.append(f"{base.removesuffix(UPLOAD_SUFFIX)}/{entity.entity_id}")
    made = created_by_action(base, entity.entity_id)
    if made is not None:
        candidates.append(made)
    for candidate in candidates:
        if any(t.match(candidate) for t in templates):
            return candidate
    return None


def created_by_action(path: str, entity_id: str) -> str | None:
    """Where a platform action put the entity it created, from ``data/lifecycles.yaml``.

    ``POST /api/v4.0/commodity/C/version`` created X -> ``/api/v4.0/commodity/X`` (a new version);
    ``POST /api/v3.0/building/B/passport`` created X -> ``/api/v3.0/building/B/files/X``. The
    entity's path takes the ids of the action's path in order, and the new id last.
    """
    from contracts.platform.lifecycles import load_lifecycles

    match = API_PREFIX.match(path)
    if match is None:
        return None
    prefix, segments = match.group(1), match.group(2).strip("/").split("/")
    definitions = load_lifecycles()
    for lifecycle in definitions.lifecycles.values():
        if not lifecycle.creates:
            continue
        for trigger in lifecycle.triggers:
            method, template = trigger.split(" ", 1)
            parts = template.strip("/").split("/")
            if method != "POST" or len(parts) != len(segments):
                continue
            if all(part in ("{}", segment) for part, segment in zip(parts, segments, strict=True)):
                ids = [segment for part, segment in zip(parts, segments, strict=True) if part == "{}"]
                item = definitions.entities[lifecycle.entity].path
                values = [*ids[: item.count("{}") - 1], entity_id]
                if len(values) != item.count("{}"):
                    return None
                return prefix + item.replace("{}", "%s") % tuple(values)
    return None


def clean_up(target: Target, doc: dict[str, Any]) -> list[str]:
    """Delete every recorded entity; returns one line per entity that could not be deleted."""
    if target.recorder is None or target.offline:
        return []
    templates = delete_templates(doc)
    client = Client(target.app)
    problems: list[str] = []
    done: set[str] = set()
    for entity in reversed(target.recorder.created):
        path = deletion_path(entity, templates)
        if path is None or path in done:
            if path is None:
                problems.append(f"created by {entity.path}: no DELETE operation to remove it")
            continue
        done.add(path)
        try:
            response = client.delete(path, headers={KEY_HEADER: KEY_PLACEHOLDER})
        except TargetUnreachable as exc:
            problems.append(f"DELETE {path}: {exc}")
            continue
        if response.status_code >= 400 and response.status_code not in (404, 410):
            problems.append(f"DELETE {path}: {response.status_code}")
    target.recorder.created.clear()
    return collapse(problems)


def collapse(lines: list[str]) -> list[str]:
    """Each distinct line once, in first-seen order, with how often it occurred."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    return [line if count == 1 else f"{line} (x{count})" for line, count in counts.items()]
