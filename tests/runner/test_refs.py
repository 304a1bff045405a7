"""The runner's shared ``$ref`` resolver: local pointers only, escaped tokens, bounded hops."""

from __future__ import annotations

from contracts.refs import MAX_HOPS, escape_token, resolve, resolve_or_empty, unescape_token


def test_follows_chained_local_refs_and_escaped_tokens() -> None:
    root = {
        "components": {"schemas": {"a/b": {"$ref": "#/components/schemas/c~0d"}, "c~d": {"type": "string"}}},
    }
    assert resolve(root, {"$ref": "#/components/schemas/a~1b"}) == {"type": "string"}


def test_unresolvable_refs_give_none_or_empty() -> None:
    root = {"components": {"schemas": {"Loop": {"$ref": "#/components/schemas/Loop"}}}}
    for node in (
        {"$ref": "#/components/schemas/Loop"},
        {"$ref": "#/components/schemas/Missing"},
        {"$ref": "other.yaml#/Thing"},
        {"$ref": 7},
        "not an object",
    ):
        assert resolve(root, node) is None
        assert resolve_or_empty(root, node) == {}


def test_hop_limit() -> None:
    schemas = {f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(MAX_HOPS)}
    schemas[f"S{MAX_HOPS}"] = {"type": "integer"}
    root = {"components": {"schemas": schemas}}
    assert resolve(root, {"$ref": "#/components/schemas/S1"}) == {"type": "integer"}
    assert resolve(root, {"$ref": "#/components/schemas/S0"}) is None


def test_pointer_tokens_round_trip() -> None:
    for key in ("plain", "a/b", "c~d", "~1/~0"):
        assert unescape_token(escape_token(key)) == key
