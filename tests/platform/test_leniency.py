"""The platform's leniencies as data: date-times without an offset and discriminated oneOf branches."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from contracts.platform.leniency import (
    DATETIME_WITHOUT_OFFSET,
    EMPTY_GUID_PARENT,
    UNSATISFIABLE_ALLOF,
    discriminated,
    known_leniencies,
    repaired_datetime,
)


def test_every_leniency_the_code_names_is_listed_in_the_data() -> None:
    listed = {entry["id"] for entry in known_leniencies()}
    assert {DATETIME_WITHOUT_OFFSET, UNSATISFIABLE_ALLOF, EMPTY_GUID_PARENT} <= listed
    assert all(entry["accepts"] and entry["repair"] for entry in known_leniencies())


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)))
def test_a_date_time_without_offset_is_read_as_utc(moment: datetime) -> None:
    repaired = repaired_datetime(moment.isoformat())
    assert repaired is not None and repaired.endswith("Z")
    assert datetime.fromisoformat(repaired) == moment.replace(tzinfo=UTC)


def test_shorter_forms_and_values_with_an_offset() -> None:
    assert repaired_datetime("2026-11-30T20:18") == "2026-11-30T20:18:00Z"
    assert repaired_datetime("2026-11-30") == "2026-11-30T00:00:00Z"
    for value in ("2026-11-30T20:18:35Z", "2026-11-30T20:18:35+01:00", "tomorrow", "", 20261130, None):
        assert repaired_datetime(value) is None


def test_the_discriminator_names_the_branch() -> None:
    root = {
        "components": {
            "schemas": {
                "Base": {
                    "type": "object",
                    "discriminator": {"propertyName": "kind", "mapping": {"Big": "#/components/schemas/Big"}},
                },
                "Big": {"type": "object"},
                "Small": {"type": "object"},
            }
        }
    }
    schema = {
        "oneOf": [
            {"$ref": "#/components/schemas/Base"},
            {"$ref": "#/components/schemas/Big"},
            {"$ref": "#/components/schemas/Small"},
        ]
    }
    assert discriminated(root, schema, {"kind": "Big"}) == {"$ref": "#/components/schemas/Big"}
    assert discriminated(root, schema, {"kind": "Small"}) == {"$ref": "#/components/schemas/Small"}
    assert discriminated(root, schema, {"kind": "Other"}) is schema
    assert discriminated(root, schema, ["not", "an", "object"]) is schema
