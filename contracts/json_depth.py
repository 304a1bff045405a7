"""How deep a JSON document may nest before the mock and the proxy refuse to check it.

The schema validator (jsonschema-rs) gives up at 255 levels with a bare ``ValueError``, and
Python's parser at its recursion limit; real API documents nest under a dozen levels. So a
document is measured before it is parsed, and one nesting deeper than ``MAX_JSON_DEPTH`` is a
400 that names the limit (a request) or a violation (an answer relayed by the proxy).
"""

from __future__ import annotations

import re

MAX_JSON_DEPTH = 128
TOO_DEEP = f"the JSON document nests deeper than {MAX_JSON_DEPTH} levels (the limit)"

# a JSON string, unrolled so the regex engine does not backtrack per character
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def too_deep(raw: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the document's arrays and objects nest deeper than ``limit``, without parsing it.

    Brackets inside strings do not count. Malformed input is measured as it stands; the parser
    reports what is wrong with it.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if data.count(b"[") + data.count(b"{") <= limit:  # the common case, at C speed
        return False
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False
