"""The cache's registry: which entries this cache issued, their sizes, ages and holders.

A seam: `MemoryRegistry` keeps it in this process; a cluster backend keeps it where every
replica sharing the cache directory sees it. `FileCache` serialises every call under its own
lock, so an implementation need not be thread-safe itself.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .retention import HOLDERS_KEPT

__all__ = ["CacheEntry", "CacheRegistry", "MemoryRegistry", "Record"]


@dataclass(frozen=True)
class CacheEntry:
    """A file porch stored (or, for static paths, serves in place).

    ``path`` is absolute and resolved; ``orig_name`` is the name to show (FileData
    ``orig_name``); ``size`` in bytes; ``mime_type`` a best guess from the name.
    """

    path: Path
    orig_name: str
    size: int
    mime_type: str | None


@dataclass
class Record:
    """What the registry knows of one entry: the very file written (device, inode), when it
    was created and last used, and the sessions that used it most recently (retention.py)."""

    entry: CacheEntry
    dev: int
    ino: int
    created: float
    used: float
    holders: dict[str, None]

    def held_by(self, holder: str | None) -> None:
        if holder is None:
            return
        self.holders.pop(holder, None)
        self.holders[holder] = None
        if len(self.holders) > HOLDERS_KEPT:
            del self.holders[next(iter(self.holders))]


class CacheRegistry(Protocol):
    """Entries by key (the entry's path as a string), least recently used first."""

    @property
    def total(self) -> int:
        """Bytes of all entries."""
        ...

    def add(self, key: str, record: Record) -> None: ...

    def get(self, key: str) -> Record | None: ...

    def touch(self, key: str, when: float, holder: str | None) -> None:
        """The entry was used now (by `holder`'s event, if any): it becomes the most recent."""
        ...

    def take(self, key: str) -> Record | None: ...

    def find(self, reference: str) -> str | None:
        """The key of the entry clients call `reference` (`<token>/<name>`) when another
        instance sharing the cache's storage issued it; None otherwise (always, in memory:
        this instance's own references resolve without asking)."""
        ...

    def oldest_first(self) -> list[tuple[str, Record]]: ...

    def clear(self) -> None: ...

    def __len__(self) -> int: ...


class MemoryRegistry:
    """The registry in this process's memory."""

    def __init__(self) -> None:
        self._records: OrderedDict[str, Record] = OrderedDict()
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    def add(self, key: str, record: Record) -> None:
        self.take(key)
        self._records[key] = record
        self._total += record.entry.size

    def get(self, key: str) -> Record | None:
        return self._records.get(key)

    def touch(self, key: str, when: float, holder: str | None) -> None:
        record = self._records.get(key)
        if record is not None:
            self._records.move_to_end(key)
            record.used = when
            record.held_by(holder)

    def take(self, key: str) -> Record | None:
        record = self._records.pop(key, None)
        if record is not None:
            self._total -= record.entry.size
        return record

    def find(self, reference: str) -> str | None:
        return None

    def oldest_first(self) -> list[tuple[str, Record]]:
        return list(self._records.items())

    def clear(self) -> None:
        self._records.clear()
        self._total = 0

    def __len__(self) -> int:
        return len(self._records)
