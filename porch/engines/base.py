"""What an engine is to porch, and how an event names one.

An `Engine` turns one call of the app's function into an async stream of `(final, value)`
pairs, as `porch.queue.runner.iterate` does for a local call: `(False, step)` per generator
step, `(True, result)` for a plain return. Everything around that stream (the queue, the
conversions, the messages) stays on the porch server.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any, Protocol, runtime_checkable

from porch.reporting import Progress


@runtime_checkable
class Engine(Protocol):
    """Runs the app's function somewhere else. `name` shows in logs and errors."""

    name: str

    def stream(self, fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any]
               ) -> AsyncGenerator[tuple[bool, Any], None]: ...

    async def close(self) -> None: ...


class ProgressSlot:
    """Stands in for a `Progress` argument on the way to a worker (a Progress holds a lock
    and reports to this server's event): the worker puts a fresh Progress in its place that
    reports back through the engine's channel."""

    def __init__(self, track_tqdm: bool) -> None:
        self.track_tqdm = track_tqdm


def detach(value: Any) -> Any:
    """`value` as it can travel to a worker: a Progress becomes a ProgressSlot; a Request or
    an EventData becomes its copy without server objects (`_detached()`)."""
    if isinstance(value, Progress):
        return ProgressSlot(value.track_tqdm)
    detached = getattr(type(value), "_detached", None)
    return detached(value) if callable(detached) else value


def detach_call(args: list[Any], kwargs: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    return [detach(a) for a in args], {k: detach(v) for k, v in kwargs.items()}
