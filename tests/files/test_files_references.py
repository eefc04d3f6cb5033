"""Cache references (what clients see instead of host paths) and crash-safe partial writes."""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porch.errors import FileNotAllowed
from porch.files.cache import FileCache, PendingEntry, sweep_partials
from porch.files.policy import FilePolicy
from tests.files.files_sandbox import Sandbox


@pytest.fixture
def cache(tmp_path: Path) -> FileCache:
    return FileCache(tmp_path / "cache")


def partials(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.name.startswith(".porch-partial-"))


def cut_off(cache: FileCache, name: str) -> PendingEntry:
    """A write the process never finished: its descriptor closed (as the kernel would on
    kill -9), nothing cleaned up."""
    writer = cache.open_writer(name)
    writer.write(b"cut off")
    writer._file.close()  # type: ignore[union-attr]
    writer._file = None
    return writer


# ---- references ---------------------------------------------------------------------------


def test_reference_is_token_and_name_and_locates_the_entry(cache: FileCache) -> None:
    entry = cache.store_bytes(b"hello", "hello.txt")
    reference = cache.reference(entry)
    assert reference == f"{entry.path.parent.name}/hello.txt"
    assert str(cache.base) not in reference and not reference.startswith("/")
    assert cache.locate(reference) == entry.path
    assert cache.lookup(cache.locate(reference) or "") == entry


def test_static_entries_keep_their_own_path(policy: FilePolicy, sandbox: Sandbox) -> None:
    static = policy.adopt_output(sandbox.static / "static_public.txt")
    assert policy.cache.reference(static) == str(sandbox.static / "static_public.txt")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello.txt",
        "0" * 31 + "/a.txt",
        "0" * 33 + "/a.txt",
        "A" * 32 + "/a.txt",  # tokens are lower-case hex
        "0" * 32,
        "0" * 32 + "/",
        "0" * 32 + "/a/b.txt",
        "0" * 32 + "/..",
        "0" * 32 + "/.",
        "0" * 32 + "/.env",
        "0" * 32 + "/a\x00.txt",
        "0" * 32 + "/a\\..\\b",
        "0" * 32 + "/%2e%2e",
        "/" + "0" * 32 + "/a.txt",
        "../" + "0" * 32 + "/a.txt",
    ],
)
def test_locate_refuses_anything_not_shaped_like_a_reference(cache: FileCache,
                                                              text: str) -> None:
    assert cache.locate(text) is None


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=80)
@given(name=st.text(min_size=1, max_size=60))
def test_every_stored_name_has_a_reference_that_round_trips(cache: FileCache,
                                                            name: str) -> None:
    entry = cache.store_bytes(b"x", name)
    reference = cache.reference(entry)
    assert not reference.startswith("/") and str(cache.root) not in reference
    located = cache.locate(reference)
    assert located is not None and cache.lookup(located) == entry
    cache.discard(entry)


def test_resolve_input_takes_a_reference(policy: FilePolicy) -> None:
    entry = policy.cache.store_bytes(b"data", "in.txt")
    assert policy.resolve_input(policy.cache.reference(entry)) == entry
    assert policy.resolve_input(str(entry.path)) == entry  # the host path still works


def test_a_reference_nobody_issued_is_refused(policy: FilePolicy) -> None:
    planted = policy.cache.root / ("a" * 32) / "planted.txt"
    planted.parent.mkdir()
    planted.write_text("SECRET")
    for text in ("a" * 32 + "/planted.txt", "b" * 32 + "/missing.txt"):
        with pytest.raises(FileNotAllowed, match="was not uploaded to this app") as info:
            policy.resolve_input(text)
        assert str(policy.cache.root) not in str(info.value)


def test_a_reference_from_another_instance_is_refused(policy: FilePolicy,
                                                      sandbox: Sandbox) -> None:
    other = FileCache(sandbox.cache_base)
    sandbox.caches.append(other)
    foreign = other.store_bytes(b"other app", "o.txt")
    with pytest.raises(FileNotAllowed):
        policy.resolve_input(other.reference(foreign))


