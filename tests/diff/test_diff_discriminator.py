"""Discriminator mappings: a value that now names another schema, or none, breaks both directions."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from contracts.diff import diff_specs
from tests.diff.builders import ITEM, ITEMS, base_spec, schemas

CAT, DOG = "#/components/schemas/Cat", "#/components/schemas/Dog"
WHERE = {"request": "ItemRequest", "response": "Item"}


def with_mapping(mapping: dict[str, str] | None, side: str = "response", **pet: Any) -> dict[str, Any]:
    """The base spec with ``pet`` (oneOf Cat, Dog) of the request or response schema discriminated."""
    spec = base_spec()
    node = schemas(spec)[WHERE[side]]["properties"]["pet"]
    node["discriminator"] = {"propertyName": "kind", **({"mapping": mapping} if mapping is not None else {})}
    node.update(pet)
    return spec


def ids(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [c.id for c in diff_specs(old, new).changes]


@pytest.mark.parametrize("side", ["request", "response"])
def test_a_retargeted_value_is_breaking_on_both_sides(side: str) -> None:
    old = with_mapping({"cat": CAT, "dog": DOG}, side)
    new = with_mapping({"cat": DOG, "dog": DOG}, side)
    changes = diff_specs(old, new).changes
    assert {c.id for c in changes} == {f"{side}-discriminator-mapping-changed"}
    assert all(c.level.label == "breaking" for c in changes)
    change = changes[0]
    assert change.location.endswith("pet.kind")
    assert "value `cat` now maps to `Dog` (was `Cat`)" in change.message


def test_the_retarget_in_the_issue_is_found_where_the_response_is_read() -> None:
    old = with_mapping({"Cat": CAT, "Dog": DOG})
    new = with_mapping({"Cat": DOG, "Dog": DOG})
    operations = {c.operation for c in diff_specs(old, new).changes}
    # Item is returned by the list, the create and the read
    assert operations == {f"GET {ITEMS}", f"POST {ITEMS}", f"GET {ITEM}"}


def test_renaming_a_mapped_component_is_no_change() -> None:
    old = with_mapping({"cat": CAT, "dog": DOG})
    new = json.loads(json.dumps(old).replace("#/components/schemas/Cat", "#/components/schemas/Kitty"))
    schemas(new)["Kitty"] = schemas(new).pop("Cat")
    assert ids(old, new) == []


def test_a_changed_target_is_a_change_inside_it_not_a_retarget() -> None:
    old = with_mapping({"cat": CAT, "dog": DOG})
    new = copy.deepcopy(old)
    schemas(new)["Cat"]["properties"]["lives"]["enum"] = [7, 9, 11]
    assert set(ids(old, new)) == {"response-property-enum-value-added", "request-property-enum-value-added"}


def test_a_value_removed_while_its_schema_stays_is_breaking() -> None:
    old = with_mapping({"cat": CAT, "dog": DOG})
    new = with_mapping({"dog": DOG})  # Cat is still an alternative: the server now calls it "Cat"
    changes = diff_specs(old, new).changes
    assert {c.id for c in changes} == {"response-discriminator-mapping-changed"}
    assert "value `cat` no longer maps to `Cat`" in changes[0].message


def test_a_value_removed_with_its_alternative_is_one_finding() -> None:
    old = with_mapping({"cat": CAT, "dog": DOG})
    new = with_mapping({"dog": DOG}, oneOf=[{"$ref": DOG}])
    assert set(ids(old, new)) == {"response-variant-removed"}


def test_an_explicit_value_equal_to_the_schema_name_is_implicit_anyway() -> None:
    old = with_mapping({"Cat": CAT, "Dog": DOG})
    assert ids(old, with_mapping({"Dog": DOG})) == []
    assert ids(old, with_mapping(None)) == []


def test_a_nullable_all_of_wrapper_carries_the_mapping() -> None:
    def spec(mapping: dict[str, str]) -> dict[str, Any]:
        doc = base_spec()
        schemas(doc)["Pet"] = {
            "oneOf": [{"$ref": CAT}, {"$ref": DOG}],
            "discriminator": {"propertyName": "kind", "mapping": mapping},
        }
        schemas(doc)["Item"]["properties"]["pet"] = {
            "allOf": [{"$ref": "#/components/schemas/Pet"}],
            "nullable": True,
        }
        return doc

    changes = diff_specs(spec({"cat": CAT, "dog": DOG}), spec({"cat": DOG, "dog": DOG})).changes
    assert {c.location for c in changes} == {
        "response.200[].pet.kind",
        "response.201.pet.kind",
        "response.200.pet.kind",
    }


def inheritance(mapping: dict[str, str]) -> dict[str, Any]:
    """A base with the discriminator, subtypes that allOf it, answered as oneOf of all three
    (how the v4.0 builds describe commodities)."""
    doc = base_spec()
    base = "#/components/schemas/Animal"
    schemas(doc)["Animal"] = {
        "type": "object",
        "properties": {"kind": {"type": "string"}},
        "discriminator": {"propertyName": "kind", "mapping": mapping},
    }
    for name in ("Cat", "Dog"):
        schemas(doc)[name] = {"allOf": [{"$ref": base}], **schemas(doc)[name]}
    schemas(doc)["Item"]["properties"]["pet"] = {"oneOf": [{"$ref": base}, {"$ref": CAT}, {"$ref": DOG}]}
    return doc


def test_a_base_mapping_is_reported_once_where_the_base_is_used_not_per_subtype() -> None:
    changes = diff_specs(inheritance({"cat": CAT, "dog": DOG}), inheritance({"cat": DOG, "dog": DOG})).changes
    assert {c.id for c in changes} == {"response-discriminator-mapping-changed"}
    assert sorted(c.location for c in changes) == [
        "response.200.pet.oneOf[Animal].kind",
        "response.200[].pet.oneOf[Animal].kind",
        "response.201.pet.oneOf[Animal].kind",
    ]


def test_a_base_mapping_value_removed_is_breaking_without_alternatives() -> None:
    old = inheritance({"cat": CAT, "dog": DOG})
    new = inheritance({"dog": DOG})
    changes = diff_specs(old, new).changes
    assert changes and {c.id for c in changes} == {"response-discriminator-mapping-changed"}
    assert all("value `cat` no longer maps to `Cat`" in c.message for c in changes)


def test_a_mapping_to_nothing_is_left_alone() -> None:
    old = with_mapping({"cat": CAT, "dog": DOG, "cow": "#/components/schemas/Cow"})
    assert ids(old, copy.deepcopy(old)) == []
    assert ids(old, with_mapping({"cat": CAT, "dog": DOG})) == []
