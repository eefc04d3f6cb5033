"""`set_static_paths`: files the author publishes in place (served, never copied)."""

from __future__ import annotations

import os
from collections.abc import Sequence

_static_paths: list[str] = []


def set_static_paths(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> None:
    """Serve these files or folders as they are, without copying them to the cache.

    Call before `launch()`; each call replaces the previous list, as in Gradio.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    _static_paths[:] = [os.fspath(p) for p in paths]


def static_paths() -> tuple[str, ...]:
    return tuple(_static_paths)
