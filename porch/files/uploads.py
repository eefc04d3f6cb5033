"""Streamed ``multipart/form-data`` uploads, bounded while they stream.

Sans-IO: the route feeds ``request.stream()`` chunks into ``MultipartUpload.feed`` and calls
``finish``. Every limit is enforced on the bytes seen so far, so an oversize upload is cut off
with 413 without reading the rest (CVE-2025-0187, and a size limit that only applied after
buffering). Whenever ``feed`` or ``finish`` raises, every file of the request has already
been removed: nothing partial stays on disk.

Only file parts of the field ``files`` are stored (Gradio's upload route); other parts are
parsed and dropped without touching the disk.

Every cap a client can reach answers 413: too many files, too many or too large non-file
fields, too many bytes in the whole request, a file over ``max_file_size``. Malformed bodies
answer 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from porch.errors import UploadRejected

from .cache import CacheEntry, FileCache, PendingEntry

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

__all__ = [
    "DEFAULT_MAX_FIELD_BYTES",
    "DEFAULT_MAX_FILES",
    "DEFAULT_MAX_REQUEST_BYTES",
    "MultipartUpload",
    "UploadLimits",
]

# Starlette's (and Gradio's frontend's) own ceiling per request; a browser folder upload of
# a thousand photos still fits.
DEFAULT_MAX_FILES = 1000
# Larger than any upload a browser handles comfortably, small enough that one request cannot
# fill a typical disk before its limit is noticed. Single files are bounded by max_file_size.
DEFAULT_MAX_REQUEST_BYTES = 5 * 1024**3
# The upload route stores only `files`; browsers, gradio_client and porch.Client send no other
# field, so anything long in one is padding.
DEFAULT_MAX_FIELD_BYTES = 64 * 1024

# RFC 2046 bchars, at most 70 of them; python_multipart only caps the length (at 256).
_BOUNDARY = re.compile(rb"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_FILES_FIELD = "files"
# RFC 2046 allows an epilogue after the closing boundary; a long one is only a way to keep
# the connection busy.
_MAX_EPILOGUE = 16 * 1024


@dataclass(frozen=True)
class UploadLimits:
    """Bounds for one upload request (``None`` = unbounded).

    ``max_files`` counts file parts (stored or not), ``max_request_bytes`` the whole body,
    ``max_fields``/``max_field_bytes`` the non-file parts.
    """

    max_file_size: int | None
    max_files: int = DEFAULT_MAX_FILES
    max_part_header_bytes: int = 16 * 1024
    max_filename_bytes: int = 1024
    max_request_bytes: int | None = None
    max_fields: int = 1000
    max_field_bytes: int = DEFAULT_MAX_FIELD_BYTES


class MultipartUpload:
    """A push parser for one upload request; see the module docstring.

    ``on_progress(orig_name, n)`` is called with the bytes of a stored file received since
    the previous call, for ``/upload_progress``.
    """

    def __init__(
        self,
        content_type: str,
        cache: FileCache,
        limits: UploadLimits,
        on_progress: Callable[[str, int], None] | None = None,
    ) -> None:
        try:
            kind, params = parse_options_header(content_type)
        except UnicodeEncodeError:
            kind, params = b"", {}
        if kind != b"multipart/form-data":
            raise UploadRejected("Invalid content type.", 400)
        boundary = params.get(b"boundary", b"")
        if not _BOUNDARY.fullmatch(boundary):
            raise UploadRejected("Invalid multipart boundary.", 400)
        self._cache = cache
        self._limits = limits
        self._on_progress = on_progress
        callbacks: MultipartCallbacks = {
            "on_part_begin": self._on_part_begin,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_end": self._on_end,
        }
        self._parser = MultipartParser(
            boundary, callbacks, max_header_size=limits.max_part_header_bytes
        )
        self._received = 0
        self._after_end = 0
        self._files = 0
        self._fields = 0
        self._entries: list[CacheEntry] = []
        self._writer: PendingEntry | None = None
        self._in_field = False
        self._field_bytes = 0
        self._header_bytes = 0
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._ended = False
        self._closed = False

    # -- driving
    def feed(self, chunk: bytes) -> None:
        """Parse the next chunk of the body; raise ``UploadRejected`` as soon as a limit breaks."""
        if self._closed:
            raise UploadRejected("This upload was already finished or rejected.", 400)
        self._received += len(chunk)
        limit = self._limits.max_request_bytes
        try:
            if limit is not None and self._received > limit:
                raise UploadRejected(
                    f"Upload exceeded the maximum allowed size of {limit} bytes per request.", 413
                )
            if self._ended:
                self._after_end += len(chunk)
                if self._after_end > _MAX_EPILOGUE:
                    raise UploadRejected("Unexpected data after the multipart body.", 400)
            self._parser.write(chunk)
        except UploadRejected:
            self.abort()
            raise
        except FormParserError as exc:
            self.abort()
            raise UploadRejected(f"Malformed multipart body: {exc}", 400) from None
        except BaseException:
            self.abort()
            raise

    def finish(self) -> list[CacheEntry]:
        """End of body: the stored ``files`` entries, in order; 400 if the body was cut short."""
        if self._closed or not self._ended:
            self.abort()
            raise UploadRejected("Malformed multipart body: it ended early.", 400)
        self._closed = True
        return list(self._entries)

    def abort(self) -> None:
        """Remove every file of this request, partial or complete. Safe to call twice."""
        self._closed = True
        if self._writer is not None:
            self._writer.abort()
            self._writer = None
        for entry in self._entries:
            self._cache.discard(entry)
        self._entries.clear()

    # -- parser callbacks
    def _on_part_begin(self) -> None:
        self._in_field = False
        self._field_bytes = 0
        self._headers = {}
        self._header_bytes = 0
        self._header_name.clear()
        self._header_value.clear()

    def _count_header(self, n: int) -> None:
        # python_multipart bounds each header line; this bounds the whole header block.
        self._header_bytes += n
        if self._header_bytes > self._limits.max_part_header_bytes:
            raise UploadRejected("Multipart part headers are too large.", 400)

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        disposition = self._headers.get(b"content-disposition")
        kind, options = parse_options_header((disposition or b"").decode("latin-1"))
        if kind != b"form-data":
            raise UploadRejected("Malformed multipart part: no form-data disposition.", 400)
        if b"filename" not in options:
            self._fields += 1
            if self._fields > self._limits.max_fields:
                raise UploadRejected(
                    f"Too many fields in one upload (max {self._limits.max_fields}).", 413)
            self._in_field = True
            return
        self._files += 1
        if self._files > self._limits.max_files:
            raise UploadRejected(
                f"Too many files in one upload (max {self._limits.max_files}).", 413)
        raw_name = options[b"filename"]
        if len(raw_name) > self._limits.max_filename_bytes:
            raise UploadRejected("File name too long.", 400)
        if _decode(options.get(b"name", b"")) == _FILES_FIELD:
            self._writer = self._cache.open_writer(_decode(raw_name))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        size = end - start
        if self._in_field:
            self._field_bytes += size
            cap = self._limits.max_field_bytes
            if self._field_bytes > cap:
                raise UploadRejected(
                    f"Form field exceeded the maximum allowed size of {cap} bytes.", 413)
            return
        writer = self._writer
        if writer is None:
            return
        limit = self._limits.max_file_size
        if limit is not None and writer.size + size > limit:
            raise UploadRejected(f"File size exceeded maximum allowed size of {limit} bytes.", 413)
        writer.write(data[start:end])
        if self._on_progress is not None:
            self._on_progress(writer.orig_name, size)

    def _on_part_end(self) -> None:
        if self._writer is not None:
            self._entries.append(self._writer.commit())
            self._writer = None

    def _on_end(self) -> None:
        self._ended = True


def _decode(raw: bytes) -> str:
    # parse_options_header hands back latin-1 bytes of what were, in practice, UTF-8 names.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
