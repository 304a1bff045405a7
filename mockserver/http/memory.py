"""Give memory that dropped entities held back to the operating system (after ``/__mock/reset``).

Dropping the references frees the objects, but CPython's allocator and glibc's malloc keep freed
small blocks for reuse, so the process's RSS stays high after a reset of large entities.
``malloc_trim(0)`` returns the free heap pages; elsewhere than glibc it is skipped.

glibc also gives each thread that allocates its own arena (up to 8 per core): with 16 waitress
workers, the transient copies of a large body end up spread over many arenas that are rarely
trimmed. ``limit_arenas`` (called before the server starts its threads) caps them at 2, as
``MALLOC_ARENA_MAX=2`` would: measured with ``bench/bench_mock_memory.py``, six ~1 MiB entities
took RSS from 66 to 105 MB and a reset left 98 MB; with two arenas 79 MB and 70 MB.

A large answer (a list of hundreds of entities, ~700 kB) handed to waitress as ``[body]`` is
copied into the connection's output buffer, one copy per answer in flight on each of up to 50
connections: a bare waitress app serving 694 kB grew from 27 to 45-68 MB under load.
``answer_iterable`` hands such a body over as a file (``wsgi.file_wrapper`` over a ``BytesIO``,
which shares the bytes): waitress then sends it from the object in 32 kB reads, no copy; the
same bare app stayed at 26 MB and served 1,240-1,410 req/s instead of 790-1,090.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import io
import os
from collections.abc import Iterable
from functools import cache
from typing import Any

LARGE_ANSWER = 64 * 1024
"""Bytes from which an answer goes to the server as a file rather than as a copy."""


@cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2


def limit_arenas(count: int = ARENAS) -> None:
    """Cap glibc's malloc arenas (no effect elsewhere, or when MALLOC_ARENA_MAX is set)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt") and "MALLOC_ARENA_MAX" not in os.environ:
        libc.mallopt(M_ARENA_MAX, count)


def release_memory() -> None:
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def answer_iterable(environ: dict[str, Any], body: bytes) -> Iterable[bytes]:
    """The WSGI answer for ``body``: as a file when it is large and the server takes files."""
    wrapper = environ.get("wsgi.file_wrapper") if len(body) >= LARGE_ANSWER else None
    return [body] if wrapper is None else wrapper(io.BytesIO(body))
