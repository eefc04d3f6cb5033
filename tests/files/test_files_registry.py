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


class SharedRegistry(MemoryRegistry):
    """Two caches' registry on one storage (what a cluster's Redis registry is), in memory:
    it resolves the names clients use (`<token>/<name>`) back to any instance's entry."""

    def __init__(self, records: dict[str, Record], forged: dict[str, str] | None = None
                 ) -> None:
        super().__init__()
        self._records = records  # type: ignore[assignment]
        self.forged = forged or {}

    def find(self, reference: str) -> str | None:
        if reference in self.forged:
            return self.forged[reference]
        for key in self._records:
            if key.endswith("/" + reference):
                return key
        return None


def test_another_instances_entry_is_named_and_located_like_ones_own(tmp_path: Path) -> None:
    shared: dict[str, Record] = {}
    one = FileCache(tmp_path, registry=SharedRegistry(shared))
    two = FileCache(tmp_path, registry=SharedRegistry(shared))
    entry = one.store_bytes(b"x", "a.txt")
    reference = one.reference(entry)
    assert two.reference(entry) == reference and not reference.startswith("/")
    assert two.locate(reference) == entry.path
    assert MemoryRegistry().find(reference) is None
    # Under the base but unknown to the registry: named by its path, as a static file is.
    stray = CacheEntry(tmp_path.resolve() / "other" / "tok" / "b.txt", "b.txt", 1, None)
    assert two.reference(stray) == str(stray.path)


def test_a_registry_answer_outside_the_cache_is_not_taken(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "cache", registry=SharedRegistry({}, forged={
        "0123456789abcdef0123456789abcdef/a.txt": "/etc/0123456789abcdef0123456789abcdef/a.txt",
        "fedcba9876543210fedcba9876543210/b.txt":
            str((tmp_path / "cache").resolve() / "x" / "fedcba9876543210fedcba9876543210"
                / "other.txt"),
    }))
    for reference in ("0123456789abcdef0123456789abcdef/a.txt",
                      "fedcba9876543210fedcba9876543210/b.txt"):
        assert cache.locate(reference) == cache.root / reference
