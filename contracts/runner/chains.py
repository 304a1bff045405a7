"""The Madaster resource chains a write run walks, as data, and the bodies it sends along them.

- v3.0: folder -> building -> building file -> element
- v4.0: database -> commodity -> children / matches

The workflows walk them with every check; ``placement`` walks them to give a write the run's
own entity to act on. A step whose operations a build lacks is skipped, so any snapshot works.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Step:
    name: str
    collection: str
    """Path (after /api/vX.Y) of the create operation; ``{parent}`` params are filled from earlier steps."""
    item: str
    """Path of the single entity; its last parameter is the created id."""
    create_method: str = "post"
    links: dict[str, str] = field(default_factory=dict)
    """Body field -> step name (its id), ``lookup:/path`` (the first id listed there) or ``none``
    (an empty list); applied where the body declares the field. The platform refuses ids it does
    not have (a classification method, a database), so generated ones are never sent."""
    reads: tuple[str, ...] = ()
    """Further GET paths below the item (children, matches)."""
    prepare: tuple[str, ...] = ()
    """POST paths below the item that ready it for the next step (a file is opened for elements)."""


CHAINS: dict[str, tuple[Step, ...]] = {
    "v3.0": (
        Step(
            "folder",
            "/folder",
            "/folder/{id}",
            links={"parentId": "lookup:/account", "foldertypeId": "lookup:/account/foldertypes"},
        ),
        Step(
            "building",
            "/building",
            "/building/{id}",
            links={"folderId": "folder", "classificationType": "lookup:/system/classificationmethods"},
        ),
        Step(
            "file",
            "/building/{buildingId}/files",
            "/building/{buildingId}/files/{id}",
            links={
                "classificationTypeId": "lookup:/system/classificationmethods",
                "preferredDatabaseIds": "none",
            },
            prepare=("/building/{buildingId}/files/{id}/setimporting",),
        ),
        Step(
            "element",
            "/building/{buildingId}/files/{fileId}/elements",
            "/building/{buildingId}/files/{fileId}/elements/{id}",
        ),
    ),
    "v4.0": (
        Step("database", "/database", "/database/{id}"),
        Step(
            "commodity",
            "/commodity",
            "/commodity/{id}",
            links={"databaseId": "database"},
            reads=("/commodity/{id}/children", "/commodity/{id}/matches"),
        ),
    ),
}
PATH_LINKS = {"buildingId": "building", "fileId": "file", "databaseId": "database", "folderId": "folder"}


def generate_body(operation: Any, rng: random.Random) -> Any:
    """One schema-valid body for the operation, drawn from schemathesis's positive strategy."""
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample, Unsatisfiable
    from schemathesis.generation import GenerationMode

    if operation.body is None or not len(operation.body):
        return None
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    try:
        case = find(
            strategy,
            lambda _: True,
            settings=settings(
                database=None,
                max_examples=5,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            ),
            random=rng,
        )
    except (NoSuchExample, Unsatisfiable):
        return None
    return case.body


def body_properties(operation: Any) -> set[str]:
    try:
        for alternative in operation.body:
            schema = alternative.optimized_schema if hasattr(alternative, "optimized_schema") else {}
            return set((schema or {}).get("properties", {}))
    except Exception:  # noqa: BLE001 - only a hint for naming
        return set()
    return set()