def test_adopt_output_takes_a_reference_back(policy: FilePolicy) -> None:
    entry = policy.cache.store_bytes(b"data", "out.txt")
    assert policy.adopt_output(policy.cache.reference(entry)) == entry
    with pytest.raises(FileNotAllowed) as info:
        policy.adopt_output("c" * 32 + "/never.txt")
    assert str(policy.cache.root) not in str(info.value)


def test_dereference_leaves_other_paths_alone(policy: FilePolicy) -> None:
    assert policy.dereference("public.txt") == "public.txt"
    assert policy.dereference("/etc/passwd") == "/etc/passwd"
    assert policy.dereference("d" * 32 + "/x.txt") == str(policy.cache.root / ("d" * 32) / "x.txt")


# ---- partial writes -------------------------------------------------------------------------


def test_an_entry_being_written_has_no_entry_name_yet(cache: FileCache) -> None:
    writer = cache.open_writer("big.bin")
    writer.write(b"half")
    assert not writer.path.exists() and not writer.path.parent.exists()
    (partial,) = partials(cache.root)
    assert cache.lookup(partial) is None and cache.lookup(writer.path) is None
    entry = writer.commit()
    assert partials(cache.root) == []
    assert entry.path.read_bytes() == b"half"
    assert cache.lookup(entry.path) == entry


@pytest.mark.parametrize("failing", ["mkdir", "rename"])
def test_a_commit_that_cannot_publish_leaves_nothing(cache: FileCache,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     failing: str) -> None:
    writer = cache.open_writer("x.bin")
    writer.write(b"data")

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, no_space)
    with pytest.raises(OSError):
        writer.commit()
    monkeypatch.undo()
    assert list(cache.root.iterdir()) == []


def test_a_dead_instances_partials_are_swept_by_the_next_cache(tmp_path: Path) -> None:
    dead = FileCache(tmp_path / "c")
    cut_off(dead, "upload.bin")
    kept = dead.store_bytes(b"complete", "kept.txt")
    dead._unlock()  # what the kernel does when the process is killed
    alive = FileCache(tmp_path / "c")
    alive_writer = alive.open_writer("running.bin")
    alive_writer.write(b"in flight")
    FileCache(tmp_path / "c")
    assert partials(dead.root) == []
    assert kept.path.read_bytes() == b"complete"  # only partial files go
    assert len(partials(alive.root)) == 1  # a live cache's upload is left alone
    alive_writer.commit()


def test_sweep_counts_and_ignores_what_is_not_an_instance(tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture,
                                                          ) -> None:
    base = tmp_path / "c"
    dead = FileCache(base)
    for _ in range(2):
        cut_off(dead, "p.bin")
    lookalike = dead.root / ".porch-partial-not-a-token"
    lookalike.write_text("kept")
    dead.close()
    planted = base / ("e" * 32)
    planted.mkdir()
    (planted / ".porch-partial-x").write_text("kept")
    (base / ("f" * 32)).symlink_to(tmp_path)
    (base / "notes.txt").write_text("kept")
    (base / "planted").mkdir()
    with caplog.at_level(logging.INFO, logger="porch.files"):
        FileCache(base)
    assert "removed 2 partial upload(s)" in caplog.text
    assert lookalike.exists() and (planted / ".porch-partial-x").exists()
    assert sweep_partials(base) == 0


def test_sweep_survives_directories_that_vanish_or_refuse(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    base = tmp_path / "c"
    dead = FileCache(base)
    cut_off(dead, "p.bin")
    dead.close()
    real_open, real_unlink = os.open, os.unlink

    def vanished(path: str, flags: int, *args: object, **kwargs: object) -> int:
        if str(path) == str(dead.root):
            raise FileNotFoundError(2, "gone")
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", vanished)
    assert sweep_partials(base) == 0
    monkeypatch.undo()

    def refused(name: str, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "denied")

    monkeypatch.setattr(os, "unlink", refused)
    assert sweep_partials(base) == 0
    monkeypatch.setattr(os, "unlink", real_unlink)
    assert sweep_partials(base) == 1


def test_a_live_cache_holds_its_lock_until_closed(cache: FileCache) -> None:
    fd = os.open(cache.root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        cache.close()
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)
