"""The mock's fixtures, built from the platform catalogue and the seed.

The result is a plan in the fixtures-file format (``section -> entries``, see
``mockserver.user_fixtures``): every link is an id that the plan or the catalogue holds, so the
seeded store hangs together. The standard databases and their commodities are the platform's,
always the same; the account's own data (folders, buildings, files, elements, its own database
and products) is drawn from the catalogue's pools with ``seed``.
"""

from __future__ import annotations

import copy
import random
import string
import uuid
from collections.abc import Callable
from typing import Any

from contracts.platform.catalogue import Catalogue

Plan = dict[str, list[dict[str, Any]]]
STANDARD = "standard"  # entries marked so (platform data) stay when a fixtures file replaces the rest
_IFC_CHARS = string.digits + string.ascii_uppercase + string.ascii_lowercase + "_$"


def catalogue_plan(catalogue: Catalogue, account_id: str | None, seed: int) -> Plan:
    """The fixtures of one version: standard data plus the account's own, drawn with ``seed``."""
    builder = PLANS.get(catalogue.version)
    if builder is None:
        return {}
    rng = random.Random(f"{seed}|catalogue-fixtures|{catalogue.version}")
    return builder(catalogue, account_id, rng)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ifc_guid(rng: random.Random) -> str:
    """A 22-character IFC GlobalId, as element ids in an IFC export look."""
    return rng.choice("0123") + "".join(rng.choice(_IFC_CHARS) for _ in range(21))


def _standard(entry: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(entry), STANDARD: True}


