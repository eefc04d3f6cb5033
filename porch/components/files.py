"""File components: File. Every file they accept or return passes the one gate.

An input must be a FileData naming a file this app issued (an upload or an earlier output),
or a public URL fetched by the SSRF-safe fetcher; a returned path is copied into the cache
only if the gate grants it (allowed paths, the working directory, the temp directory).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from porch import protocol
from porch.components.base import Component, Conversion, EventListener
from porch.errors import Error, FileNotAllowed
from porch.files.cache import CacheEntry

FILE_DATA_SCHEMA: dict[str, Any] = {
    "title": "FileData",
    "type": "object",
    "properties": {
        "path": {"title": "Path", "type": "string"},
        "url": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "size": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None},
        "orig_name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "mime_type": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
        "is_stream": {"default": False, "type": "boolean"},
        "meta": {"default": {"_type": "gradio.FileData"}, "type": "object"},
    },
    "required": ["path"],
    "description": "A file: a path returned by /upload, or a public http(s) URL.",
}
EXAMPLE_FILE: dict[str, Any] = {
    "path": "https://github.com/gradio-app/gradio/raw/main/test/test_files/sample_file.pdf",
    "meta": {"_type": protocol.FILE_DATA_TYPE},
}

# Type families accepted in `file_types`, as Gradio users write them.
FILE_FAMILIES = {
    "image": (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".avif", ".ico", ".tif",
              ".tiff"),
    "audio": (".wav", ".mp3", ".ogg", ".flac", ".m4a", ".aac", ".opus", ".webm"),
    "video": (".mp4", ".webm", ".ogv", ".mov", ".avi", ".mkv"),
    "text": (".txt", ".md", ".csv", ".json", ".tsv", ".log"),
}


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def entry_from_payload(payload: Any, conversion: Conversion) -> CacheEntry:
    """The cache entry for one FileData input, through the gate (or a public URL)."""
    if not protocol.is_file_data(payload):
        raise FileNotAllowed(
            "File inputs must be FileData objects: "
            '{"path": <a path returned by /upload>, "meta": {"_type": "gradio.FileData"}}.'
        )
    path = payload.get("path")
    if not isinstance(path, str) or not path:
        raise FileNotAllowed("A FileData input needs a 'path'.")
    if is_url(path):
        return conversion.fetch_url(path)
    return conversion.require_policy().resolve_input(path)


def file_payload(value: Any, conversion: Conversion) -> dict[str, Any]:
    """The FileData of one returned value (a path, a URL, bytes or a FileData)."""
    policy = conversion.require_policy()
    if isinstance(value, dict) and "path" in value:
        value = value["path"]
    if isinstance(value, (bytes, bytearray)):
        entry = policy.cache.store_bytes(bytes(value), "file")
    elif isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        entry = conversion.fetch_url(text) if is_url(text) else policy.adopt_output(text)
    else:
        raise TypeError(f"A file output must be a path, a URL or bytes, not {type(value)}.")
    return entry_payload(entry, conversion)


def entry_payload(entry: CacheEntry, conversion: Conversion) -> dict[str, Any]:
    """The FileData of a cache entry the gate issued, with its served URL.

    Its `path` is the entry's cache reference, never the host path (clients echo it back
    and gradio_client downloads `file=<path>`).
    """
    path = conversion.require_policy().cache.reference(entry)
    return protocol.file_data(path, conversion.file_url(path), orig_name=entry.orig_name,
                              size=entry.size, mime_type=entry.mime_type)


class File(Component):
    """Upload or download files; the app's function gets paths (or bytes)."""

    unhonoured_keywords = {"allow_reordering": False}

    block_type = "file"
    schema = FILE_DATA_SCHEMA
    python_type = "filepath"
    example: Any = EXAMPLE_FILE
    does_io = True

    change = EventListener("change")
    upload = EventListener("upload")
    clear = EventListener("clear")
    select = EventListener("select")
    delete = EventListener("delete")
    download = EventListener("download")

    def __init__(
        self,
        value: Any = None,
        *,
        file_count: str = "single",
        file_types: Sequence[str] | None = None,
        type: str = "filepath",
        height: int | str | None = None,
        **common: Any,
    ) -> None:
        if file_count not in ("single", "multiple", "directory"):
            raise ValueError("file_count must be 'single', 'multiple' or 'directory'")
        if type not in ("filepath", "binary"):
            raise ValueError("type must be 'filepath' or 'binary'")
        self.file_count = file_count
        self.file_types = list(file_types) if file_types else None
        self.type = type
        self.height = height
        super().__init__(value, **common)
        if file_count != "single":
            self.schema = {"type": "array", "items": FILE_DATA_SCHEMA}
            self.python_type = "List[filepath]"
            self.example = [EXAMPLE_FILE]

    @property
    def multiple(self) -> bool:
        return self.file_count != "single"

    def _accepts(self, name: str) -> bool:
        if not self.file_types:
            return True
        suffix = Path(name).suffix.lower()
        for kind in self.file_types:
            kind = kind.lower()
            if kind in FILE_FAMILIES and suffix in FILE_FAMILIES[kind]:
                return True
            if kind.startswith(".") and suffix == kind:
                return True
            if kind == "file":
                return True
        return False

    def _convert_input(self, payload: Any, conversion: Conversion) -> Any:
        entry = entry_from_payload(payload, conversion)
        if not self._accepts(entry.orig_name):
            raise Error(f"Invalid file type: {entry.orig_name}. Allowed: "
                        f"{', '.join(self.file_types or [])}.")
        if self.type == "binary":
            return Path(entry.path).read_bytes()
        return str(entry.path)

    def preprocess(self, payload: Any, conversion: Conversion) -> Any:
        if payload is None:
            return None
        if self.multiple:
            items = payload if isinstance(payload, list) else [payload]
            return [self._convert_input(item, conversion) for item in items]
        return self._convert_input(payload, conversion)

    def postprocess(self, value: Any, conversion: Conversion) -> Any:
        if value is None:
            return None
        if isinstance(value, (list, tuple)):
            return [file_payload(item, conversion) for item in value]
        return file_payload(value, conversion)

    def initial_payload(self, conversion: Conversion | None = None) -> Any:
        if self.value is None or conversion is None or conversion.policy is None:
            return None
        return self.postprocess(self.value, conversion)

    def props(self, conversion: Conversion | None = None) -> dict[str, Any]:
        return {**super().props(conversion), "file_count": self.file_count,
                "file_types": self.file_types, "type": self.type, "height": self.height}
