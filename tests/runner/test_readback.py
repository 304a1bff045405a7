"""Read-back comparison: what was sent must come back, except what the server owns."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contracts.platform.server_owned import server_owned_fields
from contracts.runner.readback import listed, missing_fields, same_value, select_branch

RAW = {
    "components": {
        "schemas": {
            "Folder": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "readOnly": True},
                    "name": {"type": "string", "nullable": True},
                    "description": {"type": "string", "nullable": True},
                    "when": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
            "Base": {
                "properties": {"commodityType": {"type": "string"}, "names": {"type": "object"}},
                "discriminator": {
                    "propertyName": "commodityType",
                    "mapping": {
                        "Material": "#/components/schemas/Material",
                        "Product": "#/components/schemas/Product",
                    },
                },
            },
            "Material": {"allOf": [{"$ref": "#/components/schemas/Base"}], "properties": {"density": {}}},
            "Product": {"allOf": [{"$ref": "#/components/schemas/Base"}], "properties": {"productCode": {}}},
        }
    }
}
FOLDER = {"$ref": "#/components/schemas/Folder"}
COMMODITY = {
    "oneOf": [
        {"$ref": "#/components/schemas/Base"},
        {"$ref": "#/components/schemas/Material"},
        {"$ref": "#/components/schemas/Product"},
    ]
}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@given(st.dictionaries(st.sampled_from(["name", "description", "tags", "extra"]), json_values))
def test_an_echo_loses_nothing(body: dict) -> None:
    assert missing_fields(RAW, body, dict(body), FOLDER, frozenset()) == []


def test_a_truncated_name_and_a_nulled_description_are_named() -> None:
    sent = {"name": "mc-1-folder", "description": "the portfolio", "id": "x"}
    got = {"id": "other", "name": "mc-1", "description": None}
    problems = missing_fields(RAW, sent, got, FOLDER, frozenset())
    assert problems == [
        'name: sent "mc-1-folder", read back "mc-1"',
        'description: sent "the portfolio", read back null',
    ]


def test_server_owned_and_undeclared_fields_are_not_expected_back() -> None:
    sent = {"name": "a", "owner": "me", "secret": "write-only"}
    assert missing_fields(RAW, sent, {"name": "a"}, FOLDER, frozenset({"owner"})) == []
    assert missing_fields(RAW, sent, {}, FOLDER, frozenset({"owner"})) == [
        'name: sent "a", missing in the read-back'
    ]


def test_values_compare_as_json() -> None:
    assert same_value(1, 1.0) and not same_value(True, 1)
    assert same_value("2024-01-01T10:00:00+01:00", "2024-01-01T09:00:00Z", "date-time")
    assert not same_value("a", "b") and not same_value([1], [1, 2])


def test_the_branch_the_answer_is_an_instance_of_decides() -> None:
    material = select_branch(RAW, COMMODITY, {"commodityType": "Material"})
    assert "density" in material["properties"]
    sent = {"commodityType": "Material", "productCode": "p", "density": 700}
    got = {"commodityType": "Material", "density": 700}
    assert missing_fields(RAW, sent, got, COMMODITY, frozenset()) == []
    assert missing_fields(RAW, sent, {"commodityType": "Material"}, COMMODITY, frozenset()) == [
        "density: sent 700, missing in the read-back"
    ]


def test_listing_holds_the_entity() -> None:
    assert listed(b'[{"id": "1"}, {"id": "2"}]', "2") is True
    assert listed(b'[{"id": "1"}]', "2") is False
    assert listed(b'{"items": [{"id": "2"}], "total": 1}', "2") is True
    assert listed(b'{"name": "x"}', "2") is None and listed(b"not json", "2") is None


def test_the_platform_lists_its_own_fields_per_version_and_resource() -> None:
    assert {"id", "owner"} <= server_owned_fields("v3.0")
    assert "status" in server_owned_fields("v3.0", "/building/{buildingId}/files")
    assert "status" not in server_owned_fields("v3.0", "/folder")
    assert server_owned_fields("v9.9") == frozenset()
