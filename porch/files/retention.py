"""How long the cache keeps an entry, and which entries it never lets go.

Cleanup is on by default so that a long-running app cannot fill its disk: the cache holds at
most `max_bytes` (by default the smaller of 5 GiB and a quarter of the space free when it
starts) and drops entries nobody has used for `max_idle` seconds (a day by default), least
recently used first. Gradio's `delete_cache=(frequency, age)` adds an age limit counted from
creation.

None of these rules removes a file that a live session still holds. A session *holds* an
entry when the entry was created or looked up while one of its events ran (`current_holder`
names the session there); the runtime says which sessions are live (a page attached, or an
event running). When only held entries are left, the cache stays over its cap rather than
pull a file from under a user, and says so in the log.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_MAX_IDLE", "MAX_CAP", "Retention", "current_holder", "default_max_bytes"]

MAX_CAP = 5 * 1024**3
DEFAULT_MAX_IDLE = 24 * 3600.0
# An entry remembers this many of the sessions that used it most recently; a file shared by
# more (an example everybody opens) is held while any of the latest ones is live.
HOLDERS_KEPT = 8

# The session whose event is running in this context (set by the server around each event).
current_holder: ContextVar[str | None] = ContextVar("current_holder", default=None)


def _never_live(holder: str) -> bool:
    return False


@dataclass(frozen=True)
class Retention:
    """What the cache keeps: ``max_bytes`` in all, entries used within ``max_idle`` seconds,
    created within ``max_age`` seconds; None lifts a rule. ``is_live(holder)`` protects."""

    max_bytes: int | None = None
    max_idle: float | None = None
    max_age: float | None = None
    is_live: Callable[[str], bool] = field(default=_never_live)


def default_max_bytes(base: Path) -> int:
    """The default cap: 5 GiB, or a quarter of the free space under ``base`` if less."""
    import shutil  # on use: `import porch` stays light

    return min(MAX_CAP, shutil.disk_usage(base).free // 4)
