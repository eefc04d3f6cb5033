"""The store behind `gr.cache` and `gr.Cache`: a thread-safe least-recently-used map with an
entry count bound, an optional byte bound and an optional time to live.

Keys are `(namespace, digest)` pairs: the namespace is a session hash for per-session caches
(None otherwise), so one session's entries can be dropped when it ends and are never read by
another. Both bounds count every namespace together, as one pool of memory.

An entry alone larger than the byte bound is not stored at all: keeping it would break the
bound, and evicting everything else for it would empty the cache for one value.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from porch.caching.sizes import estimate_bytes

Key = tuple[Hashable, str]


@dataclass
class Entry:
    """One cached value: what was stored, the key the app gave (for `Cache.keys()`), its
    estimated size and when it expires (a `clock()` reading, or None)."""

    value: Any
    raw_key: Any
    size: int
    expires: float | None


class CacheStore:
    """`max_size` entries at most (0: unlimited), `max_bytes` bytes at most (None: no byte
    bound), each kept `ttl` seconds at most (None: until evicted)."""

    def __init__(self, max_size: int = 128, max_bytes: int | None = None,
                 ttl: float | None = None, clock: Callable[[], float] = time.monotonic,
                 ) -> None:
        if max_size < 0:
            raise ValueError(f"max_size must be 0 (unlimited) or more, not {max_size}.")
        if ttl is not None and ttl <= 0:
            raise ValueError(f"ttl must be a positive number of seconds or None, not {ttl}.")
        self.max_size = max_size
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._bytes = 0
        # Event functions run in worker threads and on the loop at once.
        self._lock = threading.Lock()

    @property
    def total_bytes(self) -> int:
        return self._bytes

    def get(self, key: Key) -> Entry | None:
        """The live entry under `key` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires is not None and entry.expires <= self._clock():
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: Key, value: Any, raw_key: Any = None) -> bool:
        """Store `value` under `key`, evicting the least recently used entries as the bounds
        ask. Returns False when the value alone is over the byte bound (not stored)."""
        size = estimate_bytes(value) if self.max_bytes is not None else 0
        expires = None if self.ttl is None else self._clock() + self.ttl
        with self._lock:
            if key in self._entries:
                self._drop(key)
            if self.max_bytes is not None and size > self.max_bytes:
                return False
            self._entries[key] = Entry(value, raw_key, size, expires)
            self._bytes += size
            self._evict()
            return True

    def _evict(self) -> None:
        while self._entries and (
                (self.max_size and len(self._entries) > self.max_size)
                or (self.max_bytes is not None and self._bytes > self.max_bytes)):
            oldest = next(iter(self._entries))
            self._drop(oldest)

    def _drop(self, key: Key) -> None:
        entry = self._entries.pop(key)
        self._bytes -= entry.size

    def _purge_expired(self) -> None:
        now = self._clock()
        for key in [k for k, e in self._entries.items()
                    if e.expires is not None and e.expires <= now]:
            self._drop(key)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def clear_namespace(self, namespace: Hashable) -> int:
        """Drop every entry of one namespace (a session that ended); returns how many."""
        with self._lock:
            doomed = [key for key in self._entries if key[0] == namespace]
            for key in doomed:
                self._drop(key)
            return len(doomed)

    def raw_keys(self, namespace: Hashable) -> list[Any]:
        """The keys the app gave, oldest first, of one namespace's live entries."""
        with self._lock:
            self._purge_expired()
            return [e.raw_key for k, e in self._entries.items() if k[0] == namespace]

    def __len__(self) -> int:
        with self._lock:
            self._purge_expired()
            return len(self._entries)
