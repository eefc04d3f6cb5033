"""One submitted call, on the client's event loop: upload, join, follow its messages, finish.

Both faces read it: `Job` from other threads (through `changed` and `future`, which are
thread-safe) and `AsyncJob` on the loop (through `wait_change`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any, Protocol

from porch import protocol
from porch.client.endpoints import Endpoint
from porch.client.status import Status, StatusUpdate
from porch.client.streams import SessionStream
from porch.client.transfers import Transfers
from porch.errors import AppError, QueueFull, RemoteError


class Remote(Protocol):
    """What a call needs of the connection that made it (`porch.client.connection`, which
    sits above this module: a call never reaches up into it)."""

    session_hash: str
    protocol: str
    transfers: Transfers

    def stream(self, session_hash: str) -> SessionStream: ...

    async def join(self, endpoint: Endpoint, data: list[Any], session_hash: str,
                   headers: dict[str, str] | None) -> str: ...

    async def cancel_event(self, endpoint: Endpoint, session_hash: str,
                           event_id: str) -> None: ...

# Every diff-capable protocol (sse_v2 and later) sends edits after the first generator step.
DIFF_PROTOCOLS = ("sse_v2", "sse_v2.1", "sse_v3")


def app_error(output: dict[str, Any], title: Any = None) -> AppError:
    """The AppError for a failed call's output (keys beyond the documented ones are ignored:
    a newer server may add some)."""
    message = output.get("error")
    if message is None:
        return AppError(protocol.HIDDEN_ERROR_TEXT)
    duration = output.get("duration", 10)
    return AppError(
        message=str(message),
        duration=duration if isinstance(duration, (int, float)) else None,
        visible=bool(output.get("visible", True)),
        title=str(output.get("title") or title or "Error"),
        print_exception=bool(output.get("print_exception", True)),
    )


class Call:
    """The state of one call. Created and driven on the connection's event loop."""

    def __init__(self, connection: Remote, endpoint: Endpoint, values: list[Any],
                 headers: dict[str, str] | None,
                 attach: tuple[str, str] | None = None) -> None:
        """`attach`: (event id, session hash) of an event joined earlier, to follow instead
        of joining a new one (`Client.reattach`)."""
        self.connection = connection
        self.endpoint = endpoint
        self.session_hash = connection.session_hash if attach is None else attach[1]
        self._attach = attach
        self.status = StatusUpdate(Status.STARTING)
        self.outputs: list[Any] = []
        self.future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self.changed = threading.Condition()
        self.event_id: str | None = None
        self._values = values
        self._headers = headers
        self._inbox: asyncio.Queue[dict[str, Any] | BaseException] = asyncio.Queue()
        self._tick = asyncio.Event()
        self._previous: list[Any] | None = None
        self._joining = False
        self._task = asyncio.get_running_loop().create_task(self._run())

    # ---- what the stream calls -------------------------------------------------------------
    def deliver(self, message: dict[str, Any]) -> None:
        self._inbox.put_nowait(message)

    def fail(self, error: BaseException) -> None:
        self._inbox.put_nowait(error)

    # ---- what the faces call ---------------------------------------------------------------
    async def wait_change(self) -> None:
        """Return at the next change of status, outputs or outcome."""
        await self._tick.wait()

    def add_done_callback(self, callback: Callable[[], None]) -> None:
        self.future.add_done_callback(lambda _: callback())

    async def cancel(self) -> bool:
        """Stop the call: locally at once, and on the server if it got that far."""
        if self.future.done():
            return False
        self.status = StatusUpdate(Status.CANCELLED, success=False)
        self.future.cancel()
        self._notify()
        if self.event_id is not None:
            self.connection.stream(self.session_hash).forget(self.event_id)
            self._task.cancel()
            await self.connection.cancel_event(self.endpoint, self.session_hash, self.event_id)
        elif not self._joining:
            self._task.cancel()
        # Otherwise the join is in flight: _run cancels the event as soon as it has an id.
        return True

    # ---- the run ---------------------------------------------------------------------------
    def _notify(self) -> None:
        with self.changed:
            self.changed.notify_all()
        self._tick.set()
        self._tick = asyncio.Event()

    def _set_status(self, status: StatusUpdate) -> None:
        if not self.future.done():
            self.status = status
            self._notify()

    async def _run(self) -> None:
        try:
            result = await self._execute()
        except asyncio.CancelledError:
            if not self.future.done():
                self.status = StatusUpdate(Status.CANCELLED, success=False)
                self.future.cancel()
            self._notify()
            raise
        except BaseException as exc:  # noqa: B036 - handed to whoever waits on the result
            self._finish(error=exc)
        else:
            self._finish(result=result)

    def _finish(self, result: Any = None, error: BaseException | None = None) -> None:
        if self.future.done():
            return
        if error is None and not self.outputs:
            # A call that streamed nothing still lists its result, as gradio_client does.
            self.outputs.append(result)
        self.status = StatusUpdate(Status.FINISHED, rank=0, success=error is None)
        if error is None:
            self.future.set_result(result)
        else:
            self.future.set_exception(error)
        self._notify()

    async def _execute(self) -> Any:
        connection = self.connection
        if self._attach is not None:
            self.event_id = self._attach[0]
            self._set_status(StatusUpdate(Status.JOINING_QUEUE))
            connection.stream(self.session_hash).register(self.event_id, self)
            return await self._follow()
        data = self.endpoint.payload(self._values)
        if any(protocol.is_file_data(v) for v in _walk(data)):
            self._set_status(StatusUpdate(Status.SENDING_DATA))
            data = await connection.transfers.upload_inputs(data)
        self._set_status(StatusUpdate(Status.JOINING_QUEUE))
        self._joining = True
        try:
            event_id = await connection.join(self.endpoint, data, self.session_hash,
                                             self._headers)
        except QueueFull:
            self._set_status(StatusUpdate(Status.QUEUE_FULL, success=False))
            raise
        finally:
            self._joining = False
        self.event_id = event_id
        if self.future.cancelled():
            await connection.cancel_event(self.endpoint, self.session_hash, event_id)
            raise asyncio.CancelledError
        connection.stream(self.session_hash).register(event_id, self)
        return await self._follow()

    async def _follow(self) -> Any:
        while True:
            item = await self._inbox.get()
            if isinstance(item, BaseException):
                raise item
            finished, value = await self._handle(item)
            if finished:
                return value

    async def _handle(self, message: dict[str, Any]) -> tuple[bool, Any]:
        status = StatusUpdate.from_message(message)
        kind = message.get("msg")
        if kind == protocol.MSG_COMPLETED:
            return True, await self._completed(message)
        if kind in (protocol.MSG_GENERATING, "process_streaming"):
            output = message.get("output")
            data = output.get("data") if isinstance(output, dict) else None
            if isinstance(data, list):
                full = self._undiff(data)
                shaped = await self._shape(full)
                self.outputs.append(shaped)
        if status is not None:
            self._set_status(status)
        return False, None

    def _undiff(self, data: list[Any]) -> list[Any]:
        if self._previous is None or self.connection.protocol not in DIFF_PROTOCOLS:
            full = list(data)
        else:
            previous = self._previous + [None] * (len(data) - len(self._previous))
            full = [protocol.apply_diff(old, edits) if isinstance(edits, list) else edits
                    for old, edits in zip(previous, data, strict=False)]
        self._previous = full
        return full

    async def _shape(self, data: list[Any]) -> Any:
        downloaded = await self.connection.transfers.download_outputs(data)
        return self.endpoint.shape(downloaded)

    async def _completed(self, message: dict[str, Any]) -> Any:
        output = message.get("output")
        if not isinstance(output, dict):
            raise RemoteError(f"The server finished {self.endpoint.api_name} without output.")
        # The presence of "error" decides, whatever "success" says (as Gradio's clients do).
        if "error" in output:
            raise app_error(output, message.get("title"))
        data = output.get("data")
        if not isinstance(data, list):
            # An empty output is what the server sends for an event it cancelled.
            raise asyncio.CancelledError
        return await self._shape(list(data))


def _walk(value: Any) -> list[Any]:
    """Every dict inside `value` (to tell whether a call has files to upload)."""
    found: list[Any] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return found
