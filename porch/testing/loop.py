"""The event loop an `AppTest` runs the app on: a daemon thread, so that tests stay plain
synchronous functions and a test that forgets to close its app never holds up the exit."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """One asyncio loop in a thread of its own; `run` carries a coroutine over and waits."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name="porch-apptest", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, work: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(work, self.loop)

    def run(self, work: Coroutine[Any, Any, T], timeout: float | None, what: str = "") -> T:
        """The coroutine's result; TimeoutError (its work cancelled) past `timeout` s."""
        future = self.submit(work)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"{what or 'the app'} did not settle within {timeout} s") from None

    def close(self) -> None:
        if self.loop.is_closed():
            return
        if self._thread.is_alive():
            self.submit(_cancel_the_rest()).result(10)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
        self.loop.close()


async def _cancel_the_rest() -> None:
    """Stop whatever the app left running (a generator nobody read to its end)."""
    me = asyncio.current_task()
    rest = [task for task in asyncio.all_tasks() if task is not me]
    for task in rest:
        task.cancel()
    await asyncio.gather(*rest, return_exceptions=True)
