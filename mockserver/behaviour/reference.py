"""Reference endpoints answered from the platform catalogue instead of generated values.

``/account/foldertypes``, ``/system/...``, ``/building/{id}/availabledatabases``,
``/database/{id}/materialfamilies`` and the like show the platform's reference data. Each answer is
built from ``contracts.platform.catalogue`` in the shape of the operation's response schema
(names localized by ``accept-language`` where the schema has one plain string), and limited to
the fields that schema declares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.platform.catalogue import Catalogue

MISSING = object()


View = Callable[[Catalogue, dict[str, str], str | None], Any]


def _account(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    return cat.account if cat.account is not None else MISSING


def _folder_types(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    return cat.folder_types


def _classification_methods(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    return [{**m, "classificationTypeId": m["id"]} for m in cat.classification_methods]


def _building_usages(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    return {code: cat.localized(names, lang) for code, names in cat.building_usages.items()}


def _material_families(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    return [{"id": f["id"], "name": cat.localized(f["names"], lang)} for f in cat.material_families]


def _material_family(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    """A family's classes by id; an unknown family has none (the build declares no 404 here)."""
    wanted = values.get("id", "")
    family = next((f for f in cat.material_families if f["id"] == wanted), {})
    return {v["id"]: cat.localized(v["names"], lang) for v in family.get("values") or []}


def _material_price_sets(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    return [
        {
            "id": p["id"],
            "name": cat.localized(p.get("names"), lang),
            "description": cat.localized(p.get("description"), lang),
            "sources": p.get("sources") or [],
        }
        for p in cat.price_sets
    ]


def _building_databases(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    return [
        {
            "databaseId": d["id"],
            "name": cat.localized(d["names"], lang),
            "defaultIncludeForRefinement": bool(d.get("initiallySelectedForEnrichment")),
        }
        for d in cat.databases
    ]


def _passport_presets(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    presets = cat.section("passport_presets") or {}
    return list(presets.get(values.get("passportType", ""), []))


def _price_sets(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    return cat.price_sets


def _database_families(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    return cat.material_families


def _compliances(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    return cat.section("compliances") or MISSING


def _folder_structure(cat: Catalogue, values: dict[str, str], lang: str | None) -> Any:
    return cat.section("folder_structure") or MISSING


# "METHOD /path after /api/vX.Y" -> view
VIEWS: dict[str, View] = {
    "GET /account": _account,
    "GET /account/foldertypes": _folder_types,
    "GET /system/classificationmethods": _classification_methods,
    "GET /system/buildingusages": _building_usages,
    "GET /system/materialfamilies": _material_families,
    "GET /system/materialfamilies/{id}": _material_family,
    "GET /system/materialpricesets": _material_price_sets,
    "GET /building/{id}/availabledatabases": _building_databases,
    "GET /building/{id}/database": _building_databases,
    "GET /building/{id}/passportpresets/{passportType}": _passport_presets,
    "GET /system/pricesets": _price_sets,
    "GET /database/{id}/materialfamilies": _database_families,
    "GET /database/{id}/compliances": _compliances,
    "GET /database/{id}/folderstructure": _folder_structure,
}


def view_for(method: str, segments: list[str]) -> View | None:
    """The catalogue view answering ``method`` on a path (segments after ``api/vX.Y``)."""
    return VIEWS.get(f"{method} /" + "/".join(segments))


def declared_only(value: Any, schema: Any, resolve: Callable[[Any], Any], depth: int = 0) -> Any:
    """``value`` without the object members ``schema`` does not declare (catalogue extras).

    Objects that take any further member (``additionalProperties`` with a schema, as in
    ``MultiLingualString``) keep them; ``oneOf``/``anyOf`` are left to the conform step.
    """
    schema = resolve(schema)
    if not isinstance(schema, dict) or depth > 12:
        return value
    if isinstance(value, list):
        items = schema.get("items")
        return [declared_only(v, items, resolve, depth + 1) for v in value] if items else value
    if not isinstance(value, dict):
        return value
    properties: dict[str, Any] = dict(schema.get("properties") or {})
    for part in schema.get("allOf") or []:
        properties.update((resolve(part) or {}).get("properties") or {})
    extra = schema.get("additionalProperties")
    if not properties:
        if isinstance(extra, dict) and extra:
            return {k: declared_only(v, extra, resolve, depth + 1) for k, v in value.items()}
        return value
    open_ended = isinstance(extra, dict) or extra is True
    return {
        k: declared_only(v, properties[k], resolve, depth + 1) if k in properties else v
        for k, v in value.items()
        if k in properties or open_ended
    }
