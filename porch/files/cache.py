"""The file cache: uploads and returned files, stored under names nobody can guess.

Layout: ``<base>/<instance token>/<entry token>/<sanitized name>``. The instance directory is
private (0o700) and new for every ``FileCache``; each entry gets its own 128-bit token
directory. Names are random rather than content hashes: a hash is guessable by anyone who
holds the same bytes (PROTOCOL.md, "Security takeaway"), so a cache URL would stop being a
capability. Clients never see these paths: they name an entry by its *reference*,
``<entry token>/<sanitized name>`` (``reference`` / ``locate``), which says nothing about the
host.

An entry is written as ``<instance dir>/.porch-partial-<entry token>`` and renamed into place
only once complete, so a process killed mid-upload (``kill -9``) leaves nothing that looks
like an entry. The instance directory is ``flock``-ed while its cache lives; a new cache
removes the partial files of instance directories nobody holds any more.

Only entries this instance created count. They are kept in a registry together with the
device and inode of the file written; a file planted in the cache directory, or one swapped
in for an entry, is not an entry. The registry lives in memory (one process); the names stay
addressable by path alone, so a shared registry can replace it later.
"""

from __future__ import annotations

import fcntl
import logging
import os
import posixpath
import re
import stat
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from porch.errors import ConfigError, UploadRejected

from .media import guess_type
from .paths import display_name, lexical_refusal, sanitize_filename
from .registry import CacheEntry, CacheRegistry, MemoryRegistry, Record
from .retention import current_holder

__all__ = ["CacheEntry", "FileCache", "PendingEntry", "default_cache_base", "sweep_partials"]

log = logging.getLogger("porch.files")

_TOKEN_BYTES = 16
_COPY_CHUNK = 1024 * 1024
# O_EXCL|O_NOFOLLOW: a name pre-planted in our directory (it cannot be, it is 0o700 and the
# token is fresh, but cheap to rule out) is never followed or truncated.
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_TOKEN = r"[0-9a-f]{32}"
_INSTANCE_NAME = re.compile(_TOKEN)
# sanitize_filename never yields a leading dot, so no stored name can look like a partial.
_PARTIAL_PREFIX = ".porch-partial-"
_PARTIAL_NAME = re.compile(re.escape(_PARTIAL_PREFIX) + _TOKEN)
# Stored names never start with a dot, so neither can a reference's (no ".", "..").
_REFERENCE = re.compile(_TOKEN + r"/[^/.][^/]*")


def default_cache_base(environ: Mapping[str, str]) -> Path:
    """``$PORCH_TEMP_DIR``, else ``$GRADIO_TEMP_DIR``, else ``<tempfile.gettempdir()>/porch``."""
    for key in ("PORCH_TEMP_DIR", "GRADIO_TEMP_DIR"):
        value = environ.get(key)
        if value:
            return Path(value)
    import tempfile  # on use: `import porch` stays light

    return Path(tempfile.gettempdir()) / "porch"


