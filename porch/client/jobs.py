"""The two faces of a submitted call: `Job` (threads, as gradio_client's) and `AsyncJob`.

Both read one `Call` that runs on the client's event loop. A cancelled job's `result()`
raises `concurrent.futures.CancelledError` on both faces (an ordinary exception, so it
never looks like the cancellation of the caller's own task).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Generator
from typing import Any

from porch.client.call import Call
from porch.client.loop import LoopThread
from porch.client.status import StatusUpdate


class _JobFace:
    def __init__(self, call: Call) -> None:
        self._call = call

    @property
    def event_id(self) -> str | None:
        """The server's id for this call, once it has joined the queue."""
        return self._call.event_id

    @property
    def session_hash(self) -> str:
        """The session the call runs in (with `event_id`, what `Client.reattach` needs)."""
        return self._call.session_hash

    def status(self) -> StatusUpdate:
        """The latest status: code (a `Status`), queue rank and size, eta, progress, log."""
        return self._call.status

    def outputs(self) -> list[Any]:
        """Every output so far: each generator step, or the one result of a plain call."""
        return list(self._call.outputs)

    def done(self) -> bool:
        return self._call.future.done()

    def cancelled(self) -> bool:
        return self._call.future.cancelled()

    def __repr__(self) -> str:
        name = self._call.endpoint.api_name or self._call.endpoint.fn_index
        return f"<{type(self).__name__} {name} {self._call.status.code.name}>"


class Job(_JobFace):
    """A call running in the background. Iterate it for a generator's outputs as they come;
    `result()` waits for the final value (or raises the call's error)."""

    def __init__(self, call: Call, runner: LoopThread) -> None:
        super().__init__(call)
        self._runner = runner
        self._index = 0

    def result(self, timeout: float | None = None) -> Any:
        """The call's result; raises TimeoutError after `timeout` seconds, or its error."""
        return self._call.future.result(timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        return self._call.future.exception(timeout)

    def cancel(self) -> bool:
        """Cancel the call (here at once; on the server if it reached it). False if done."""
        return self._runner.run(self._call.cancel())

    def add_done_callback(self, fn: Callable[[Job], Any]) -> None:
        """Call `fn(job)` once the call has ended, from the client's background thread."""
        self._call.future.add_done_callback(lambda _: fn(self))

    def __iter__(self) -> Job:
        return self

    def __next__(self) -> Any:
        call = self._call
        with call.changed:
            while True:
                if self._index < len(call.outputs):
                    self._index += 1
                    return call.outputs[self._index - 1]
                if call.future.done():
                    raise StopIteration
                call.changed.wait()


class AsyncJob(_JobFace):
    """A call running on the caller's event loop. `await job` (or `await job.result()`) for
    its result; `async for output in job` for a generator's outputs as they come."""

    async def _until_done(self) -> None:
        while not self._call.future.done():
            await self._call.wait_change()

    async def result(self, timeout: float | None = None) -> Any:
        """The call's result; raises TimeoutError after `timeout` seconds, or its error."""
        await asyncio.wait_for(self._until_done(), timeout)
        return self._call.future.result()

    def __await__(self) -> Generator[Any, None, Any]:
        return self.result().__await__()

    async def cancel(self) -> bool:
        """Cancel the call (here at once; on the server if it reached it). False if done."""
        return await self._call.cancel()

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._outputs()

    async def _outputs(self) -> AsyncIterator[Any]:
        index = 0
        while True:
            if index < len(self._call.outputs):
                index += 1
                yield self._call.outputs[index - 1]
            elif self._call.future.done():
                return
            else:
                await self._call.wait_change()
