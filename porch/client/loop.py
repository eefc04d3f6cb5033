"""A private event loop on a daemon thread: how the sync `Client` drives the async core."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class LoopThread:
    """Runs coroutines on its own loop and hands their results back to the calling thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name="porch-client", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self.loop.is_closed()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the loop and wait for its result here."""
        if threading.current_thread() is self._thread:
            coro.close()
            # Waiting here would block the very loop that has to finish the work.
            raise RuntimeError("A sync porch.Client cannot be used from its own callbacks; "
                               "use porch.AsyncClient inside event loops.")
        if not self.running:
            coro.close()
            raise RuntimeError("This client is closed.")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self, last: Coroutine[Any, Any, Any] | None = None, timeout: float = 5.0) -> None:
        """Run `last` (e.g. closing connections), cancel what remains, end the thread."""
        if not self.running:
            if last is not None:
                last.close()
            return
        if threading.current_thread() is self._thread:
            if last is not None:
                last.close()
            self.loop.call_soon(self.loop.stop)
            return
        with contextlib.suppress(Exception):
            self.run(self._shutdown(last), timeout)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.loop.close()

    async def _shutdown(self, last: Coroutine[Any, Any, Any] | None) -> None:
        if last is not None:
            with contextlib.suppress(Exception):
                await last
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
