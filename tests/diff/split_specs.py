"""Specs split across files, written into a temporary folder for the multi-file tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

ROOT = """\
openapi: 3.0.1
info: {title: "Split API - Build: 7", version: v3.0}
paths:
  /api/v3.0/thing:
    $ref: paths/things.yaml
  /api/v3.0/thing/{id}:
    $ref: 'paths/thing.yaml'
components:
  schemas:
    Thing:
      $ref: 'schemas/thing.json#/Thing'
"""

LIST = """\
get:
  responses:
    "200":
      description: ok
      content:
        application/json:
          schema: {type: array, items: {$ref: '../schemas/thing.json#/Thing'}}
post:
  requestBody:
    content:
      application/json:
        schema: {$ref: '../schemas/thing.json#/Thing'}
  responses:
    "201":
      description: created
      content:
        application/json:
          schema: {$ref: '../schemas/thing.json#/Thing'}
"""

ONE = """\
get:
  parameters:
    - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
  responses:
    "200":
      description: ok
      content:
        application/json:
          schema: {$ref: '../schemas/thing.json#/Thing'}
    "404":
      description: missing
"""

OWNER = """\
type: object
properties:
  name: {type: string}
  things: {type: array, items: {$ref: 'thing.json#/Thing'}}
"""


def thing(energy_nullable: bool = False) -> dict[str, Any]:
    """The Thing schema file: a cycle to itself (#/Thing) and through owner.yaml back to this file."""
    energy: dict[str, Any] = {"type": "number", **({"nullable": True} if energy_nullable else {})}
    return {
        "Thing": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "name": {"type": "string"},
                "energyIndex": energy,
                "parent": {"$ref": "#/Thing"},
                "owner": {"$ref": "owner.yaml"},
            },
        }
    }


def write_split_spec(folder: Path, *, energy_nullable: bool = False) -> Path:
    """The split spec in ``folder``; returns the root file."""
    (folder / "paths").mkdir(parents=True, exist_ok=True)
    (folder / "schemas").mkdir(exist_ok=True)
    (folder / "api.yaml").write_text(ROOT)
    (folder / "paths" / "things.yaml").write_text(LIST)
    (folder / "paths" / "thing.yaml").write_text(ONE)
    (folder / "schemas" / "thing.json").write_text(json.dumps(thing(energy_nullable)))
    (folder / "schemas" / "owner.yaml").write_text(OWNER)
    return folder / "api.yaml"


def single_file_equivalent(energy_nullable: bool = False) -> dict[str, Any]:
    """The same API written in one document."""
    spec = yaml.safe_load(ROOT)
    schemas = spec["components"]["schemas"]
    schemas["Thing"] = json.loads(
        json.dumps(thing(energy_nullable)["Thing"])
        .replace('"#/Thing"', '"#/components/schemas/Thing"')
        .replace('"owner.yaml"', '"#/components/schemas/Owner"')
    )
    owner = yaml.safe_load(OWNER)
    owner["properties"]["things"]["items"] = {"$ref": "#/components/schemas/Thing"}
    schemas["Owner"] = owner
    spec["paths"] = {
        "/api/v3.0/thing": yaml.safe_load(
            LIST.replace("../schemas/thing.json#/Thing", "#/components/schemas/Thing")
        ),
        "/api/v3.0/thing/{id}": yaml.safe_load(
            ONE.replace("../schemas/thing.json#/Thing", "#/components/schemas/Thing")
        ),
    }
    return spec
