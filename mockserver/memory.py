"""Give memory that dropped entities held back to the operating system (after ``/__mock/reset``).

Dropping the references frees the objects, but CPython's allocator and glibc's malloc keep freed
small blocks for reuse, so the process's RSS stays high after a reset of large entities.
``malloc_trim(0)`` returns the free heap pages; elsewhere than glibc it is skipped.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
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


def release_memory() -> None:
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
