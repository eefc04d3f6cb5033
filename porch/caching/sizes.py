"""How many bytes a cached value holds, roughly: enough to keep a cache's `max_memory`.

Arrays, images and frames are measured by their buffers (what dominates an ML app's
memory); containers by their items; anything else by `sys.getsizeof`. Shared objects are
counted once per value, and reference cycles end the walk instead of looping.
"""

from __future__ import annotations

import sys
from typing import Any


def estimate_bytes(value: Any) -> int:
    return _size(value, set())


def _size(value: Any, seen: set[int]) -> int:
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return len(value) if not isinstance(value, memoryview) else value.nbytes
    if isinstance(value, (str, int, float, bool)) or value is None:
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(_size(k, seen) + _size(v, seen)
                                          for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return sys.getsizeof(value) + sum(_size(item, seen) for item in value)
    module = type(value).__module__ or ""
    if module.startswith("numpy") and hasattr(value, "nbytes"):
        return int(value.nbytes)
    if module.startswith("PIL"):
        width, height = value.size
        return int(width * height * len(value.getbands()))
    if module.startswith("pandas") and hasattr(value, "memory_usage"):
        usage = value.memory_usage(deep=True)
        return int(usage.sum() if hasattr(usage, "sum") else usage)
    if module.startswith("torch") and hasattr(value, "element_size"):
        return int(value.nelement() * value.element_size())
    return sys.getsizeof(value)
