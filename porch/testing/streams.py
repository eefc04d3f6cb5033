"""Reading a streaming event step by step while it runs (`for step in at.stream(button)`)."""

from __future__ import annotations

import concurrent.futures
import queue
from collections.abc import Callable, Iterator
from typing import Any

from porch.testing.loop import LoopThread
from porch.testing.page import Action, Page
from porch.testing.results import Result, Step

_END = object()


class Stream:
    """The steps of one action as they come. Iterating waits for each; once the action has
    finished, iteration ends and `result` holds the whole of it. `stop()` is the page's stop
    button: the events still running are cancelled."""

    def __init__(self, page: Page, loop: LoopThread, timeout: float,
                 start: Callable[[Action], Any]) -> None:
        self.page = page
        self.loop = loop
        self.timeout = timeout
        self._steps: queue.Queue[Any] = queue.Queue()
        self.action = Action(on_step=self._steps.put)
        work = page.act(start, action=self.action)
        self._future: concurrent.futures.Future[Action] = loop.submit(work)
        self._future.add_done_callback(lambda _: self._steps.put(_END))

    def __iter__(self) -> Iterator[Step]:
        timeout = self.timeout
        while True:
            try:
                item = self._steps.get(timeout=timeout)
            except queue.Empty:
                self.stop()
                raise TimeoutError(f"no streamed step within {timeout} s") from None
            if item is _END:
                return
            yield item

    def stop(self) -> Result:
        """Cancel what is still running and wait for the action to end."""
        if not self._future.done():
            self.loop.run(self.page.stop(action=self.action), self.timeout, "stopping a stream")
        return self.result

    @property
    def result(self) -> Result:
        """Everything the action did; waits for it to finish."""
        return self._future.result(self.timeout).result
