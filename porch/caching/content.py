"""Cache keys: a SHA-256 digest of what a value contains, not of which object it is.

Two calls hit the same entry when their inputs are equal in content: the same numbers and
strings, arrays with the same dtype, shape and bytes, images with the same mode, size and
pixels, frames with the same columns, index and cells, and uploads with the same name and
bytes (an upload is stored under a new random path each time: see `scope.upload_roots`).
Every value is written with a tag for its kind, so `1`, `1.0`, `"1"` and `[1]` differ.

Objects not listed here are read through a `__porch_cache_key__` hook (None: the parameter
is context, left out of the key, like a `gr.Request`; a method: the value to hash instead),
pydantic models and dataclasses by their fields, objects that define `__hash__` by it, and
other objects by their attributes. A value with none of these (or a reference cycle) is a
TypeError naming its type: hashing by identity would either never hit or, once the object
is gone and its id reused, hit for something else.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import stat
import threading
from collections import OrderedDict
from pathlib import Path, PurePath
from typing import Any

from porch.caching.scope import upload_roots

_SKIP = b"ctx"


class Unhashable(TypeError):
    """A cache key was asked of a value whose content porch cannot read."""


def digest(value: Any) -> str:
    """The hex SHA-256 of `value`'s content (raises `Unhashable`)."""
    import hashlib

    hasher = hashlib.sha256()
    _Writer(hasher).write(value)
    return hasher.hexdigest()


