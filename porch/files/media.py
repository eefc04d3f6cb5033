"""How a served file is labelled: content type, disposition, ranges and validators.

HTTP-free: the file route turns these values into headers. Decisions made here:

- Only an allow-list is ever served ``inline``: raster images (not SVG), audio, video,
  ``text/plain`` and ``application/json`` (neither runs in a browser under ``nosniff``).
- PDF is inline only for developer-granted files (``trusted=True``: allowed or static paths);
  from the cache it is an attachment, since PDF viewers run scripts of their own.
- Everything else, HTML/SVG/XML/JS included and *even when trusted*, is
  ``application/octet-stream`` with ``attachment``: a served file must never run in the app's
  origin (CVE-2024-47872; attack case XSS-11 recommends attachment for allowed HTML too).
- The caller always adds ``X-Content-Type-Options: nosniff``, so an HTML body in a ``.png``
  is never sniffed into a page.
"""

from __future__ import annotations

import mimetypes
import re
from urllib.parse import quote

__all__ = [
    "RangeNotSatisfiable",
    "etag_for",
    "guess_type",
    "not_modified",
    "parse_range",
    "serving_headers",
]

_INLINE = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "bmp": "image/bmp",
    "ico": "image/x-icon",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/ogg",
    "flac": "audio/flac",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "weba": "audio/webm",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "ogv": "video/ogg",
    "mov": "video/quicktime",
    "txt": "text/plain; charset=utf-8",
    "json": "application/json",
}
_TRUSTED_INLINE = {"pdf": "application/pdf"}
_ATTACHMENT_TYPE = "application/octet-stream"
# RFC 8187 attr-char minus the unreserved characters quote() always keeps.
_ATTR_SAFE = "!#$&+^`|"
_RANGE = re.compile(r"\s*(\d*)\s*-\s*(\d*)\s*", re.ASCII)
# Longer numerals cannot be byte offsets of a real file; treat them as "beyond the end"
# instead of handing int() a 100 kB string.
_MAX_DIGITS = 30
_BEYOND = 10**_MAX_DIGITS


class RangeNotSatisfiable(ValueError):
    """A ``bytes`` Range header that cannot be served: the route answers 416."""


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def guess_type(name: str) -> str | None:
    """Best-effort MIME type for metadata (FileData ``mime_type``); not used to serve inline."""
    known = _INLINE.get(_extension(name)) or _TRUSTED_INLINE.get(_extension(name))
    return known.split(";")[0] if known else mimetypes.guess_type(name, strict=True)[0]


def serving_headers(name: str, *, trusted: bool) -> tuple[str, str]:
    """``(Content-Type, Content-Disposition)`` for serving a file called ``name``."""
    ext = _extension(name)
    inline_type = _INLINE.get(ext) or (_TRUSTED_INLINE.get(ext) if trusted else None)
    if inline_type is not None:
        return inline_type, _disposition("inline", name)
    return _ATTACHMENT_TYPE, _disposition("attachment", name)


def _disposition(kind: str, name: str) -> str:
    # Quotes, backslashes, CR/LF and non-ASCII never reach the quoted form: header injection
    # and parser confusion are impossible; the exact name travels in RFC 6266 filename*.
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "_" for ch in name)
    fallback = fallback or "download"
    value = f'{kind}; filename="{fallback}"'
    if name and fallback != name:
        encoded = quote(name, safe=_ATTR_SAFE, errors="replace")
        value += f"; filename*=UTF-8''{encoded}"
    return value


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= _MAX_DIGITS else _BEYOND


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive ``(start, end)`` of a single ``bytes`` range, or None to serve it all.

    None when there is no header, another unit, or several ranges (serving the whole file is
    always a correct answer to a Range request). Raises ``RangeNotSatisfiable`` for a
    ``bytes`` range that is malformed or lies beyond the end of the file.
    """
    if not header:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    if "," in spec:
        return None
    match = _RANGE.fullmatch(spec)
    if match is None or match.group(1) + match.group(2) == "":
        raise RangeNotSatisfiable(f"malformed range {header!r}")
    first, last = match.groups()
    if not first:
        suffix = _number(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(f"unsatisfiable suffix range {header!r}")
        return max(0, size - suffix), size - 1
    start = _number(first)
    end = _number(last) if last else size - 1
    if start >= size or start > end:
        raise RangeNotSatisfiable(f"range {header!r} outside a file of {size} bytes")
    return start, min(end, size - 1)


def etag_for(size: int, mtime: float, ino: int) -> str:
    """A strong, quoted ETag that changes with the file and says nothing about the host."""
    import hashlib  # on use: `import porch` stays light

    digest = hashlib.blake2s(f"{ino}:{size}:{mtime!r}".encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """True if an ``If-None-Match`` header matches ``etag`` (weak comparison, as RFC 9110)."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False
