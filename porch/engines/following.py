"""The porch server's end of an engine call, whatever the engine.

`follow` reads the call's messages as they come (steps, progress, toasts), hands progress
and toasts to the running event's reporter, and ends with the task's result. If the event
stops first (cancelled, time limit, the client gone), the remote call is stopped too.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import anyio

from porch.engines.worker import Streamed
from porch.reporting import current_reporter

Message = tuple[str, Any]


async def follow(next_message: Callable[[], Awaitable[Message | None]],
                 result: Callable[[], Awaitable[Any]], finished: Callable[[], bool],
                 cancel: Callable[[], Awaitable[None]]) -> AsyncGenerator[tuple[bool, Any], None]:
    """`next_message()` gives the next message, or None after a while without one;
    `finished()` says whether the task has ended (a task that ends without its "done"
    message failed on the way: its worker died, or it was cancelled on the engine)."""
    reporter = current_reporter.get()
    completed = False
    try:
        while True:
            item = await next_message()
            if item is None:
                if finished():
                    break
                continue
            kind, payload = item
            if kind == "done":
                break
            if kind == "step":
                yield False, payload
            elif reporter is not None and kind == "progress":
                reporter.progress(list(payload))  # msgpack may bring a tuple
            elif reporter is not None and kind == "log":
                reporter.log(*payload)
        value = await result()  # raises what the function raised
        completed = True
        if not isinstance(value, Streamed):
            yield True, value
    finally:
        if not completed:
            # Shielded: a cancelled event must still stop its remote call, and bounded, so
            # an unreachable engine cannot hold the event open.
            with anyio.CancelScope(shield=True), anyio.move_on_after(10):
                await cancel()
