"""Resumable uploads in progress (tus): each one a cache entry still being written.

A partial upload is a ``PendingEntry`` kept open between requests: its bytes go to the
cache's own ``.porch-partial-<token>`` name, which no reference can spell and which the cache
sweeps after a crash, and only ``commit`` (once every declared byte arrived) makes it a normal,
servable entry. Upload ids are 128-bit random tokens and each upload remembers its owner
(the client cookie, else the address): to anyone else an id is unknown, so a probe learns
nothing. Uploads are bounded per owner and in total (each holds an open file), and expire
``ttl`` seconds after their last byte.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from porch.errors import UploadRejected
from porch.files.cache import CacheEntry, FileCache, PendingEntry

__all__ = ["PartialUpload", "PartialUploads"]

DEFAULT_TTL = 24 * 3600.0
DEFAULT_PER_OWNER = 16
DEFAULT_TOTAL = 512


@dataclass
class PartialUpload:
    """One upload: ``offset`` bytes of ``length`` received so far."""

    upload_id: str
    owner: str
    length: int
    writer: PendingEntry
    touched: float
    # One PATCH at a time: a second one racing the first would interleave bytes.
    busy: threading.Lock = field(default_factory=threading.Lock)
    entry: CacheEntry | None = None

    @property
    def offset(self) -> int:
        return self.writer.size


class PartialUploads:
    """The partial uploads of one app; every method is thread-safe."""

    def __init__(self, cache: FileCache, *, ttl: float = DEFAULT_TTL,
                 per_owner: int = DEFAULT_PER_OWNER, total: int = DEFAULT_TOTAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.cache = cache
        self.ttl = ttl
        self.per_owner = per_owner
        self.total = total
        self._clock = clock
        self._lock = threading.Lock()
        self._uploads: dict[str, PartialUpload] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._uploads)

    def create(self, owner: str, length: int, filename: str,
               max_file_size: int | None) -> PartialUpload:
        """A new upload of ``length`` bytes; 413 over ``max_file_size`` (before any byte),
        429 when the owner (or the server) has too many unfinished ones."""
        if max_file_size is not None and length > max_file_size:
            raise UploadRejected(
                f"File size exceeded maximum allowed size of {max_file_size} bytes.", 413)
        self.expire()
        with self._lock:
            open_ = [u for u in self._uploads.values() if u.entry is None]
            mine = sum(1 for u in open_ if u.owner == owner)
            if mine >= self.per_owner or len(open_) >= self.total:
                raise UploadRejected("Too many unfinished uploads; finish or delete one.", 429)
            writer = self.cache.open_writer(filename, max_bytes=length)
            upload = PartialUpload(secrets.token_hex(16), owner, length, writer, self._clock())
            self._uploads[upload.upload_id] = upload
        if length == 0:
            self._complete(upload)
        return upload

    def get(self, upload_id: str, owner: str) -> PartialUpload | None:
        """The owner's upload (finished ones too, until they expire); None for anyone else."""
        with self._lock:
            upload = self._uploads.get(upload_id)
        if upload is None or not secrets.compare_digest(upload.owner, owner):
            return None
        if self._clock() - upload.touched > self.ttl:
            self._drop(upload)
            return None
        return upload

    def append(self, upload: PartialUpload, data: bytes) -> None:
        """Write the next bytes (the caller holds ``upload.busy``); commit at the end.

        A chunk that would go past the declared length is refused whole (413), so what was
        received stays a prefix of the file."""
        if upload.entry is not None or upload.offset + len(data) > upload.length:
            raise UploadRejected("The body goes past the declared Upload-Length.", 413)
        upload.writer.write(data)
        upload.touched = self._clock()
        if upload.offset == upload.length:
            self._complete(upload)

    def delete(self, upload: PartialUpload) -> None:
        self._drop(upload)

    def expire(self) -> int:
        """Drop uploads untouched for ``ttl`` seconds; how many went."""
        cutoff = self._clock() - self.ttl
        with self._lock:
            old = [u for u in self._uploads.values() if u.touched < cutoff]
        for upload in old:
            self._drop(upload)
        return len(old)

    def close(self) -> None:
        with self._lock:
            uploads = list(self._uploads.values())
        for upload in uploads:
            self._drop(upload)

    def _complete(self, upload: PartialUpload) -> None:
        upload.entry = upload.writer.commit()
        # A finished upload holds no file any more; it stays listed (for HEAD and retries of
        # the last PATCH) until it expires, and no longer counts against its owner.
        upload.touched = self._clock()

    def _drop(self, upload: PartialUpload) -> None:
        with self._lock:
            if self._uploads.get(upload.upload_id) is upload:
                del self._uploads[upload.upload_id]
        if upload.entry is None:
            upload.writer.abort()