class _Writer:
    def __init__(self, hasher: Any) -> None:
        self.hasher = hasher
        self.open: set[int] = set()  # containers being written: a repeat is a cycle

    def tag(self, tag: bytes, payload: bytes = b"") -> None:
        # Tag and length first: no payload can pass for another's ending.
        self.hasher.update(tag + b"%d:" % len(payload))
        self.hasher.update(payload)

    def write(self, value: Any) -> None:
        if value is None:
            self.tag(b"N")
        elif isinstance(value, bool):
            self.tag(b"B", b"1" if value else b"0")
        elif isinstance(value, int) and not isinstance(value, enum.Enum):
            self.tag(b"I", str(int(value)).encode())
        elif type(value) is float:
            self.tag(b"F", value.hex().encode())
        elif type(value) is complex:
            self.tag(b"C", f"{value.real.hex()},{value.imag.hex()}".encode())
        elif isinstance(value, str) and not isinstance(value, enum.Enum):
            self.text(value)
        elif isinstance(value, (bytes, bytearray, memoryview)):
            self.tag(b"Y", bytes(value))
        elif isinstance(value, PurePath):
            self.path(value)
        else:
            self.composite(value)

    def text(self, value: str) -> None:
        upload = _upload_path(value)
        if upload is not None:
            self.tag(b"U", upload.name.encode("utf-8", "surrogatepass"))
            self.tag(b"H", file_digest(upload).encode())
        else:
            self.tag(b"S", value.encode("utf-8", "surrogatepass"))

    def path(self, value: PurePath) -> None:
        # A Path is the app's own (no client chooses one): a regular file is its content.
        if isinstance(value, Path) and value.is_file():
            self.tag(b"U", value.name.encode("utf-8", "surrogatepass"))
            self.tag(b"H", file_digest(value).encode())
        else:
            self.tag(b"P", os.fspath(value).encode("utf-8", "surrogatepass"))

    def composite(self, value: Any) -> None:
        if id(value) in self.open:
            raise Unhashable(f"gr.cache: a {type(value).__name__} that contains itself "
                             "cannot be a cache key.")
        self.open.add(id(value))
        try:
            self._composite(value)
        finally:
            self.open.discard(id(value))

    def _composite(self, value: Any) -> None:
        kind = type(value)
        module = kind.__module__ or ""
        hook: Any = getattr(kind, "__porch_cache_key__", _NO_HOOK)
        if hook is None:
            self.tag(_SKIP)
        elif hook is not _NO_HOOK:
            self.tag(b"K", kind.__qualname__.encode())
            self.write(hook(value))
        elif isinstance(value, (list, tuple)):
            self.items(b"L" if isinstance(value, list) else b"T", value)
        elif isinstance(value, dict):
            self.unordered(b"D", [(k, v) for k, v in value.items()])
        elif isinstance(value, (set, frozenset)):
            self.unordered(b"E", [(item, None) for item in value])
        elif module.startswith("numpy") and hasattr(value, "dtype") and hasattr(value, "shape"):
            self.array(value)
        elif module.startswith("PIL") and hasattr(value, "mode") and hasattr(value, "tobytes"):
            self.tag(b"IMG", f"{value.mode}{value.size}".encode())
            palette = value.getpalette() if value.mode == "P" else None
            self.write(bytes(palette) if palette else None)
            self.tag(b"PX", value.tobytes())
        elif module.startswith("pandas") and hasattr(value, "index"):
            self.frame(value)
        elif isinstance(value, enum.Enum):
            self.tag(b"EN", f"{kind.__module__}.{kind.__qualname__}.{value.name}".encode())
        elif hasattr(value, "model_dump") and callable(value.model_dump):  # pydantic
            self.tag(b"M", kind.__qualname__.encode())
            self.write(value.model_dump())
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            self.tag(b"DC", kind.__qualname__.encode())
            self.write({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
        elif _defines_hash(kind):
            # The type says how its values compare: equal values, equal hashes.
            self.tag(b"HH", f"{kind.__module__}.{kind.__qualname__}:{hash(value)}".encode())
        elif hasattr(value, "__dict__") and not callable(value):
            self.tag(b"O", f"{kind.__module__}.{kind.__qualname__}".encode())
            self.write(vars(value))
        else:
            raise Unhashable(
                f"gr.cache: cannot make a cache key of a {kind.__qualname__} value. Turn it "
                "into plain values first, or pass key= a function that picks hashable inputs.")

    def items(self, tag: bytes, values: Any) -> None:
        self.tag(tag, str(len(values)).encode())
        for item in values:
            self.write(item)

    def unordered(self, tag: bytes, pairs: list[tuple[Any, Any]]) -> None:
        # Digest each pair alone, then sort: equal dicts and sets in any order agree.
        import hashlib

        parts = []
        for key, item in pairs:
            sub = _Writer(hashlib.sha256())
            sub.open = self.open
            sub.write(key)
            sub.write(item)
            parts.append(sub.hasher.digest())
        self.tag(tag, b"".join(sorted(parts)))

    def array(self, value: Any) -> None:
        dtype = value.dtype
        self.tag(b"A", f"{dtype.str}{tuple(value.shape)}".encode())
        if dtype.hasobject:  # its bytes are pointers: hash the items themselves
            self.write(value.tolist())
        else:
            import numpy

            self.tag(b"AB", numpy.ascontiguousarray(value).tobytes())

    def frame(self, value: Any) -> None:
        import pandas  # type: ignore[import-untyped]

        self.tag(b"PD", type(value).__qualname__.encode())
        if hasattr(value, "columns"):
            self.write([str(c) for c in value.columns])
        else:
            self.write(str(value.name))
        rows = pandas.util.hash_pandas_object(value, index=True)
        self.tag(b"PDV", rows.to_numpy().tobytes())


_NO_HOOK = object()


def _defines_hash(kind: type) -> bool:
    own: Any = getattr(kind, "__hash__", None)
    return own is not None and own is not object.__hash__


def _upload_path(text: str) -> Path | None:
    """`text` as an upload's path, when it names a regular file under an upload root."""
    roots = upload_roots.get()
    if not roots or not text.startswith("/") or len(text) > 4096:
        return None
    for root in roots:
        prefix = str(root).rstrip("/") + "/"
        if text.startswith(prefix) and "/../" not in text:
            path = Path(text)
            try:
                # lstat: a link is not an upload (porch writes regular files only).
                if stat.S_ISREG(path.lstat().st_mode):
                    return path
            except (OSError, ValueError):  # ValueError: a NUL in the text
                return None
    return None


_FILE_DIGESTS: OrderedDict[tuple[int, int, int, int], str] = OrderedDict()
_FILE_DIGESTS_MAX = 4096
_file_lock = threading.Lock()


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, remembered while the file is unchanged (same device,
    inode, size and modification time): a hit on a large upload reads it once."""
    import hashlib

    info = path.stat()
    mark = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    with _file_lock:
        known = _FILE_DIGESTS.get(mark)
        if known is not None:
            _FILE_DIGESTS.move_to_end(mark)
            return known
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            hasher.update(chunk)
    found = hasher.hexdigest()
    with _file_lock:
        _FILE_DIGESTS[mark] = found
        while len(_FILE_DIGESTS) > _FILE_DIGESTS_MAX:
            _FILE_DIGESTS.popitem(last=False)
    return found
