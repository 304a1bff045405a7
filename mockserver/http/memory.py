"""Give memory that dropped entities held back to the operating system (after ``/__mock/reset``).

Dropping the references frees the objects, but CPython's allocator and glibc's malloc keep freed
small blocks for reuse, so the process's RSS stays high after a reset of large entities.
``malloc_trim(0)`` returns the free heap pages; elsewhere than glibc it is skipped.

glibc also gives each thread that allocates its own arena (up to 8 per core): with 16 waitress
workers, the transient copies of a large body end up spread over many arenas that are rarely
trimmed. ``limit_arenas`` (called before the server starts its threads) caps them at 2, as
``MALLOC_ARENA_MAX=2`` would: measured with ``bench/bench_mock_memory.py``, six ~1 MiB entities
took RSS from 66 to 105 MB and a reset left 98 MB; with two arenas 79 MB and 70 MB.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from functools import cache
from typing import Any


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
