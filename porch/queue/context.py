"""What a running event offers the code inside it: toasts (`Info`, `Warning`, `Success`).

The runner puts an `EventReporter` in a context variable before it calls the app's function;
context variables follow the call into worker threads, so these work from sync functions too.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Protocol

log = logging.getLogger("porch.events")


class EventReporter(Protocol):
    """Posts messages for the event being run (thread-safe)."""

    def log(self, level: str, message: str, duration: float | None, title: str,
            visible: bool) -> None: ...

    def progress(self, data: list[dict[str, object]]) -> None: ...


current_reporter: ContextVar[EventReporter | None] = ContextVar("current_reporter", default=None)


def _post(level: str, message: str, duration: float | None, title: str, visible: bool) -> None:
    reporter = current_reporter.get()
    if reporter is None:
        # Called outside an event (e.g. at import time): the server log is the only reader.
        log.info("%s: %s", title, message)
        return
    reporter.log(level, message, duration, title, visible)


def Info(message: str = "Info issued.", duration: float | None = 10, visible: bool = True,
         title: str = "Info") -> None:  # noqa: N802 - Gradio's spelling
    """Show an information toast to the user whose event is running."""
    _post("info", message, duration, title, visible)


def Warning(message: str = "Warning issued.", duration: float | None = 10,  # noqa: A001,N802
            visible: bool = True, title: str = "Warning") -> None:
    """Show a warning toast to the user whose event is running."""
    _post("warning", message, duration, title, visible)


def Success(message: str = "Success.", duration: float | None = 10, visible: bool = True,
            title: str = "Success") -> None:  # noqa: N802
    """Show a success toast to the user whose event is running."""
    _post("success", message, duration, title, visible)
