"""Browsing one folder the app chose (gr.FileExplorer's `root_dir`), and nothing around it.

A client names an entry by its path segments under the root (`["docs", "a.txt"]`), never by a
host path. Every segment must be a plain name: not empty, no `/`, not a dot-name (no `..`,
no dot-files), and it must pass the lexical refusals every client path passes. The walk
opens no symbolic link: a link inside the root is neither listed nor followed, so it cannot
lead out. `blocked_paths` hold here as everywhere (the gate's `is_blocked`).
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from porch.errors import FileNotAllowed

from .paths import lexical_refusal

__all__ = ["Entry", "list_folder", "safe_join"]

Entry = dict[str, str]  # {"name": ..., "type": "file" | "folder", "valid": "true" | ...}


def _refuse_segment(segment: object) -> str | None:
    if not isinstance(segment, str):
        return "not a name"
    if "/" in segment:
        return "a slash in a name"
    if segment.startswith("."):
        return "a dot-name"
    return lexical_refusal(segment)


def safe_join(root: Path, segments: Sequence[object], *,
              is_blocked: Callable[[Path], bool]) -> Path:
    """The path under `root` named by `segments` (root itself for none); FileNotAllowed if
    any segment is not a plain name, a step on the way is a link, or the path is blocked."""
    if not isinstance(segments, (list, tuple)):
        raise FileNotAllowed("A file explorer path is a list of names.")
    path = root
    for segment in segments:
        why = _refuse_segment(segment)
        if why is not None:
            raise FileNotAllowed(f"Not a name in this folder: {segment!r} ({why}).")
        path = path / str(segment)
        try:
            if stat.S_ISLNK(os.lstat(path).st_mode):
                raise FileNotAllowed(f"Not a name in this folder: {segment!r}.")
        except (FileNotFoundError, NotADirectoryError):
            # NotADirectoryError: a name below a file (`a.txt/docs`), as missing as any.
            raise FileNotAllowed(f"No such file or folder: {'/'.join(map(str, segments))}.") \
                from None
    if is_blocked(path):
        raise FileNotAllowed(f"No such file or folder: {'/'.join(map(str, segments))}.")
    return path


def list_folder(root: Path, segments: Sequence[object], *, glob: str,
                ignore_glob: str | None, is_blocked: Callable[[Path], bool]) -> list[Entry]:
    """The folders and files directly in the folder `segments` names, folders first, each
    sorted by name. Files must match `glob` and not `ignore_glob` (patterns over the path
    relative to the root); dot-names, links and blocked paths are left out."""
    folder = safe_join(root, segments, is_blocked=is_blocked)
    try:
        names = sorted(os.listdir(folder))
    except (NotADirectoryError, PermissionError):
        return []
    folders: list[Entry] = []
    files: list[Entry] = []
    for name in names:
        if _refuse_segment(name) is not None:
            continue
        path = folder / name
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            continue  # removed while we looked
        if stat.S_ISLNK(mode) or is_blocked(path):
            continue
        relative = path.relative_to(root).as_posix()
        if stat.S_ISDIR(mode):
            folders.append({"name": name, "type": "folder", "valid": "true"})
        elif stat.S_ISREG(mode) and _matches(relative, glob) and not (
                ignore_glob and _matches(relative, ignore_glob)):
            files.append({"name": name, "type": "file", "valid": "true"})
    return folders + files


def _matches(relative: str, pattern: str) -> bool:
    # "**/*" means any depth, the top level included (fnmatch's * already crosses slashes).
    return fnmatch.fnmatch(relative, pattern) or (
        pattern.startswith("**/") and fnmatch.fnmatch(relative, pattern[3:]))
