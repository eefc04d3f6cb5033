from __future__ import annotations

import logging
import os
import stat
import tempfile
import threading
from pathlib import Path

import pytest

from porch.errors import ConfigError, UploadRejected
from porch.files.cache import FileCache, default_cache_base


@pytest.fixture
def cache(tmp_path: Path) -> FileCache:
    return FileCache(tmp_path / "cache")


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if not p.is_dir())


def test_default_cache_base() -> None:
    assert default_cache_base({"PORCH_TEMP_DIR": "/p", "GRADIO_TEMP_DIR": "/g"}) == Path("/p")
    assert default_cache_base({"PORCH_TEMP_DIR": "", "GRADIO_TEMP_DIR": "/g"}) == Path("/g")
    assert default_cache_base({}) == Path(tempfile.gettempdir()) / "porch"


def test_base_defaults_to_tempdir_porch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cache = FileCache()
    assert cache.base == (tmp_path / "porch").resolve()
    assert cache.root.parent == cache.base


def test_instance_dir_is_private_and_fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_mkdir = os.mkdir

    def permissive_mkdir(path: str | Path, mode: int = 0o777) -> None:
        # What a umask of 000 does to mkdir(path, 0o700) in effect on some filesystems (ACLs).
        real_mkdir(path, mode)
        os.chmod(path, 0o777)

    monkeypatch.setattr(os, "mkdir", permissive_mkdir)
    one = FileCache(tmp_path / "c")
    monkeypatch.undo()
    two = FileCache(tmp_path / "c")
    assert one.root != two.root
    assert one.root.parent == two.root.parent == (tmp_path / "c").resolve()
    assert len(one.root.name) == 32
    assert stat.S_IMODE(os.stat(one.root).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(two.root).st_mode) == 0o700


def test_store_bytes_layout(cache: FileCache) -> None:
    entry = cache.store_bytes(b"hello", "../../hello.txt")
    assert entry.path.is_absolute()
    assert entry.path.parent.parent == cache.root
    assert len(entry.path.parent.name) == 32
    assert entry.path.name == "hello.txt"
    assert (entry.orig_name, entry.size, entry.mime_type) == ("hello.txt", 5, "text/plain")
    assert entry.path.read_bytes() == b"hello"
    assert stat.S_IMODE(os.stat(entry.path).st_mode) == 0o600
    assert cache.lookup(str(entry.path)) == entry


def test_same_content_and_name_gives_distinct_entries(cache: FileCache) -> None:
    one = cache.store_bytes(b"same", "a.txt")
    two = cache.store_bytes(b"same", "a.txt")
    assert one.path != two.path


def test_dotfile_names_are_not_stored_as_dotfiles(cache: FileCache) -> None:
    entry = cache.store_bytes(b"x", ".env")
    assert entry.path.name == "env"
    assert entry.orig_name == ".env"


def test_store_stream_over_limit_leaves_nothing(cache: FileCache) -> None:
    with pytest.raises(UploadRejected) as info:
        cache.store_stream([b"a" * 6, b"b" * 6], "big.bin", max_bytes=10)
    assert info.value.status_code == 413
    assert files_under(cache.root) == []
    assert list(cache.root.iterdir()) == []


def test_store_stream_within_limit(cache: FileCache) -> None:
    entry = cache.store_stream(iter([b"ab", b"cd"]), "x.bin", max_bytes=4)
    assert entry.path.read_bytes() == b"abcd"


def test_writer_context_manager_aborts_on_exception(cache: FileCache) -> None:
    with pytest.raises(RuntimeError), cache.open_writer("part.bin") as writer:
        writer.write(b"partial")
        raise RuntimeError("client went away")
    assert list(cache.root.iterdir()) == []
    assert cache.lookup(writer.path) is None


def test_writer_forgotten_commit_is_aborted(cache: FileCache) -> None:
    with cache.open_writer("x.bin") as writer:
        writer.write(b"data")
    assert list(cache.root.iterdir()) == []
    with pytest.raises(ValueError):
        writer.write(b"more")
    with pytest.raises(ValueError):
        writer.commit()


