"""A small hand-written spec that exercises every rule, and helpers to mutate it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

JSON_TYPES = ["application/json", "text/json", "application/*+json"]
ITEMS = "/api/v3.0/items"
ITEM = "/api/v3.0/items/{id}"


def base_spec() -> dict[str, Any]:
    """Operations: GET/POST items, GET/DELETE (deprecated) item; schemas via $ref; ApiKey security."""
    request_schema = {"$ref": "#/components/schemas/ItemRequest"}
    return {
        "openapi": "3.0.1",
        "info": {"title": "Test API - Build: 1", "version": "v3.0"},
        "security": [{"ApiKeyAuth": []}],
        "paths": {
            ITEMS: {
                "get": {
                    "operationId": "Items_List",
                    "parameters": [
                        {
                            "name": "filter",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["a", "b"], "default": "a", "maxLength": 10},
                        },
                        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "headers": {"X-Rate": {"required": True, "schema": {"type": "integer"}}},
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Item"},
                                    }
                                }
                            },
                        },
                        "default": {"description": "error", "content": {"application/json": {"schema": {}}}},
                    },
                },
                "post": {
                    "operationId": "Items_Create",
                    "requestBody": {"content": {m: {"schema": request_schema} for m in JSON_TYPES}},
                    "responses": {
                        "201": {
                            "description": "created",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                            },
                        }
                    },
                },
            },
            ITEM: {
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    }
                ],
                "get": {
                    "operationId": "Items_Get",
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                            },
                        }
                    },
                },
                "delete": {
                    "operationId": "Items_Delete",
                    "deprecated": True,
                    "responses": {"204": {"description": "gone"}},
                },
            },
        },
        "components": {
            "securitySchemes": {"ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "name": {"type": "string", "maxLength": 50},
                        "status": {"type": "string", "enum": ["new", "done"]},
                        "count": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 1000},
                        "note": {"type": "string", "nullable": True},
                        "parent": {"$ref": "#/components/schemas/Item"},
                        "pet": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/Cat"},
                                {"$ref": "#/components/schemas/Dog"},
                            ]
                        },
                    },
                },
                "Cat": {"type": "object", "properties": {"lives": {"type": "integer", "enum": [7, 9]}}},
                "Dog": {"type": "object", "properties": {"barks": {"type": "boolean"}}},
                "ItemRequest": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 50},
                        "size": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 100},
                        "mode": {"type": "string", "enum": ["fast", "slow"], "default": "fast"},
                        "note": {"type": "string", "nullable": True},
                        "code": {"type": "string", "pattern": "^[A-Z]+$"},
                        "secret": {"type": "string", "readOnly": True},
                        "pet": {
                            "oneOf": [
                                {"$ref": "#/components/schemas/Cat"},
                                {"$ref": "#/components/schemas/Dog"},
                            ]
                        },
                    },
                },
            },
        },
    }


def mutated(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The base spec after ``change`` edited it in place."""
    spec = copy.deepcopy(base_spec())
    change(spec)
    return spec


def schemas(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"]


def op(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return spec["paths"][path][method]