class PendingEntry:
    """A cache entry being written. ``commit()`` publishes it, ``abort()`` removes every trace.

    As a context manager it aborts on leaving, unless it was committed: an exception (or a
    forgotten commit) never leaves a partial file behind.
    """

    def __init__(self, cache: FileCache, filename: str, max_bytes: int | None = None) -> None:
        self.orig_name = display_name(filename)
        self.size = 0
        self._cache = cache
        self._max_bytes = max_bytes
        self._entry: CacheEntry | None = None
        token = _token()
        # Where the entry will live once committed; until then the bytes go to a name the
        # cache never issues, so a crash mid-write cannot leave a half file under it.
        self.path = cache.root / token / sanitize_filename(filename)
        self._partial = cache.root / (_PARTIAL_PREFIX + token)
        fd = os.open(self._partial, _CREATE_FLAGS, 0o600)
        self._file: BinaryIO | None = os.fdopen(fd, "wb")

    def write(self, data: bytes) -> None:
        """Append ``data``; past ``max_bytes`` the entry is removed and 413 raised."""
        if self._file is None:
            raise ValueError("this cache entry is no longer open for writing")
        if self._max_bytes is not None and self.size + len(data) > self._max_bytes:
            self.abort()
            raise UploadRejected(
                f"File size exceeded maximum allowed size of {self._max_bytes} bytes.", 413
            )
        self._file.write(data)
        self.size += len(data)

    def commit(self) -> CacheEntry:
        """Close the file and register it; the returned entry is servable from now on."""
        if self._file is None:
            raise ValueError("this cache entry is no longer open for writing")
        try:
            self._file.flush()
            st = os.fstat(self._file.fileno())
            self._file.close()
            self._file = None
            os.mkdir(self.path.parent, 0o700)
            # Same directory tree, so atomic; the token directory is fresh and private, so
            # nothing can be waiting at the target name.
            os.rename(self._partial, self.path)
        except BaseException:
            self.abort()
            raise
        entry = CacheEntry(self.path, self.orig_name, self.size, guess_type(self.path.name))
        self._cache._register(entry, st)
        self._entry = entry
        return entry

    def abort(self) -> None:
        """Remove the partial file and its token directory (no-op once committed)."""
        if self._entry is not None:
            return
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None
        _unlink(self._partial)
        _remove_entry_files(self.path)

    def __enter__(self) -> PendingEntry:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.abort()


