"""`Reporter`: carries toasts and progress from the app's code (any thread) to the streams of
the events being run.

Progress is throttled (PROTOCOL.md §3.3: at most one message per 10 ms per event): an update
that comes sooner waits, and a newer one replaces it, so a tight loop calling
`progress(i / n)` costs the client a few messages, not millions. Once the event has ended the
reporter is closed and drops what still comes (e.g. from a thread that was abandoned).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from porch import protocol

Send = Callable[[dict[str, Any]], None]
PROGRESS_INTERVAL_S = 0.01


class Reporter:
    """Reports for one run: one event, or every member of a batch (each gets each message)."""

    def __init__(self, targets: list[tuple[Send, str]], loop: asyncio.AbstractEventLoop) -> None:
        self._targets = targets
        self._loop = loop
        self._closed = False
        self._last_progress = float("-inf")
        self._pending: list[dict[str, Any]] | None = None
        self._timer: asyncio.TimerHandle | None = None

    # ---- EventReporter (called from any thread) -------------------------------------------
    def log(self, level: str, message: str, duration: float | None, title: str,
            visible: bool) -> None:
        self._on_loop(self._broadcast, lambda event_id: protocol.log_message(
            event_id, message, level, duration, visible, title))

    def progress(self, data: list[dict[str, Any]]) -> None:
        self._on_loop(self._progress, data)

    # ---- on the loop ----------------------------------------------------------------------
    def close(self) -> None:
        """The run ended: nothing more goes out."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _on_loop(self, fn: Callable[[Any], None], arg: Any) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            fn(arg)
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(fn, arg)

    def _broadcast(self, build: Callable[[str], dict[str, Any]]) -> None:
        if self._closed:
            return
        for send, event_id in self._targets:
            send(build(event_id))

    def _progress(self, data: list[dict[str, Any]]) -> None:
        if self._closed:
            return
        self._pending = data
        if self._timer is not None:
            return  # a send is already due; it will carry the newest data
        wait = self._last_progress + PROGRESS_INTERVAL_S - self._loop.time()
        if wait <= 0:
            self._flush()
        else:
            self._timer = self._loop.call_later(wait, self._flush)

    def _flush(self) -> None:
        self._timer = None
        data, self._pending = self._pending, None
        if self._closed or data is None:
            return
        self._last_progress = self._loop.time()
        self._broadcast(lambda event_id: protocol.progress(event_id, data))
