"""The implicit grants (working directory, temp directory) and the rules every grant obeys.

Pure decisions over resolved paths and ``stat`` results, so that the policy, the exposure
report and the tests all apply the same rule:

- ``/proc``, ``/sys`` and ``/dev`` are never returnable, whatever grants them: they hold a
  process's environment, memory and devices, not files anyone means to share.
- The working directory is granted only if it is an app's folder: not ``/``, not a top-level
  system directory, not anything inside ``/etc``, ``/boot`` or the never-served trees, not the
  home directory or a folder that contains it, and not a folder that contains the temp
  directory (that would undo the temp rule below).
- The temp directory only grants files this app wrote: regular files owned by this process's
  user whose inode changed after the app's process started (``st_ctime``), outside other
  apps' file caches.
  ``ctime`` is set by the kernel on every create, write, rename or ``utime`` and cannot be
  moved back by user space (only by changing the system clock), so a file that existed
  untouched before launch, or another user's file, never qualifies.
- A regular file with more than one hard link is refused when a *directory* grant reached it:
  the other name may be blocked or dot-named, and nothing says which name is the real one.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath

from .paths import is_within

__all__ = [
    "NEVER_SERVED",
    "cache_dirs",
    "cwd_refusal",
    "in_foreign_cache",
    "is_never_served",
    "temp_file_refused",
]

NEVER_SERVED = (Path("/proc"), Path("/sys"), Path("/dev"))
# Top-level directories that are a whole system area, never one app's folder (/app, /srv/x,
# /usr/src/app and /opt/x stay grantable: they are common app folders in containers).
_SYSTEM_DIRS = frozenset(
    Path("/" + name)
    for name in (
        "bin boot dev etc home lib lib32 lib64 libx32 media mnt opt proc root run sbin srv sys "
        "tmp usr var"
    ).split()
)
# Trees that hold system configuration or kernel state, at any depth.
_SYSTEM_TREES = (Path("/etc"), Path("/boot"), *NEVER_SERVED)
# A cache base that encloses the temp dir (PORCH_TEMP_DIR=/tmp) holds one directory per
# instance, named by a long hex token (porch: 32 digits; Gradio: a hash).
_INSTANCE_DIR = re.compile(r"[0-9a-f]{32,}")


def is_never_served(path: PurePath) -> bool:
    return any(is_within(path, tree) for tree in NEVER_SERVED)


def cwd_refusal(cwd: Path, home: Path, tempdir: Path) -> str | None:
    """Why the working directory ``cwd`` is not granted implicitly, or None if it is.

    All three paths must be resolved. The text completes "not granted: ...".
    """
    if cwd == Path(cwd.anchor):
        return "it is the file system root"
    if cwd in _SYSTEM_DIRS or any(is_within(cwd, tree) for tree in _SYSTEM_TREES):
        return "it is a system directory"
    if is_within(home, cwd):
        return "it is the home folder" if cwd == home else "it contains the home folder"
    if is_within(tempdir, cwd):
        return "it contains the temp directory"
    return None


def cache_dirs(tempdir: Path, environ: Mapping[str, str]) -> tuple[Path, ...]:
    """Where porch and Gradio keep their file caches by default or as configured."""
    found = [tempdir / "gradio", tempdir / "porch"]
    found += [Path(environ[key]) for key in ("GRADIO_TEMP_DIR", "PORCH_TEMP_DIR")
              if environ.get(key)]
    return tuple(dict.fromkeys(Path(os.path.abspath(p)) for p in found))


def in_foreign_cache(path: Path, caches: Iterable[Path], implicit_root: Path) -> bool:
    """True if ``path`` (resolved), reached through ``implicit_root``, is in an app's cache.

    A cache directory that encloses the implicit root itself would void the grant, so there
    only its instance directories count.
    """
    for cache in caches:
        if not is_within(path, cache):
            continue
        if not is_within(implicit_root, cache):
            return True
        below = path.relative_to(cache).parts
        if below and _INSTANCE_DIR.fullmatch(below[0]):
            return True
    return False


# When this process began to be a porch app: porch.files is imported with `import porch`, at
# the top of the app's script. Temp files older than this were made by someone else (another
# app, a user, an attacker planting them) and are not the app's to return; files the app's
# own code writes later, before launch() or during an event, are. The margin covers the
# kernel's coarse file clock, which runs a tick behind time.time_ns().
PROCESS_STARTED_NS = time.time_ns() - 20_000_000


def temp_file_refused(st: os.stat_result, uid: int, launched_ns: int) -> bool:
    """True if the temp-dir grant does not cover the file with status ``st``."""
    return st.st_uid != uid or st.st_ctime_ns <= launched_ns
