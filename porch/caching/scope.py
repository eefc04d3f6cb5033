"""What the server tells the caches about the event being run, through context variables
(they follow the call into worker threads and generator steps):

- `current_session`: the session hash, the namespace of per-session caches;
- `upload_roots`: directories whose files are the app's uploads, which keys hash by content
  (an upload of the same bytes lands under a new random name each time);
- `event_function`: the event's own function (its hit answers the whole event);
- `probing`: the server is asking "is this answered from the cache?" before queueing the
  event (porch.server.runtime): on a miss a cached function raises `CacheMiss` instead of
  running, so the event can take its place in the queue;
- `CacheUse`: whether a call was answered from a cache (wholly, or in part through
  `gr.Cache.get` or a nested `gr.cache` hit), which the server reports as Gradio's
  `used_cache` and leaves out of the event's measured durations.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

current_session: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "porch_cache_session", default=None)
upload_roots: contextvars.ContextVar[tuple[Path, ...]] = contextvars.ContextVar(
    "porch_cache_upload_roots", default=())
probing: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "porch_cache_probing", default=False)
# The event's own function: its hit answers the whole event, a nested helper's only part.
event_function: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "porch_cache_event_function", default=None)


class CacheMiss(Exception):
    """A cached function was probed and has no entry for these inputs: queue the event."""


class CacheUse:
    """Collects, for one call, whether a cache answered it: "full" (the event function's
    own `gr.cache` entry), "partial" (some cache read inside it), or None."""

    def __init__(self) -> None:
        self.kind: str | None = None

    def mark(self, kind: str) -> None:
        if self.kind != "full":
            self.kind = kind


_use: contextvars.ContextVar[CacheUse | None] = contextvars.ContextVar(
    "porch_cache_use", default=None)


def mark_used(kind: str) -> None:
    """A cache answered (part of) the running call."""
    use = _use.get()
    if use is not None:
        use.mark(kind)


@contextmanager
def tracking() -> Iterator[CacheUse]:
    """Collect cache use during the block (one event's call)."""
    use = CacheUse()
    token = _use.set(use)
    try:
        yield use
    finally:
        _use.reset(token)


@contextmanager
def event_scope(session: str | None, roots: tuple[Path, ...], *, probe: bool = False,
                fn: Any = None) -> Iterator[CacheUse]:
    """Everything above, set for one event run by the server (`fn`: its function)."""
    tokens = (current_session.set(session), upload_roots.set(roots), probing.set(probe))
    own = event_function.set(fn)
    try:
        with tracking() as use:
            yield use
    finally:
        event_function.reset(own)
        probing.reset(tokens[2])
        upload_roots.reset(tokens[1])
        current_session.reset(tokens[0])