def _v3(cat: Catalogue, account_id: str | None, rng: random.Random) -> Plan:
    pools = cat.fixture_pools
    portfolio_type = cat.folder_type("portfolio")["id"]
    sub_types = [cat.folder_type("project")["id"], cat.folder_type("folder")["id"]]
    nl_sfb = next(m["id"] for m in cat.classification_methods if m["name"].get("nl") == "NL-SfB")
    methods = [m["id"] for m in cat.classification_methods]
    madaster_db = cat.databases[0]["id"]
    portfolio = {
        "id": _uuid(rng),
        "name": rng.choice(pools["portfolios"]),
        "description": "Gebouwen in beheer",
        "parentId": account_id,
        "foldertypeId": portfolio_type,
        "externalId": "folder-1",
    }
    folders = [portfolio]
    for index, name in enumerate(rng.sample(pools["folders"], 2)):
        folders.append(
            {
                "id": _uuid(rng),
                "name": name,
                "description": None,
                "parentId": portfolio["id"],
                "foldertypeId": sub_types[index % 2],
                "externalId": f"folder-{index + 2}",
            }
        )
    buildings = []
    for index, spec in enumerate(rng.sample(pools["buildings"], 4)):
        buildings.append(
            {
                **copy.deepcopy(spec),
                "id": _uuid(rng),
                "folderId": folders[1 + index // 2]["id"],
                "externalId": f"building-{index + 1}",
                "materialClassificationTypeId": rng.choice(["nl_sfb", "madaster"]),
                "classificationType": nl_sfb,
                "isDirty": False,
                "hasDirtyElements": False,
                "mostRecentBimInfo": "2025-03-14T09:30:00Z",
            }
        )
    files = []
    for index, building in enumerate(buildings):
        for spec in pools["files"][: 2 if index < 2 else 1]:
            files.append(
                {
                    **copy.deepcopy(spec),
                    "id": _uuid(rng),
                    "buildingId": building["id"],
                    "preferredDatabaseIds": [madaster_db],
                    "classificationTypeId": rng.choice(methods[:2]),
                    "languages": ["nl"],
                    "lastModifiedDate": "2025-03-14T09:12:45Z",
                }
            )
    phases = cat.section("phases") or []
    layers = {layer["name"]: layer for layer in cat.section("brand_layers") or []}
    elements = []
    for file in files[:2]:
        for spec in rng.sample(pools["elements"], 3):
            code, class_name = spec["classification"]
            element = {k: v for k, v in spec.items() if k not in ("commodity", "classification", "layer")}
            elements.append(
                {
                    **element,
                    "id": _ifc_guid(rng),
                    "buildingFileId": file["id"],
                    "phaseLookup": [phases[0]["name"]] if phases else [],
                    "classificationLookup": [code],
                    "mapping": {
                        "id": spec["commodity"],
                        "type": "Material",
                    },  # pools map elements to materials
                    "phaseMatch": copy.deepcopy(phases[0]) if phases else None,
                    "brandLayerMatch": copy.deepcopy(layers.get(spec["layer"])),
                    "classificationMatch": {"id": _uuid(rng), "name": class_name, "code": code},
                    "buildingNumbers": [],
                }
            )
    databases = [
        _standard(
            {
                **{k: v for k, v in d.items() if k != "names"},
                "name": d["names"],
                "isGlobalAvailable": True,
                "accountId": account_id,
                "parentId": account_id,
                "parentType": "Account",
                "parentName": "Madaster",
            }
        )
        for d in cat.databases
    ]
    return {
        "folders": folders,
        "buildings": buildings,
        "files": files,
        "elements": elements,
        "databases": databases,
        **_v3_commodities(cat),
    }


def _v3_commodities(cat: Catalogue) -> Plan:
    """The standard commodities as build 7980's v3.0 materials and products."""
    materials, products, children = [], [], []
    for c in cat.commodities:
        circularity = c.get("circularity") or {}
        feedstock, output = circularity.get("feedstock") or {}, circularity.get("output") or {}
        common = {
            "id": c["id"],
            "databaseId": c["databaseId"],
            "name": c["names"],
            "description": c.get("descriptions"),
        }
        if c["commodityType"] == "Material":
            recycled = feedstock.get("recycled", 0)
            materials.append(
                {
                    **common,
                    "supplier": c.get("supplier"),
                    "specificWeight": c.get("density"),
                    "lifeTime": c.get("lifespan"),
                    "materialFamilies": [
                        {"classificationId": k, "id": v} for k, v in (c.get("materialFamilies") or {}).items()
                    ],
                    "circular": {
                        "recycledPercentageFeedstock": recycled,
                        "rapidRenewablesPercentageFeedstock": feedstock.get("rapidRenewables", 0),
                        "virginPercentageFeedstock": round(1 - recycled, 4),
                        "recycledPercentageEndOfLife": output.get("availableForRecycle", 0),
                        "landfillPercentageEndOfLife": output.get("landfill", 0),
                        "incinerationPercentageEndOfLife": output.get("incineration", 0),
                        "efficiencyPercentageRecyclingFeedstock": feedstock.get("recyclingEfficiency", 0),
                        "efficiencyPercentageRecyclingEndOfLife": output.get("recyclingEfficiency", 0),
                    },
                    STANDARD: True,
                }
            )
        else:
            products.append(
                {
                    **common,
                    "productType": c.get("functionalUnit") or "Quantity",
                    "productCode": c.get("productCode"),
                    "supplier": (c.get("manufacturer") or {}).get("name"),
                    "technicalLifetime": c.get("lifespan"),
                    "functionalLifetime": c.get("lifespan"),
                    "circular": {
                        "productReusedPercentageFeedstock": feedstock.get("reused", 0),
                        "productRecycledPercentageFeedstock": feedstock.get("recycled", 0),
                        "productReusedPercentageEndOfLife": output.get("availableForReuse", 0),
                        "productRecycledPercentageEndOfLife": output.get("availableForRecycle", 0),
                        "productLandfillPercentageEndOfLife": output.get("landfill", 0),
                        "productIncinerationPercentageEndOfLife": output.get("incineration", 0),
                        "efficiencyPercentageRecyclingFeedstock": feedstock.get("recyclingEfficiency", 0),
                        "efficiencyPercentageRecyclingEndOfLife": output.get("recyclingEfficiency", 0),
                    },
                    STANDARD: True,
                }
            )
    for child in cat.children:
        children.append(
            {
                "id": child["id"],
                "productId": child["productId"],
                "childId": child["commodityId"],
                "value": child["weight"],
                STANDARD: True,
            }
        )
    return {
        "materials": materials,
        "products": products,
        "product_children": children,
    }


def _v4(cat: Catalogue, account_id: str | None, rng: random.Random) -> Plan:
    pools = cat.fixture_pools
    names = {c["id"]: c["names"] for c in cat.commodities}
    own = {
        **copy.deepcopy(rng.choice(pools["databases"])),
        "id": _uuid(rng),
        "initiallySelectedForEnrichment": False,
        "isAvailableForEverybody": False,
        "readOnly": False,
    }
    databases = [own] + [_standard(d) for d in cat.databases]  # the account's own data first
    products, children, matches, lca, financial, files = [], [], [], [], [], []
    folder_names = cat.folder_names
    for spec in rng.sample(pools["products"], 2):
        product = {k: v for k, v in spec.items() if k not in ("bill", "match")}
        product.update(
            {
                "id": _uuid(rng),
                "databaseId": own["id"],
                "commodityType": "Product",
                "isActive": True,
                "availableIn": ["NL"],
                "doNotUseBillOfMaterials": False,
                "calculateEnvironmentValuesFromBillOfMaterials": True,
            }
        )
        products.append(product)
        total = sum(weight for _, weight in spec["bill"])
        for commodity_id, weight in spec["bill"]:
            children.append(
                {
                    "id": _uuid(rng),
                    "productId": product["id"],
                    "commodityId": commodity_id,
                    "commodityType": "Material",
                    "names": copy.deepcopy(names.get(commodity_id)),
                    "quantity": weight,
                    "quantityType": "weight",
                    "weight": weight,
                    "weightPercentage": round(100 * weight / total, 1),
                }
            )
        matches.append(
            {
                "id": _uuid(rng),
                "commodityId": product["id"],
                "value": spec["match"],
                "matchType": "Contains",
                "language": "nl",
                "matchOnTypeName": False,
            }
        )
        lca += [{**copy.deepcopy(e), "commodityId": product["id"]} for e in pools.get("lca") or []]
        financial += [
            {**copy.deepcopy(e), "commodityId": product["id"]} for e in pools.get("financial") or []
        ]
        for spec_file in pools.get("files") or []:
            entry = {k: v for k, v in spec_file.items() if k != "folder"}
            files.append(
                {
                    **copy.deepcopy(entry),
                    "id": _uuid(rng),
                    "folderId": spec_file["folder"],
                    "folderNames": copy.deepcopy(folder_names.get(spec_file["folder"])),
                    "commodityId": product["id"],
                }
            )
    return {
        "databases": databases,
        "commodities": products + [_standard(c) for c in cat.commodities],
        "children": children + [_standard({"names": names.get(c["commodityId"]), **c}) for c in cat.children],
        "matches": matches + [_standard(m) for m in cat.matches],
        "lca": lca,
        "financial": financial,
        "files": files,
    }


PLANS: dict[str, Callable[[Catalogue, str | None, random.Random], Plan]] = {"v3.0": _v3, "v4.0": _v4}
