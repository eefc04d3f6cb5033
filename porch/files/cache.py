"""The file cache: uploads and returned files, stored under names nobody can guess.

Layout: ``<base>/<instance token>/<entry token>/<sanitized name>``. The instance directory is
private (0o700) and new for every ``FileCache``; each entry gets its own 128-bit token
directory. Names are random rather than content hashes: a hash is guessable by anyone who
holds the same bytes (PROTOCOL.md, "Security takeaway"), so a cache URL would stop being a
capability.

Only entries this instance created count. They are kept in a registry together with the
device and inode of the file written; a file planted in the cache directory, or one swapped
in for an entry, is not an entry. The registry lives in memory (one process); the names stay
addressable by path alone, so a shared registry can replace it later.
"""

from __future__ import annotations

import logging
import os
import posixpath
import secrets
import shutil
import stat
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from porch.errors import ConfigError, UploadRejected

from .media import guess_type
from .paths import display_name, lexical_refusal, sanitize_filename

__all__ = ["CacheEntry", "FileCache", "PendingEntry", "default_cache_base"]

log = logging.getLogger("porch.files")

_TOKEN_BYTES = 16
_COPY_CHUNK = 1024 * 1024
# O_EXCL|O_NOFOLLOW: a name pre-planted in our directory (it cannot be, it is 0o700 and the
# token is fresh, but cheap to rule out) is never followed or truncated.
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)


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
class _Record:
    entry: CacheEntry
    dev: int
    ino: int
    created: float


def default_cache_base(environ: Mapping[str, str]) -> Path:
    """``$PORCH_TEMP_DIR``, else ``$GRADIO_TEMP_DIR``, else ``<tempfile.gettempdir()>/porch``."""
    for key in ("PORCH_TEMP_DIR", "GRADIO_TEMP_DIR"):
        value = environ.get(key)
        if value:
            return Path(value)
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
        self._dir = cache.root / secrets.token_hex(_TOKEN_BYTES)
        os.mkdir(self._dir, 0o700)
        self.path = self._dir / sanitize_filename(filename)
        try:
            fd = os.open(self.path, _CREATE_FLAGS, 0o600)
        except BaseException:
            os.rmdir(self._dir)
            raise
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
        except BaseException:
            self.abort()
            raise
        self._file = None
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
    ``delete_cache=(frequency_s, age_s)`` makes ``cleanup`` drop entries older than
    ``age_s`` (the server calls it every ``frequency_s``) and ``close`` delete everything,
    as Gradio does.
    """

    def __init__(
        self,
        base: Path | None = None,
        *,
        max_bytes: int | None = None,
        delete_cache: tuple[float, float] | None = None,
    ) -> None:
        if max_bytes is not None and max_bytes < 0:
            raise ConfigError(f"Invalid cache size {max_bytes!r}: it cannot be negative.")
        if delete_cache is not None and (len(delete_cache) != 2 or min(delete_cache) < 0):
            raise ConfigError(
                f"Invalid delete_cache={delete_cache!r}: expected (frequency_s, age_s), "
                "two non-negative numbers of seconds."
            )
        self.max_bytes = max_bytes
        self.delete_cache = delete_cache
        chosen = Path(base) if base is not None else default_cache_base({})
        os.makedirs(chosen, mode=0o700, exist_ok=True)
        self.base = chosen.resolve(strict=True)
        _warn_if_shared(self.base)
        root = self.base / secrets.token_hex(_TOKEN_BYTES)
        os.mkdir(root, 0o700)
        # mkdir's mode is filtered by the umask; the instance dir must be private whatever it is.
        os.chmod(root, 0o700)
        self.root = root
        self._lock = threading.Lock()
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._total = 0
        self._closed = False

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
        with self._lock:
            self._records[key] = _Record(entry, st.st_dev, st.st_ino, time.time())
            self._total += entry.size
            evicted = self._evict_locked(keep=key)
        for record in evicted:
            _remove_entry_files(record.entry.path)

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
            record = self._records.get(key)
            if record is None or not _same_file(key, record):
                return None
            self._records.move_to_end(key)
            return record.entry

    def owns(self, path: Path, st: os.stat_result) -> bool:
        """True if ``st`` (an fstat of an opened file) is the file registered at ``path``."""
        with self._lock:
            record = self._records.get(str(path))
            return record is not None and (record.dev, record.ino) == (st.st_dev, st.st_ino)

    # -- removing
    def discard(self, entry: CacheEntry) -> bool:
        """Forget ``entry`` and delete its file; False if it was not (or no longer) registered."""
        key = str(entry.path)
        with self._lock:
            if key not in self._records:
                return False
            record = self._take_locked(key)
        _remove_entry_files(record.entry.path)
        return True

    def cleanup(self, now: float | None = None) -> int:
        """Drop entries older than ``delete_cache``'s age and LRU entries over ``max_bytes``."""
        now = time.time() if now is None else now
        removed: list[_Record] = []
        with self._lock:
            if self.delete_cache is not None:
                cutoff = now - self.delete_cache[1]
                expired = [k for k, r in self._records.items() if r.created < cutoff]
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
            if self.delete_cache is None:
                return
            self._records.clear()
            self._total = 0
        shutil.rmtree(self.root, ignore_errors=True)

    def _take_locked(self, key: str) -> _Record:
        record = self._records.pop(key)
        self._total -= record.entry.size
        return record

    def _evict_locked(self, keep: str | None) -> list[_Record]:
        evicted: list[_Record] = []
        if self.max_bytes is None:
            return evicted
        # The newest entry is kept even when it alone exceeds the cap: evicting it would hand
        # the caller a name that no longer resolves.
        victims = (key for key in list(self._records) if key != keep)
        while self._total > self.max_bytes:
            key = next(victims, None)
            if key is None:
                break
            evicted.append(self._take_locked(key))
        return evicted


def _same_file(key: str, record: _Record) -> bool:
    try:
        st = os.lstat(key)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) == (record.dev, record.ino)


def _remove_entry_files(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    try:
        os.rmdir(path.parent)
    except OSError:
        pass


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
