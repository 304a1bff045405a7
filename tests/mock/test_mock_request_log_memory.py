"""The request log holds each body once: equal answers (a list answered again and again) share one
kept copy, counted once in the budget, and every entry still shows its body as it was."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.admin.journal_har import journal_har
from mockserver.http.request_log import BODY_LIMIT, SHARE_FROM, LogEntry, RequestLog


def _entry(index: int, response: bytes, request: bytes = b"") -> LogEntry:
    return LogEntry(
        time=0,
        method="GET",
        path=f"/api/v3.0/building/{index}",
        query="",
        status=200,
        key=None,
        ms=0,
        request=request,
        response=response,
    )


def _held(log: RequestLog) -> int:
    """Bytes of the distinct body objects the entries keep: what the log really holds."""
    kept: dict[int, int] = {}
    for entry in log._entries:
        for body in (entry.request, entry.response):
            if body:
                kept[id(body)] = len(body)
    return sum(kept.values())


def test_a_large_list_answered_a_thousand_times_is_kept_once() -> None:
    payload = b'[{"id": "b", "name": "' + b"x" * 700_000 + b'"}]'
    log = RequestLog(body_budget=4 * BODY_LIMIT)
    for index in range(1000):
        log.add(_entry(index, bytes(bytearray(payload))))  # a new object each time, as each answer is
    assert log.body_bytes == _held(log) == BODY_LIMIT
    first, last = log.find(1), log.find(1000)
    assert first is not None and last is not None
    for detail in (first, last):
        assert detail["response"]["size"] == len(payload)
        assert detail["response"]["truncated"] is True
        assert detail["response"]["text"] == payload[:BODY_LIMIT].decode()
    har = journal_har(log._entries, "http://127.0.0.1/")
    assert har.count("first 65536 of") == 1000  # every exported entry still carries the body's start


def test_equal_small_bodies_are_not_compared_and_differing_ones_are_kept_apart() -> None:
    log = RequestLog()
    small = b"y" * (SHARE_FROM - 1)
    big_a, big_b = b"a" * SHARE_FROM, b"b" * SHARE_FROM
    for index, body in enumerate((small, bytes(bytearray(small)), big_a, big_b, bytes(bytearray(big_a)))):
        log.add(_entry(index, body))
    assert log.body_bytes == 2 * len(small) + 2 * SHARE_FROM
    assert [log.find(n)["response"]["text"][:1] for n in range(1, 6)] == ["y", "y", "a", "b", "a"]  # type: ignore[index]


bodies = st.sampled_from(
    [b"", b"{}", b"r" * 300, b"s" * SHARE_FROM, b"t" * (SHARE_FROM + 7), b"u" * (BODY_LIMIT + 50)]
)


@settings(max_examples=80, deadline=None)
@given(
    added=st.lists(st.tuples(bodies, bodies), max_size=40),
    size=st.integers(min_value=1, max_value=15),
    budget=st.integers(min_value=0, max_value=3 * BODY_LIMIT),
    clear_at=st.integers(min_value=0, max_value=45),
)
def test_the_budget_counts_what_the_log_holds(
    added: list[tuple[bytes, bytes]], size: int, budget: int, clear_at: int
) -> None:
    log = RequestLog(size=size, body_budget=budget)
    shown: dict[int, tuple[bytes, bytes]] = {}
    for index, (request, response) in enumerate(added):
        if index == clear_at:
            log.clear()
            assert log.body_bytes == 0
        log.add(_entry(index, bytes(bytearray(response)), bytes(bytearray(request))))
        shown[index + 1] = (request, response)
        assert log.body_bytes == _held(log) <= budget
    for summary in log.entries():
        detail: Any = log.find(summary["seq"])
        request, response = shown[summary["seq"]]
        for view, body in ((detail["request"], request), (detail["response"], response)):
            if view is not None:  # kept: the body as it was, cut to its first BODY_LIMIT bytes
                assert view["size"] == len(body)
                assert view["text"] == body[:BODY_LIMIT].decode()
