"""Cache retention: idle and size limits, least recently used first, and never a file a live
session holds (porch/files/retention.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from porch.errors import ConfigError
from porch.files.cache import FileCache
from porch.files.retention import MAX_CAP, Retention, current_holder, default_max_bytes


def stored_as(cache: FileCache, holder: str | None, data: bytes, name: str):
    token = current_holder.set(holder)
    try:
        return cache.store_bytes(data, name)
    finally:
        current_holder.reset(token)


def looked_up_as(cache: FileCache, holder: str, path: Path):
    token = current_holder.set(holder)
    try:
        return cache.lookup(path)
    finally:
        current_holder.reset(token)


def test_idle_entries_go_and_use_keeps_them(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cache = FileCache(tmp_path / "c", max_idle=100)
    clock = [1000.0]
    monkeypatch.setattr("porch.files.cache.time.time", lambda: clock[0])
    used = cache.store_bytes(b"u", "used.txt")
    idle = cache.store_bytes(b"i", "idle.txt")
    clock[0] = 1090.0
    assert cache.lookup(used.path) == used  # used again: its idle time starts over
    assert cache.cleanup(now=1150.0) == 1
    assert cache.lookup(idle.path) is None and not idle.path.exists()
    assert cache.cleanup(now=1180.0) == 0
    assert cache.cleanup(now=1191.0) == 1
    assert cache.size == (0, 0)


def test_a_live_session_keeps_its_files_through_every_rule(tmp_path: Path) -> None:
    live = {"alice"}
    cache = FileCache(tmp_path / "c", max_bytes=10, max_idle=1, delete_cache=(1, 1),
                      is_live=live.__contains__)
    held = stored_as(cache, "alice", b"a" * 8, "alice.txt")
    # The newest entry stays even though it takes the cache over its cap.
    other = stored_as(cache, "bob", b"b" * 8, "bob.txt")
    assert cache.lookup(held.path) == held and cache.lookup(other.path) == other
    # Age, idle time and the cap all point at both; only bob's file may go.
    assert cache.cleanup(now=10**10) == 1
    assert cache.lookup(held.path) == held and held.path.read_bytes() == b"a" * 8
    assert cache.lookup(other.path) is None
    live.clear()  # alice's page closed: her file is an ordinary entry again
    assert cache.cleanup(now=10**10) == 1
    assert cache.size == (0, 0)


def test_a_file_read_by_a_live_session_is_held_too(tmp_path: Path) -> None:
    live = {"reader"}
    cache = FileCache(tmp_path / "c", max_idle=1, is_live=live.__contains__)
    entry = stored_as(cache, None, b"x", "shared.txt")  # an upload: no session yet
    assert looked_up_as(cache, "reader", entry.path) == entry
    assert cache.cleanup(now=10**10) == 0
    live.clear()
    assert cache.cleanup(now=10**10) == 1


def test_only_the_latest_holders_are_remembered(tmp_path: Path) -> None:
    live = {"s0"}
    cache = FileCache(tmp_path / "c", max_idle=1, is_live=live.__contains__)
    entry = stored_as(cache, "s0", b"x", "example.txt")
    for i in range(1, 9):  # eight more sessions open the same example
        looked_up_as(cache, f"s{i}", entry.path)
    looked_up_as(cache, "s1", entry.path)  # seen again: moves to the newest end, no duplicate
    assert cache.cleanup(now=10**10) == 1  # s0, the oldest, was forgotten


def test_over_the_cap_with_only_held_files_keeps_them_and_says_so(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = FileCache(tmp_path / "c", max_bytes=10, is_live=lambda holder: True)
    first = stored_as(cache, "s", b"a" * 8, "a.txt")
    with caplog.at_level(logging.WARNING, logger="porch.files"):
        second = stored_as(cache, "s", b"b" * 8, "b.txt")
        stored_as(cache, "s", b"c" * 8, "c.txt")  # still over: not said again this minute
    assert cache.lookup(first.path) == first and cache.lookup(second.path) == second
    assert caplog.text.count("over its 10-byte cap") == 1
    assert cache.size == (3, 24)


def test_negative_idle_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="idle limit"):
        FileCache(tmp_path / "c", max_idle=-1)


def test_default_cap_is_five_gib_or_a_quarter_of_free_space(tmp_path: Path) -> None:
    import shutil

    free = shutil.disk_usage(tmp_path).free
    assert default_max_bytes(tmp_path) == min(MAX_CAP, free // 4)
    assert Retention().is_live("anyone") is False


@settings(max_examples=60, deadline=None)
@given(plan=st.lists(st.tuples(st.integers(1, 40), st.booleans()), min_size=1, max_size=25),
       cap=st.integers(0, 200))
def test_property_cleanup_never_removes_a_held_file_and_meets_the_cap_otherwise(
        tmp_path_factory: pytest.TempPathFactory, plan: list[tuple[int, bool]], cap: int) -> None:
    """Whatever is stored, after cleanup: every held entry is still there, and unless held
    entries alone exceed the cap, the total is within it."""
    cache = FileCache(tmp_path_factory.mktemp("c"), max_bytes=None,
                      is_live=lambda holder: holder.startswith("live"))
    entries = [stored_as(cache, "live" if held else "gone", b"x" * size, f"{i}.bin")
               for i, (size, held) in enumerate(plan)]
    cache.max_bytes = cap
    cache.cleanup()
    held_bytes = sum(size for size, held in plan if held)
    for entry, (_, held) in zip(entries, plan, strict=True):
        if held:
            assert cache.lookup(entry.path) == entry
    _, total = cache.size
    assert total <= max(cap, held_bytes)
    if held_bytes <= cap:
        assert total <= cap