def test_writer_abort_after_commit_keeps_the_entry(cache: FileCache) -> None:
    writer = cache.open_writer("x.bin")
    writer.write(b"data")
    entry = writer.commit()
    writer.abort()
    assert entry.path.read_bytes() == b"data"
    assert cache.lookup(entry.path) == entry


def test_writer_abort_tolerates_a_failing_close(cache: FileCache) -> None:
    writer = cache.open_writer("x.bin")

    class Broken:
        def close(self) -> None:
            raise OSError("disk gone")

    writer._file.close()  # type: ignore[union-attr]
    writer._file = Broken()  # type: ignore[assignment]
    writer.abort()
    assert list(cache.root.iterdir()) == []


def test_commit_failure_aborts(cache: FileCache, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = cache.open_writer("x.bin")
    writer.write(b"data")

    def no_space(fd: int) -> os.stat_result:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fstat", no_space)
    with pytest.raises(OSError):
        writer.commit()
    monkeypatch.undo()
    assert list(cache.root.iterdir()) == []


def test_open_failure_removes_token_dir(cache: FileCache, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError):
        cache.open_writer("x.bin")
    monkeypatch.undo()
    assert list(cache.root.iterdir()) == []


def test_adopt_fd_copies_from_start_without_closing(cache: FileCache, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"0123456789" * 300_000)
    fd = os.open(src, os.O_RDONLY)
    try:
        os.lseek(fd, 7, os.SEEK_SET)
        entry = cache.adopt_fd(fd, "src.bin")
        os.fstat(fd)  # still open
    finally:
        os.close(fd)
    assert entry.path.read_bytes() == src.read_bytes()
    assert entry.size == 3_000_000


@pytest.mark.parametrize(
    "spelling",
    [
        "{root}/{tok}/../{tok}/a.txt",
        "{root}/{tok}/a.txt\x00",
        "{root}\\{tok}\\a.txt",
        "{tok}/a.txt",
    ],
)
def test_lookup_refuses_traversal_spellings(cache: FileCache, spelling: str) -> None:
    entry = cache.store_bytes(b"x", "a.txt")
    text = spelling.format(root=cache.root, tok=entry.path.parent.name)
    assert cache.lookup(text) is None


def test_lookup_accepts_redundant_separators(cache: FileCache) -> None:
    entry = cache.store_bytes(b"x", "a.txt")
    assert cache.lookup(f"{entry.path.parent}//./a.txt") == entry


def test_lookup_ignores_planted_and_foreign_files(cache: FileCache, tmp_path: Path) -> None:
    planted = cache.base / "planted" / "foreign_secret.txt"
    planted.parent.mkdir()
    planted.write_text("SECRET")
    in_root = cache.root / ("0" * 32) / "x.txt"
    in_root.parent.mkdir()
    in_root.write_text("SECRET")
    other = FileCache(cache.base)
    foreign = other.store_bytes(b"other app", "o.txt")
    assert cache.lookup(planted) is None
    assert cache.lookup(in_root) is None
    assert cache.lookup(foreign.path) is None
    assert other.lookup(foreign.path) == foreign


def test_lookup_refuses_a_swapped_file(cache: FileCache, tmp_path: Path) -> None:
    entry = cache.store_bytes(b"mine", "a.txt")
    outside = tmp_path / "secret.txt"
    outside.write_text("SECRET")
    os.unlink(entry.path)
    os.symlink(outside, entry.path)
    assert cache.lookup(entry.path) is None
    replacement = entry.path.parent / "replacement"
    replacement.write_text("replaced")  # created while the entry's name exists: a new inode
    os.replace(replacement, entry.path)
    assert cache.lookup(entry.path) is None
    os.unlink(entry.path)
    assert cache.lookup(entry.path) is None


def test_owns_compares_inodes(cache: FileCache) -> None:
    one = cache.store_bytes(b"1", "a.txt")
    two = cache.store_bytes(b"2", "b.txt")
    assert cache.owns(one.path, os.stat(one.path))
    assert not cache.owns(one.path, os.stat(two.path))
    assert not cache.owns(cache.root / "nope", os.stat(one.path))


def test_discard(cache: FileCache) -> None:
    entry = cache.store_bytes(b"x", "a.txt")
    assert cache.discard(entry)
    assert not entry.path.exists() and not entry.path.parent.exists()
    assert not cache.discard(entry)
    assert cache.lookup(entry.path) is None


def test_cleanup_by_age(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = FileCache(tmp_path / "c", delete_cache=(60, 3600))
    clock = [1000.0]
    monkeypatch.setattr("porch.files.cache.time.time", lambda: clock[0])
    old = cache.store_bytes(b"old", "old.txt")
    clock[0] = 4000.0
    new = cache.store_bytes(b"new", "new.txt")
    assert cache.cleanup(now=4000.0 + 100) == 0
    assert cache.cleanup(now=1000.0 + 3601) == 1
    assert not old.path.exists() and cache.lookup(old.path) is None
    assert cache.lookup(new.path) == new
    clock[0] = 9000.0
    assert cache.cleanup() == 1
    assert list(cache.root.iterdir()) == []


def test_cleanup_without_rules_removes_nothing(cache: FileCache) -> None:
    cache.store_bytes(b"x" * 100, "a.txt")
    assert cache.cleanup(now=10**12) == 0


def test_size_cap_evicts_least_recently_used(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "c", max_bytes=25)
    a = cache.store_bytes(b"a" * 10, "a.txt")
    b = cache.store_bytes(b"b" * 10, "b.txt")
    assert cache.lookup(a.path) == a  # a is now more recent than b
    c = cache.store_bytes(b"c" * 10, "c.txt")  # 30 > 25: evict b
    assert cache.lookup(b.path) is None and not b.path.exists()
    assert cache.lookup(a.path) == a and cache.lookup(c.path) == c
    big = cache.store_bytes(b"z" * 100, "big.txt")  # alone over the cap: kept, others go
    assert cache.lookup(big.path) == big
    assert cache.lookup(a.path) is None and cache.lookup(c.path) is None
    assert cache.cleanup() == 1  # a later cleanup enforces the cap on it too
    assert not big.path.exists()


def test_cleanup_enforces_cap(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "c", max_bytes=100)
    cache.store_bytes(b"a" * 60, "a.txt")
    cache.max_bytes = 50
    assert cache.cleanup() == 1
    assert list(cache.root.iterdir()) == []


def test_cleanup_is_thread_safe(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "c", max_bytes=50)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            for j in range(30):
                cache.store_bytes(b"x" * 10, f"{i}-{j}.txt")
                cache.cleanup()
        except BaseException as exc:  # pragma: no cover - only on failure
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(p.stat().st_size for p in files_under(cache.root)) <= 50


def test_close_with_delete_cache_removes_instance_dir(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "c", delete_cache=(60, 60))
    entry = cache.store_bytes(b"x", "a.txt")
    cache.close()
    cache.close()
    assert not cache.root.exists()
    assert cache.base.exists()
    assert cache.lookup(entry.path) is None


def test_close_without_delete_cache_keeps_files(cache: FileCache) -> None:
    entry = cache.store_bytes(b"x", "a.txt")
    cache.close()
    assert entry.path.read_bytes() == b"x"


@pytest.mark.parametrize(
    "kwargs",
    [{"max_bytes": -1}, {"delete_cache": (60, -1)}, {"delete_cache": (1, 2, 3)}],
)
def test_bad_settings(tmp_path: Path, kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        FileCache(tmp_path / "c", **kwargs)  # type: ignore[arg-type]


def test_warns_when_base_is_shared_without_sticky_bit(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    os.chmod(sticky, 0o1777)
    with caplog.at_level(logging.WARNING, logger="porch.files"):
        FileCache(sticky)
        assert caplog.records == []
        FileCache(shared)
    assert "writable by other users" in caplog.text
