"""Which slice of a collection a list answers: the paging parameters the spec declares, else a bound.

Only parameters the operation declares are honoured (v4.0 build 28168 declares ``skip``/``take`` on
``GET /database/{id}/commodities``). A list without a declared ``take`` is bounded to the newest
``MAX_LIST`` entities (in creation order), so one answer stays small whatever earlier requests
created; ``X-Total-Count`` and ``X-Mock-Truncated`` say when an answer is a slice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from mockserver.spec.operations import Operation

MAX_LIST = 1000
OFFSET_NAMES = ("skip", "offset", "$skip")
LIMIT_NAMES = ("take", "limit", "top", "$top", "pageSize", "pagesize", "size")
PAGE_NAMES = ("page", "pageNumber")


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int
    total: int
    truncated: bool  # bounded by MAX_LIST, not by what the client asked
    sliced: bool  # the client asked for a page

    def headers(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.sliced or self.truncated:
            out.append(("X-Total-Count", str(self.total)))
        if self.truncated:
            out.append(("X-Mock-Truncated", f"{self.limit} of {self.total} (at most {MAX_LIST} per answer)"))
        return out


def page_of(operation: Operation, params: dict[str, Any], total: int) -> Page:
    """The slice of ``total`` entities to answer with."""
    declared = operation.query_names
    if not declared:
        return _whole(total)
    offset = _first(params, declared, OFFSET_NAMES)
    limit = _first(params, declared, LIMIT_NAMES)
    page = _first(params, declared, PAGE_NAMES)
    if page is not None and limit is not None and offset is None:
        offset = max(page - 1, 0) * limit  # 1-based pages of ``limit`` entities
    if offset is None and limit is None:
        return _whole(total)
    start = min(max(offset or 0, 0), total)
    if limit is None:
        count = min(total - start, MAX_LIST)
        return Page(start, count, total, truncated=total - start > MAX_LIST, sliced=True)
    return Page(start, max(min(limit, total - start), 0), total, truncated=False, sliced=True)


def _whole(total: int) -> Page:
    """No page asked for: everything, bounded to the newest ``MAX_LIST``."""
    return _whole_of(total, MAX_LIST)


@functools.lru_cache(maxsize=4096)  # a Page is frozen: one per total is shared by every list
def _whole_of(total: int, bound: int) -> Page:
    if total <= bound:
        return Page(0, total, total, truncated=False, sliced=False)
    return Page(total - bound, bound, total, truncated=True, sliced=False)


def _first(params: dict[str, Any], declared: frozenset[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        value = params.get(name) if name in declared else None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None
