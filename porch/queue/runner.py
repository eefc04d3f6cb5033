"""Calling the app's function, whatever its kind.

Sync functions and sync generators run in worker threads bounded by a limiter (so a blocking
function never stalls the event loop); coroutines and async generators run on the loop.
Every kind comes out as one async stream of `(final, value)` pairs.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncGenerator, Callable, Iterator
from typing import Any

import anyio
import anyio.to_thread

_DONE = object()


def _step(gen: Iterator[Any]) -> Any:
    try:
        return next(gen)
    except StopIteration:
        return _DONE


async def iterate(
    fn: Callable[..., Any], args: list[Any], limiter: anyio.CapacityLimiter,
    kwargs: dict[str, Any] | None = None,
) -> AsyncGenerator[tuple[bool, Any], None]:
    """Run `fn(*args, **kwargs)`: yields `(False, value)` per generator step, `(True, value)`
    for a plain return. A generator's stream simply ends after its last step."""
    kwargs = kwargs or {}
    if inspect.iscoroutinefunction(fn):
        result = await fn(*args, **kwargs)
    elif inspect.isasyncgenfunction(fn) or inspect.isgeneratorfunction(fn):
        # Calling a generator function runs none of its code: no thread needed (a thread
        # hop here would delay every stream's first token).
        result = fn(*args, **kwargs)
    else:
        # abandon_on_cancel: a cancelled event must not wait for a thread that may never end.
        result = await anyio.to_thread.run_sync(
            lambda: fn(*args, **kwargs), limiter=limiter, abandon_on_cancel=True
        )
        if inspect.isawaitable(result):
            result = await result
    if inspect.isasyncgen(result):
        try:
            async for value in result:
                yield False, value
        finally:
            await result.aclose()
    elif inspect.isgenerator(result):
        gen = result
        try:
            while True:
                value = await anyio.to_thread.run_sync(
                    _step, gen, limiter=limiter, abandon_on_cancel=True
                )
                if value is _DONE:
                    return
                yield False, value
        finally:
            try:
                gen.close()
            except ValueError:  # still running in an abandoned thread
                pass
    else:
        yield True, result
