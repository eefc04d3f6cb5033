"""Running a plain `def` generator in one worker thread for its whole life.

Stepping such a generator the simple way costs two thread hops per yield: the event loop hands
`next(gen)` to a worker and waits for the answer. For a token stream that is most of what a
server does per message (bench/streaming.py measured it at about twice the cost of the rest).
Here one worker steps the generator and also converts each value (postprocessing, the
expensive part) before it resumes the generator, then hands the finished result to the loop
without waiting: one one-way wake-up per yield, and none at all while the loop is still busy
with earlier results (they arrive as a burst).

Converting in the worker before resuming keeps what stepping one at a time guaranteed: a
generator that yields the same list again and again, changed in place (a chat history), is
read before it changes. How far the worker may run ahead of the loop is `ahead` results; with
`ahead=1` it is exactly one step at a time. When the consumer stops (the event ended,
was cancelled or hit its time limit) the worker stops before its next step and closes the
generator in its own thread, where its `finally` blocks belong.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import anyio
import anyio.to_thread

_VALUE, _DONE, _FAILED = 0, 1, 2


async def pump(gen: Generator[Any, Any, Any], convert: Callable[[Any], Any],
               limiter: anyio.CapacityLimiter, *, ahead: int = 8
               ) -> AsyncGenerator[tuple[Any, Any], None]:
    """Yield `(value, convert(value))` for each value of `gen`, stepped in one worker thread
    (holding one of `limiter`'s tokens for the generator's life)."""
    loop = asyncio.get_running_loop()
    results: asyncio.Queue[tuple[int, Any]] = asyncio.Queue()
    room = threading.Semaphore(ahead)
    stop = threading.Event()

    def hand_over(kind: int, item: Any) -> None:
        try:
            loop.call_soon_threadsafe(results.put_nowait, (kind, item))
        except RuntimeError:  # the loop closed (server shutdown): nobody is waiting
            stop.set()

    def run() -> None:
        try:
            while True:
                room.acquire()
                if stop.is_set():
                    return
                try:
                    value = next(gen)
                except StopIteration:
                    hand_over(_DONE, None)
                    return
                hand_over(_VALUE, (value, convert(value)))
        except BaseException as exc:  # the function's or a conversion's error, for the loop
            hand_over(_FAILED, exc)
        finally:
            try:
                gen.close()
            except ValueError:  # "generator already executing": cannot happen here, but be safe
                pass

    # The context the event set up (reporter, conversion, file holder) goes with the worker,
    # as anyio passes it to each step's thread.
    context = contextvars.copy_context()
    worker = asyncio.ensure_future(anyio.to_thread.run_sync(
        context.run, run, limiter=limiter, abandon_on_cancel=True))
    # Nobody awaits the worker once the consumer has gone; it ends at its next step.
    worker.add_done_callback(_retrieve)
    try:
        while True:
            kind, item = await results.get()
            if kind == _DONE:
                return
            if kind == _FAILED:
                raise item
            yield item
            room.release()  # the consumer asks for more: the worker may take another step
    finally:
        stop.set()
        room.release()  # wake a worker waiting for room, so it sees `stop` and closes


def _retrieve(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # errors reach the consumer as _FAILED; this keeps asyncio quiet
