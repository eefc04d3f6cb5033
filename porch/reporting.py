"""What a running event tells its user: toasts (`Info`, `Warning`, `Success`) and `Progress`.

The server puts an `EventReporter` in a context variable before it calls the app's function;
context variables follow the call into worker threads, so all of these work from sync
functions too. Outside an event they only log.

This module sits at the bottom of the layers (stdlib only, beside `errors` and `protocol`):
`blocks` must recognise a `Progress` parameter to keep it out of the API and pass it by
keyword, and the server must carry its messages, yet neither layer may import the other.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterable, Iterator, Sized
from contextvars import ContextVar, Token
from typing import Any, Generic, Protocol, TypeVar

log = logging.getLogger("porch.events")

T = TypeVar("T")


class EventReporter(Protocol):
    """Posts messages for the event being run (thread-safe)."""

    def log(self, level: str, message: str, duration: float | None, title: str,
            visible: bool) -> None: ...

    def progress(self, data: list[dict[str, Any]]) -> None: ...


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


# ---- progress -------------------------------------------------------------------------------


class _Unit(Protocol):
    def payload(self) -> dict[str, Any]: ...


class Progress:
    """Progress of the running event, shown as a bar with a description.

        def fn(x, progress=porch.Progress()):
            progress(0.2, desc="loading")
            for item in progress.tqdm(items, desc="working"):
                ...

    A parameter whose default is a `Progress` is filled in by porch on each call (a fresh
    one, bound to that event) and is not an input of the API. With `track_tqdm=True`, tqdm
    bars created during the call are reported too (when tqdm is installed).
    """

    # Context, not input: left out of `gr.cache` keys (porch.caching.content).
    __porch_cache_key__ = None

    def __init__(self, track_tqdm: bool = False) -> None:
        self.track_tqdm = track_tqdm
        self._units: list[_Unit] = []  # active iterables, outermost first
        self._lock = threading.Lock()

    # A function with a `progress=Progress()` default travels to an engine's workers
    # (porch.engines) with its defaults: the lock and the active bars stay here.
    def __getstate__(self) -> dict[str, Any]:
        return {"track_tqdm": self.track_tqdm}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(track_tqdm=state["track_tqdm"])  # type: ignore[misc]

    def fresh(self) -> Progress:
        """A new tracker with the same options, for one call."""
        return Progress(track_tqdm=self.track_tqdm)

    def __call__(self, progress: float | tuple[int, int | None] | None, desc: str | None = None,
                 total: int | None = None, unit: str = "steps",
                 _tqdm: Any = None) -> float | tuple[int, int | None] | None:
        """Report `progress`: a fraction in [0, 1], or `(index, total)`, or None (busy)."""
        if isinstance(progress, tuple):
            index, length = progress
            entry = _entry(index, length, unit, None, desc)
        elif progress is None:
            entry = _entry(None, total, unit, None, desc)
        else:
            entry = _entry(None, total, unit, float(progress), desc)
        self._send(extra=entry)
        return progress

    def tqdm(self, iterable: Iterable[T] | None = None, desc: str | None = None,
             total: int | None = None, unit: str = "steps", _tqdm: Any = None,
             ) -> TrackedIterable[T]:
        """Wrap `iterable`, reporting `index/length` before each item (like tqdm)."""
        return TrackedIterable(self, iterable, desc, total, unit)

    def _attach(self, unit: _Unit) -> None:
        with self._lock:
            self._units.append(unit)

    def _detach(self, unit: _Unit) -> None:
        with self._lock:
            if unit in self._units:
                self._units.remove(unit)

    def _send(self, extra: dict[str, Any] | None = None) -> None:
        reporter = current_reporter.get()
        if reporter is None:
            return
        with self._lock:
            data = [unit.payload() for unit in self._units]
        if extra is not None:
            data.append(extra)
        if data:
            reporter.progress(data)


def _entry(index: int | None, length: int | None, unit: str, progress: float | None,
           desc: str | None) -> dict[str, Any]:
    # The shape of one item of a `progress` message's `progress_data` (PROTOCOL.md §3.3).
    return {"index": index, "length": length, "unit": unit, "progress": progress, "desc": desc}


class TrackedIterable(Generic[T]):
    """An iterable whose position `Progress` reports; also usable by hand (`update`)."""

    def __init__(self, owner: Progress, iterable: Iterable[T] | None, desc: str | None,
                 total: int | None, unit: str) -> None:
        self._owner = owner
        self.iterable = iterable
        self.desc = desc
        self.unit = unit
        self.index = 0
        if total is None and isinstance(iterable, Sized):
            total = len(iterable)
        self.length = total
        if iterable is None:
            # A manual tracker (`update(n)`) is shown from the moment it exists.
            owner._attach(self)
            owner._send()

    def payload(self) -> dict[str, Any]:
        return _entry(self.index, self.length, self.unit, None, self.desc)

    def __iter__(self) -> Iterator[T]:
        if self.iterable is None:
            raise TypeError("progress.tqdm() was given no iterable; call update() instead.")
        self._owner._attach(self)
        try:
            for item in self.iterable:
                self._owner._send()
                yield item
                self.index += 1
        finally:
            self._owner._detach(self)

    def __len__(self) -> int:
        return self.length or 0

    def update(self, n: int = 1) -> None:
        self.index += n
        self._owner._send()

    def close(self) -> None:
        self._owner._detach(self)


# ---- tqdm -----------------------------------------------------------------------------------

# The Progress that tqdm bars of the running call report to (set by the server per call).
_tqdm_target: ContextVar[Progress | None] = ContextVar("porch_tqdm_target", default=None)
_patch_lock = threading.Lock()
_patched = False


class _TqdmUnit:
    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def payload(self) -> dict[str, Any]:
        bar = self.bar
        return _entry(int(getattr(bar, "n", 0)), getattr(bar, "total", None),
                      str(getattr(bar, "unit", "it")), None, getattr(bar, "desc", None) or None)


def track_tqdm(progress: Progress) -> Token[Progress | None] | None:
    """Report the tqdm bars of this context (the running call) to `progress`.

    Returns a token for `untrack_tqdm`, or None when tqdm is not installed.
    """
    if not _patch_tqdm():
        return None
    return _tqdm_target.set(progress)


def untrack_tqdm(token: Token[Progress | None] | None) -> None:
    if token is not None:
        _tqdm_target.reset(token)


def _patch_tqdm() -> bool:
    """Wrap tqdm's class once so that bars report to the context's Progress, if any.

    Bars outside a tracked call behave exactly as before: the wrappers only look up a
    context variable.
    """
    global _patched
    with _patch_lock:
        if _patched:
            return True
        try:
            std: Any = importlib.import_module("tqdm.std")
        except ImportError:
            return False
        cls = std.tqdm
        original_init, original_update, original_close = cls.__init__, cls.update, cls.close

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
            original_init(self, *args, **kwargs)
            target = _tqdm_target.get()
            if target is not None:
                self._porch_unit = _TqdmUnit(self)
                target._attach(self._porch_unit)
                target._send()

        def update(self: Any, n: float | None = 1) -> Any:
            result = original_update(self, n)
            target = _tqdm_target.get()
            if target is not None and getattr(self, "_porch_unit", None) is not None:
                target._send()
            return result

        def close(self: Any) -> Any:
            unit = getattr(self, "_porch_unit", None)
            target = _tqdm_target.get()
            if unit is not None and target is not None:
                target._detach(unit)
            return original_close(self)

        cls.__init__, cls.update, cls.close = __init__, update, close
        _patched = True
        return True
