"""JSON pointer escaping: jsonpointer everywhere, and the diff's one hand-written copy agreeing with it."""

from __future__ import annotations

import jsonpointer
from hypothesis import given
from hypothesis import strategies as st

from contracts import external_refs, ref_cycles, refs

keys = st.text(alphabet=st.sampled_from("ab~/01 %é"), max_size=12)
plain_keys = st.text(alphabet=st.sampled_from("ab~/01 é"), max_size=12)
"""``%`` is left out where a ``$ref`` is read as a URI fragment (percent-decoded first)."""


@given(keys)
def test_every_escaping_agrees_with_jsonpointer_and_round_trips(key: str) -> None:
    token = jsonpointer.escape(key)
    assert refs.escape_token(key) == external_refs.escape(key) == ref_cycles._escape(key) == token
    assert refs.unescape_token(token) == ref_cycles.unescape_token(token) == key


@given(st.lists(plain_keys, min_size=1, max_size=4), st.integers(0, 99))
def test_a_pointer_built_from_escaped_keys_reaches_the_value(path: list[str], value: int) -> None:
    doc: dict = {}
    node = doc
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = {"v": value}
    pointer = "#/" + "/".join(refs.escape_token(k) for k in path)
    assert refs.resolve(doc, {"$ref": pointer}) == {"v": value}
    assert jsonpointer.resolve_pointer(doc, pointer[1:]) == {"v": value}
    assert ref_cycles._target(doc, pointer) == {"v": value}
