"""The cache registry seam: FileCache keeps what it issued only through the registry it is
given (MemoryRegistry by default), so a shared one can replace it."""

from __future__ import annotations

from pathlib import Path

from porch.files.cache import FileCache
from porch.files.registry import CacheEntry, MemoryRegistry, Record


def record(path: str, size: int) -> Record:
    return Record(CacheEntry(Path(path), "x", size, None), 1, 2, 0.0, 0.0, {})


def test_memory_registry_totals_order_and_replacement() -> None:
    registry = MemoryRegistry()
    registry.add("/a", record("/a", 10))
    registry.add("/b", record("/b", 5))
    registry.add("/a", record("/a", 7))  # the same key again: replaced, counted once
    assert registry.total == 12 and len(registry) == 2
    assert [key for key, _ in registry.oldest_first()] == ["/b", "/a"]
    registry.touch("/b", 99.0, "s1")
    registry.touch("/missing", 99.0, "s1")  # nothing to touch: nothing happens
    assert [key for key, _ in registry.oldest_first()] == ["/a", "/b"]
    found = registry.get("/b")
    assert found is not None and found.used == 99.0 and list(found.holders) == ["s1"]
    assert registry.take("/missing") is None
    registry.clear()
    assert registry.total == 0 and len(registry) == 0


class CountingRegistry(MemoryRegistry):
    def __init__(self) -> None:
        super().__init__()
        self.added: list[str] = []

    def add(self, key: str, record: Record) -> None:
        self.added.append(key)
        super().add(key, record)


def test_file_cache_uses_the_registry_it_is_given(tmp_path: Path) -> None:
    registry = CountingRegistry()
    cache = FileCache(tmp_path / "c", registry=registry)
    entry = cache.store_bytes(b"hello", "a.txt")
    assert registry.added == [str(entry.path)]
    assert cache.lookup(entry.path) == entry
    registry.clear()  # what the registry forgets, the cache no longer issued
    assert cache.lookup(entry.path) is None
