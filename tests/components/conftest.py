"""A real file gate for component conversions: a FilePolicy and FileCache in tmp_path, built the
way `porch.server.runtime` builds them, and a fetcher that records what it was asked for."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from porch import protocol
from porch.components.base import Conversion
from porch.errors import FileNotAllowed
from porch.files.cache import CacheEntry, FileCache
from porch.files.policy import FilePolicy, FileRules

FILE_URL = "http://testserver/gradio_api/file="


@dataclass
class Gate:
    """The pieces of one app's file gate, rooted in a test's tmp_path."""

    root: Path
    cache: FileCache
    policy: FilePolicy
    conversion: Conversion
    fetched: list[str] = field(default_factory=list)

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def allowed(self) -> Path:
        return self.root / "allowed"

    @property
    def outside(self) -> Path:
        return self.root / "outside"

    def upload(self, data: bytes, name: str) -> dict[str, Any]:
        """Store bytes as an upload would, and return the FileData a client then sends.

        Its path is the entry's host path, which inputs accept as well as the reference that
        /upload answers (the HTTP tests send references), so that a test can compare it with
        what the function receives.
        """
        entry = self.cache.store_bytes(data, name)
        return {"path": str(entry.path), "orig_name": name, "size": entry.size,
                "meta": {"_type": protocol.FILE_DATA_TYPE}}

    def stored(self, path: str) -> Path:
        """The file behind an output FileData path (a cache reference, as clients see it)."""
        return self.cache.locate(path) or Path(path)

    def is_issued(self, path: str) -> bool:
        return self.cache.lookup(self.stored(path)) is not None


@pytest.fixture
def gate(tmp_path: Path) -> Gate:
    for name in ("work", "tmp", "allowed", "outside"):
        (tmp_path / name).mkdir()
    cache = FileCache(tmp_path / "cache")
    policy = FilePolicy(
        FileRules.build(allowed=[tmp_path / "allowed"], cwd=tmp_path / "work",
                        tempdir=tmp_path / "tmp"),
        cache,
    )
    fetched: list[str] = []

    def fetch(url: str) -> CacheEntry:
        # No network in unit tests: record the URL and refuse, as the fetcher would.
        fetched.append(url)
        raise FileNotAllowed(f"Could not fetch {url}.")

    conversion = Conversion(policy=policy, file_url=lambda path: FILE_URL + quote(path),
                            fetch=fetch)
    return Gate(tmp_path, cache, policy, conversion, fetched)


def png_bytes(array: Any, fmt: str = "PNG") -> bytes:
    from PIL import Image

    with io.BytesIO() as out:
        Image.fromarray(array).save(out, format=fmt)
        return out.getvalue()
