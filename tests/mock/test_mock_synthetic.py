"""The derivation on a spec the code has never seen (no ../shared needed): a new API shape works
without code changes: collections, children, cascades, external ids, body references, actions."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from mockserver import create_app

KEY = {"X-API-Key": "dev-write"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _problem() -> dict[str, Any]:
    return {"description": "error", **_json({"$ref": "#/components/schemas/Problem"})}


def _op(success: str, schema: dict[str, Any] | None = None, body: str | None = None, params=()) -> dict:
    op: dict[str, Any] = {
        "responses": {
            success: {"description": "ok", **(_json(schema) if schema else {})},
            "default": _problem(),
        },
        "parameters": [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
            for p in params
        ],
    }
    if body:
        op["requestBody"] = {
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}}
        }
    return op


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


SPEC: dict[str, Any] = {
    "openapi": "3.0.1",
    "info": {"title": "Warehouse - Build: 1", "version": "v9.1"},
    "security": [{"key": []}],
    "paths": {
        "/api/v9.1/site": {
            "get": _op("200", {"type": "array", "items": _ref("Site")}),
            "post": _op("201", _ref("Site"), "SiteIn"),
        },
        "/api/v9.1/site/{id}": {
            "get": _op("200", _ref("Site"), params=["id"]),
            "put": _op("200", _ref("Site"), "SiteIn", params=["id"]),
            "delete": _op("204", params=["id"]),
        },
        "/api/v9.1/site/external/{externalId}": {
            "get": {
                **_op("200", _ref("Site")),
                "parameters": [
                    {"name": "externalId", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
            }
        },
        "/api/v9.1/site/{siteId}/shelves": {
            "get": _op("200", {"type": "array", "items": _ref("Shelf")}, params=["siteId"]),
            "post": _op("201", _ref("Shelf"), "ShelfIn", params=["siteId"]),
        },
        "/api/v9.1/site/{siteId}/shelves/{id}": {
            "get": _op("200", _ref("Shelf"), params=["siteId", "id"]),
            "delete": _op("204", params=["siteId", "id"]),
        },
        "/api/v9.1/site/{siteId}/shelves/{id}/lock": {"post": _op("202", params=["siteId", "id"])},
        "/api/v9.1/health": {
            "get": {
                **_op("200", {"type": "object", "properties": {"up": {"type": "boolean"}}}),
                "security": [],
            }
        },
        "/api/v9.1/crate": {"post": _op("201", _ref("Crate"), "CrateIn")},
        "/api/v9.1/crate/{id}": {"get": _op("200", _ref("Crate"), params=["id"])},
    },
    "components": {
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        "schemas": {
            "Problem": {"type": "object", "properties": {"title": {"type": "string", "nullable": True}}},
            "SiteIn": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "externalId": {"type": "string", "nullable": True},
                },
            },
            "Site": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string"},
                    "externalId": {"type": "string", "nullable": True},
                    "area": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 9},
                },
            },
            "ShelfIn": {
                "type": "object",
                "properties": {"label": {"type": "string", "pattern": "^[A-Z]{2}$"}},
            },
            "Shelf": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "siteId": {"type": "string", "format": "uuid"},
                    "label": {"type": "string", "pattern": "^[A-Z]{2}$"},
                    "state": {"type": "string", "enum": ["Open", "Locked"]},
                },
            },
            "CrateIn": {"type": "object", "properties": {"siteId": {"type": "string", "format": "uuid"}}},
            "Crate": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "siteId": {"type": "string", "format": "uuid"},
                },
            },
        },
    },
}


@pytest.fixture
def client():
    return create_app([copy.deepcopy(SPEC)], seed=3).test_client()


def test_collections_children_and_cascades_are_derived(client) -> None:
    sites = client.get("/api/v9.1/site", headers=KEY).json
    assert len(sites) == 2 and all(1 <= s["area"] <= 9 for s in sites)  # fixtures, valid for the schema
    site = client.post("/api/v9.1/site", json={"name": "North", "externalId": "N-1"}, headers=KEY)
    assert site.status_code == 201 and site.json["name"] == "North"
    site_id = site.json["id"]
    shelf = client.post(f"/api/v9.1/site/{site_id}/shelves", json={"label": "AB"}, headers=KEY)
    assert shelf.status_code == 201 and shelf.json["siteId"] == site_id and shelf.json["label"] == "AB"
    shelf_url = f"/api/v9.1/site/{site_id}/shelves/{shelf.json['id']}"
    assert client.get(shelf_url, headers=KEY).status_code == 200
    assert client.get("/api/v9.1/site/external/N-1", headers=KEY).json["id"] == site_id
    assert client.delete(f"/api/v9.1/site/{site_id}", headers=KEY).status_code == 204
    assert client.get(shelf_url, headers=KEY).status_code == 404
    assert client.get("/api/v9.1/site/external/N-1", headers=KEY).status_code == 404


def test_body_references_must_exist_and_link_the_parent(client) -> None:
    site_id = client.get("/api/v9.1/site", headers=KEY).json[0]["id"]
    crate = client.post("/api/v9.1/crate", json={"siteId": site_id}, headers=KEY)
    assert crate.status_code == 201
    assert client.post("/api/v9.1/crate", json={"siteId": str(uuid.uuid4())}, headers=KEY).status_code == 404
    client.delete(f"/api/v9.1/site/{site_id}", headers=KEY)
    assert client.get(f"/api/v9.1/crate/{crate.json['id']}", headers=KEY).status_code == 404


def test_routing_auth_and_validation_on_a_new_spec(client) -> None:
    assert client.get("/api/v9.1/site").status_code == 401
    assert client.get("/api/v9.1/health").status_code == 200  # `security: []` opts out of the key
    assert client.delete("/api/v9.1/site", headers=KEY).headers["Allow"] == "GET, HEAD, POST"
    bad = client.post("/api/v9.1/site", json={"name": ""}, headers=KEY)
    assert bad.status_code == 400 and bad.json["errors"][0]["location"] == "body.name"
    site_id = client.get("/api/v9.1/site", headers=KEY).json[0]["id"]
    wrong = client.post(f"/api/v9.1/site/{site_id}/shelves", json={"label": "abc"}, headers=KEY)
    assert wrong.status_code == 400
    shelf = client.get(f"/api/v9.1/site/{site_id}/shelves", headers=KEY).json[0]
    assert client.post(f"/api/v9.1/site/{site_id}/shelves/{shelf['id']}/lock", headers=KEY).status_code == 202
    assert client.get("/api/v9.1/swagger.json").json["info"]["version"] == "v9.1"
