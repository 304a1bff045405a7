"""readOnly and writeOnly appearing: a property that is still there, but only the other way."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.diff import diff_specs
from tests.diff.builders import ITEMS, base_spec, op, schemas

NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
SHARED = "#/components/schemas/ItemRequest"


def shared_spec() -> dict[str, Any]:
    """The base spec with ItemRequest also answered by the create: one schema read both ways."""
    spec = base_spec()
    op(spec, "post", ITEMS)["responses"]["201"]["content"]["application/json"]["schema"] = {"$ref": SHARED}
    return spec


def flagged(flag: str, *names: str) -> dict[str, Any]:
    spec = shared_spec()
    for name in names:
        schemas(spec)["ItemRequest"]["properties"][name][flag] = True
    return spec


def test_read_only_counts_in_requests_only_and_write_only_in_responses_only() -> None:
    changes = diff_specs(shared_spec(), flagged("readOnly", "name")).changes
    assert [(c.id, c.location) for c in changes] == [
        ("request-required-property-became-read-only", "request.name")
    ]
    assert "required property `name` became read-only" in changes[0].message
    changes = diff_specs(shared_spec(), flagged("writeOnly", "name")).changes
    assert [(c.id, c.location) for c in changes] == [
        ("response-property-became-write-only", "response.201.name")
    ]
    assert changes[0].level.label == "breaking"


def test_an_optional_property_becoming_read_only_is_a_warning_not_a_removal() -> None:
    (change,) = diff_specs(shared_spec(), flagged("readOnly", "size")).changes
    assert change.id == "request-property-became-read-only" and change.level.label == "warning"


def test_read_only_dropped_is_a_property_the_client_may_now_send() -> None:
    old = base_spec()  # ItemRequest.secret is readOnly
    new = base_spec()
    del schemas(new)["ItemRequest"]["properties"]["secret"]["readOnly"]
    assert [c.id for c in diff_specs(old, new).changes] == ["request-property-added"]


@settings(max_examples=25, deadline=None)
@given(
    names=st.lists(NAMES, min_size=1, max_size=5, unique=True),
    data=st.data(),
)
def test_a_property_turning_read_only_at_any_depth_is_one_finding(
    names: list[str], data: st.DataObject
) -> None:
    """A nested request object: the property that turns readOnly is one finding at its place,
    breaking when it was required."""
    chosen = data.draw(st.sampled_from(names))
    required = data.draw(st.booleans())
    depth = data.draw(st.integers(0, 3))

    def spec(read_only: bool) -> dict[str, Any]:
        props = {
            n: {"type": "string", **({"readOnly": True} if read_only and n == chosen else {})} for n in names
        }
        node: dict[str, Any] = {
            "type": "object",
            "properties": props,
            "required": [chosen] if required else [],
        }
        for _ in range(depth):
            node = {"type": "object", "properties": {"inner": node}}
        doc = base_spec()
        schemas(doc)["ItemRequest"] = node
        return doc

    (change,) = diff_specs(spec(False), spec(True)).changes
    expected = (
        "request-required-property-became-read-only" if required else "request-property-became-read-only"
    )
    assert change.id == expected
    assert change.location == ".".join(["request", *["inner"] * depth, chosen])
