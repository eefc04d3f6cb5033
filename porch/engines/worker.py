"""The part of an engine call that runs on the worker.

`run_call` calls the app's function there and sends back, through a `Channel`, what the
porch server must show while it runs: each generator step, progress and toasts. Its return
value is the plain function's result (or `STREAMED` for a generator, whose steps all went
through the channel). This module is pickled by reference: the workers need porch
installed, as they need the app's own imports.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any, Protocol

from porch.engines.base import ProgressSlot
from porch.reporting import Progress, current_reporter, track_tqdm, untrack_tqdm


class Streamed:
    """The result of a generator's call: its steps all went through the channel."""


STREAMED = Streamed()


class Channel(Protocol):
    """The way back to the porch server for one call."""

    def put(self, kind: str, payload: Any) -> None: ...

    def stopped(self) -> bool: ...


class ChannelReporter:
    """What `porch.Info`/`Warning` and `Progress` report to while the call runs here."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def log(self, level: str, message: str, duration: float | None, title: str,
            visible: bool) -> None:
        self.channel.put("log", (level, message, duration, title, visible))

    def progress(self, data: list[dict[str, Any]]) -> None:
        self.channel.put("progress", data)


def run_call(fn: Callable[..., Any], args: list[Any], kwargs: dict[str, Any],
             channel: Channel) -> Any:
    tracker: Progress | None = None
    for name, value in kwargs.items():
        if isinstance(value, ProgressSlot):
            kwargs[name] = Progress(track_tqdm=value.track_tqdm)
            if value.track_tqdm:
                tracker = kwargs[name]
    reporter = current_reporter.set(ChannelReporter(channel))
    tqdm_token = track_tqdm(tracker) if tracker is not None else None
    try:
        if inspect.iscoroutinefunction(fn):
            return asyncio.run(fn(*args, **kwargs))
        result = fn(*args, **kwargs)
        if inspect.isasyncgen(result):
            asyncio.run(_send_async_steps(result, channel))
            return STREAMED
        if inspect.isgenerator(result):
            try:
                for step in result:
                    channel.put("step", step)
                    if channel.stopped():  # the event was cancelled on the porch server
                        break
            finally:
                result.close()
            return STREAMED
        if inspect.isawaitable(result):
            return asyncio.run(_awaited(result))
        return result
    finally:
        untrack_tqdm(tqdm_token)
        current_reporter.reset(reporter)


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


async def _send_async_steps(steps: Any, channel: Channel) -> None:
    try:
        async for step in steps:
            channel.put("step", step)
            if channel.stopped():
                break
    finally:
        await steps.aclose()
