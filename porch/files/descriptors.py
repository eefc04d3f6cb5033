"""Opening a checked file so that what is opened is what was checked: no symlink in any
component, and the descriptor still at the resolved location (the gate's rule 7, policy.py)."""

from __future__ import annotations

import os
from pathlib import Path

_DIR_FLAGS = os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_PATH", os.O_RDONLY)
# O_NONBLOCK: a FIFO swapped in after the check must not hang the worker on open().
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


def open_nofollow(path: Path) -> int:
    """Open ``path`` read-only, refusing a symlink in *any* component, not just the last.

    ``path`` is already resolved, so a link found on the way was swapped in after the check.
    """
    parts = path.parts
    fd = os.open(parts[0], _DIR_FLAGS)
    try:
        for name in parts[1:-1]:
            parent, fd = fd, -1
            try:
                fd = os.open(name, _DIR_FLAGS, dir_fd=parent)
            finally:
                os.close(parent)
        return os.open(parts[-1], _FILE_FLAGS, dir_fd=fd)
    finally:
        if fd >= 0:
            os.close(fd)


def fd_is_at(fd: int, st: os.stat_result, path: Path) -> bool:
    """True if the open descriptor is the file at ``path`` (its real location, not a spelling)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}") == str(path)
    except OSError:
        pass
    # No /proc (macOS, some sandboxes): the name must still lead to the same inode, unfollowed.
    try:
        here = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (st.st_dev, st.st_ino)
