"""References a request body makes to the platform's catalogue, checked as the platform checks them.

A folder's ``foldertypeId``, a building's ``classificationType``, a file's ``classificationTypeId``
and ``preferredDatabaseIds`` are ids a client can only have read from the platform (the account's
folder types, ``/system/classificationmethods``, the databases): one the platform does not have is a
dangling reference, refused like a missing ``folderId``. Which fields point where is
``contracts/platform/data/links.yaml`` (``refs``); which catalogue lists are refused when unknown is
its ``refused_when_unknown`` (codes a client may know from elsewhere, such as usage codes, are not:
the catalogue holds a selection of the platform's, so such a code is stored as sent).
"""

from __future__ import annotations

from typing import Any

from contracts.platform.catalogue import links, read_data
from mockserver.state.store import StateStore


def refused_lists() -> dict[str, str]:
    """Catalogue list -> what one entry is called (``folder_types`` -> ``folder type``)."""
    return dict(read_data("links.yaml").get("refused_when_unknown") or {})


def unknown_reference(runtime: Any, store: StateStore, collection: str, body: Any) -> str | None:
    """Why ``body`` names a catalogue entry the platform does not have; None when it names none."""
    refused = refused_lists()
    if runtime.catalogue is None or not isinstance(body, dict) or not refused:
        return None
    for link in links(runtime.version).values():
        if link.collection != collection:
            continue
        for field, targets in link.refs.items():
            checked = [t for t in targets if t in refused]
            value = body.get(field)
            if not checked or value is None:
                continue
            for item in value if isinstance(value, list) else [value]:
                if not _known(runtime, store, targets, str(item)):
                    what = " or ".join(refused[t] for t in checked)
                    return f"{field} '{item}' names no {what} the platform knows"
    return None


def known_references(runtime: Any, collection: str | None, body: dict[str, Any]) -> dict[str, Any]:
    """For a generated body (tests, benchmarks): the reference fields it carries, each set to an id
    the platform has (the first of its catalogue list), so the body is not refused."""
    refused = refused_lists()
    if runtime.catalogue is None or not refused:
        return {}
    ids, out = _catalogue_ids(runtime), {}
    for link in links(runtime.version).values():
        if link.collection != collection:
            continue
        for name, targets in link.refs.items():
            known = sorted(next((ids[t] for t in targets if t in refused and ids.get(t)), ()))
            if name in body and known:
                out[name] = [known[0]] if isinstance(body[name], list) else known[0]
    return out


def _known(runtime: Any, store: StateStore, targets: tuple[str, ...], value: str) -> bool:
    ids = _catalogue_ids(runtime)
    for target in targets:
        if target in ids:
            if value in ids[target]:
                return True
        elif target == "account":
            if value == runtime.account_id:
                return True
        elif store.get(target, value) is not None:  # an entity of the account (a database it made)
            return True
    return False


def _catalogue_ids(runtime: Any) -> dict[str, set[str]]:
    found = getattr(runtime, "_catalogue_ids", None)
    if found is None:
        found = runtime.catalogue.ids() if runtime.catalogue is not None else {}
        runtime._catalogue_ids = found
    return found