class FileCache:
    """Stores files under unguessable names and knows which names it issued.

    ``base`` is the already-chosen cache directory (the server passes
    ``default_cache_base(os.environ)``; None means ``<tempfile.gettempdir()>/porch``).
    ``max_bytes`` caps the total size (least recently used entries go first);
    ``max_idle`` makes ``cleanup`` drop entries unused for that many seconds;
    ``delete_cache=(frequency_s, age_s)`` makes ``cleanup`` drop entries older than
    ``age_s`` (the server calls it every ``frequency_s``) and ``close`` delete everything,
    as Gradio does. No rule removes an entry held by a session ``is_live`` says is live
    (retention.py).
    """

    def __init__(
        self,
        base: Path | None = None,
        *,
        max_bytes: int | None = None,
        delete_cache: tuple[float, float] | None = None,
        max_idle: float | None = None,
        is_live: Callable[[str], bool] | None = None,
        registry: CacheRegistry | None = None,
    ) -> None:
        if max_idle is not None and max_idle < 0:
            raise ConfigError(f"Invalid cache idle limit {max_idle!r}: it cannot be negative.")
        if max_bytes is not None and max_bytes < 0:
            raise ConfigError(f"Invalid cache size {max_bytes!r}: it cannot be negative.")
        if delete_cache is not None and (len(delete_cache) != 2 or min(delete_cache) < 0):
            raise ConfigError(
                f"Invalid delete_cache={delete_cache!r}: expected (frequency_s, age_s), "
                "two non-negative numbers of seconds."
            )
        self.max_bytes = max_bytes
        self.delete_cache = delete_cache
        self.max_idle = max_idle
        # Set by the server once its session store exists: which holders are live now.
        self.is_live: Callable[[str], bool] = is_live or (lambda holder: False)
        chosen = Path(base) if base is not None else default_cache_base({})
        os.makedirs(chosen, mode=0o700, exist_ok=True)
        self.base = chosen.resolve(strict=True)
        _warn_if_shared(self.base)
        root = self.base / _token()
        os.mkdir(root, 0o700)
        # mkdir's mode is filtered by the umask; the instance dir must be private whatever it is.
        os.chmod(root, 0o700)
        self.root = root
        # Held for the cache's life and dropped by the kernel when the process dies: that is
        # how a later cache tells a dead instance's partial files from a live upload.
        lock = os.open(root, _DIR_FLAGS)
        fcntl.flock(lock, fcntl.LOCK_EX)
        self._unlock = weakref.finalize(self, os.close, lock)
        swept = sweep_partials(self.base)
        if swept:
            log.info("removed %d partial upload(s) left by stopped porch instances", swept)
        self._lock = threading.Lock()
        self._registry: CacheRegistry = registry if registry is not None else MemoryRegistry()
        self._closed = False
        self._full_warned = -1e9

    # -- writing
    def open_writer(self, filename: str, *, max_bytes: int | None = None) -> PendingEntry:
        """A new entry for ``filename`` to stream into; see ``PendingEntry``."""
        return PendingEntry(self, filename, max_bytes)

    def store_bytes(self, data: bytes, filename: str) -> CacheEntry:
        with self.open_writer(filename) as writer:
            writer.write(data)
            return writer.commit()

    def store_stream(
        self, chunks: Iterable[bytes], filename: str, *, max_bytes: int | None = None
    ) -> CacheEntry:
        """Store ``chunks``; past ``max_bytes`` raise ``UploadRejected(413)``, leaving nothing."""
        with self.open_writer(filename, max_bytes=max_bytes) as writer:
            for chunk in chunks:
                writer.write(chunk)
            return writer.commit()

    def adopt_fd(self, fd: int, filename: str) -> CacheEntry:
        """Copy an open, already-checked descriptor into a new entry (never reopened by name).

        Reads from offset 0 to the end; the descriptor stays open, it is the caller's.
        """
        with self.open_writer(filename) as writer:
            os.lseek(fd, 0, os.SEEK_SET)
            while chunk := os.read(fd, _COPY_CHUNK):
                writer.write(chunk)
            return writer.commit()

    def _register(self, entry: CacheEntry, st: os.stat_result) -> None:
        key = str(entry.path)
        now = time.time()
        record = Record(entry, st.st_dev, st.st_ino, now, now, {})
        record.held_by(current_holder.get())
        with self._lock:
            self._registry.add(key, record)
            evicted = self._evict_locked(keep=key)
        for record in evicted:
            _remove_entry_files(record.entry.path)

    # -- naming
    def reference(self, entry: CacheEntry) -> str:
        """How clients name ``entry``: ``<entry token>/<name>``, which discloses no host path.

        A static file served in place is not in the cache; it keeps its own path (the
        developer published it).
        """
        if entry.path.parent.parent != self.root:
            return str(entry.path)
        return f"{entry.path.parent.name}/{entry.path.name}"

    def locate(self, reference: str) -> Path | None:
        """Where the entry named by a client's ``reference`` would be; None if not one.

        Purely lexical: the registry (``lookup``) still decides whether it was issued.
        """
        if not _REFERENCE.fullmatch(reference) or lexical_refusal(reference) is not None:
            return None
        return self.root / reference

    # -- reading
    def lookup(self, path: str | Path) -> CacheEntry | None:
        """The entry this cache issued at ``path`` (as a client spells it), else None.

        None for traversal spellings, relative paths, anything not in the registry, and a
        registered name whose file is no longer the very file (device, inode) porch wrote.
        """
        text = os.fspath(path)
        if lexical_refusal(text) is not None or not text.startswith("/"):
            return None
        key = posixpath.normpath(text)
        with self._lock:
            record = self._registry.get(key)
            if record is None or not _same_file(key, record):
                return None
            self._registry.touch(key, time.time(), current_holder.get())
            return record.entry

    def owns(self, path: Path, st: os.stat_result) -> bool:
        """True if ``st`` (an fstat of an opened file) is the file registered at ``path``."""
        with self._lock:
            record = self._registry.get(str(path))
            return record is not None and (record.dev, record.ino) == (st.st_dev, st.st_ino)

    # -- removing
    def discard(self, entry: CacheEntry) -> bool:
        """Forget ``entry`` and delete its file; False if it was not (or no longer) registered."""
        key = str(entry.path)
        with self._lock:
            if self._registry.get(key) is None:
                return False
            record = self._take_locked(key)
        _remove_entry_files(record.entry.path)
        return True

    def cleanup(self, now: float | None = None) -> int:
        """Drop entries older than ``delete_cache``'s age, unused for ``max_idle``, and LRU
        entries over ``max_bytes``; never one a live session holds."""
        now = time.time() if now is None else now
        removed: list[Record] = []
        with self._lock:
            created_before = now - self.delete_cache[1] if self.delete_cache else None
            used_before = now - self.max_idle if self.max_idle is not None else None
            expired = [k for k, r in self._registry.oldest_first()
                       if ((created_before is not None and r.created < created_before)
                           or (used_before is not None and r.used < used_before))
                       and not self._held(r)]
            removed += [self._take_locked(key) for key in expired]
            removed += self._evict_locked(keep=None)
        for record in removed:
            _remove_entry_files(record.entry.path)
        return len(removed)

    def close(self) -> None:
        """With ``delete_cache`` set, delete the instance directory; otherwise keep the files."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._unlock()
            if self.delete_cache is None:
                return
            self._registry.clear()
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def size(self) -> tuple[int, int]:
        """(entries, bytes) held now."""
        with self._lock:
            return len(self._registry), self._registry.total

    def _held(self, record: Record) -> bool:
        return any(self.is_live(holder) for holder in record.holders)

    def _take_locked(self, key: str) -> Record:
        record = self._registry.take(key)
        assert record is not None, "taken under the lock it was found under"
        return record

    def _evict_locked(self, keep: str | None) -> list[Record]:
        evicted: list[Record] = []
        if self.max_bytes is None:
            return evicted
        # The newest entry is kept even when it alone exceeds the cap: evicting it would hand
        # the caller a name that no longer resolves. So is every entry a live session holds.
        victims = ((key, record) for key, record in self._registry.oldest_first()
                   if key != keep)
        while self._registry.total > self.max_bytes:
            victim = next(victims, None)
            if victim is None:
                if time.monotonic() - self._full_warned > 60:  # once a minute, not per file
                    self._full_warned = time.monotonic()
                    log.warning("cache is over its %d-byte cap, with only the newest file "
                                "and files live sessions hold left", self.max_bytes)
                break
            key, record = victim
            if not self._held(record):
                evicted.append(self._take_locked(key))
        return evicted


def _same_file(key: str, record: Record) -> bool:
    try:
        st = os.lstat(key)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) == (record.dev, record.ino)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _remove_entry_files(path: Path) -> None:
    _unlink(path)
    try:
        os.rmdir(path.parent)
    except OSError:
        pass


def sweep_partials(base: Path) -> int:
    """Remove partial entries in instance directories under ``base`` that no live cache holds.

    Returns how many were removed. A live instance holds its directory's ``flock``; one that
    was killed mid-write does not, and its partial files can never be completed. Nothing is
    followed: directories are opened with ``O_NOFOLLOW`` and names unlinked relative to them.
    """
    removed = 0
    with os.scandir(base) as children:
        candidates = [c.path for c in children
                      if _INSTANCE_NAME.fullmatch(c.name) and c.is_dir(follow_symlinks=False)]
    for path in candidates:
        try:
            fd = os.open(path, _DIR_FLAGS)
        except OSError:
            continue  # removed meanwhile, or swapped for a link
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its cache is alive (or just starting): its partials are uploads
            for name in os.listdir(fd):
                if _PARTIAL_NAME.fullmatch(name):
                    try:
                        os.unlink(name, dir_fd=fd)
                        removed += 1
                    except OSError:
                        pass
        finally:
            os.close(fd)
    return removed


def _warn_if_shared(base: Path) -> None:
    mode = os.stat(base).st_mode
    # In a directory others may write to without the sticky bit, they could rename our
    # private instance directory away and put their own in its place.
    if mode & (stat.S_IWGRP | stat.S_IWOTH) and not mode & stat.S_ISVTX:
        log.warning(
            "cache directory %s is writable by other users; set PORCH_TEMP_DIR to a private "
            "directory",
            base,
        )


def _token() -> str:
    # secrets (with hmac and random behind it) on first use: not part of `import porch`.
    import secrets

    return secrets.token_hex(_TOKEN_BYTES)
