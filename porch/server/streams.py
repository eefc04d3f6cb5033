"""Streaming inputs: an event fired by a component's `stream` (webcam, microphone) stays open
and runs its function once per chunk the page sends.

The page joins the queue with the first chunk, as for any event. While the run is open it
POSTs each later chunk to `stream/{event_id}`, and `stream/{event_id}/close` when the user
stops. Each call's outputs go to the session's stream as `process_streaming` (full values,
never diffs); the run ends with `process_completed` carrying the last outputs, when the page
closes it, when `time_limit` seconds have passed since it started, or when no chunk came for
`IDLE_TIMEOUT_S` (a page that went away). A chunk that arrives while the function is busy
replaces any chunk still waiting: a live feed wants the newest frame, not a backlog (Gradio
does the same).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, MutableMapping
from typing import Any, Protocol

import anyio

from porch import protocol
from porch.blocks.events import Dependency
from porch.components.base import current_conversion
from porch.errors import FileNotAllowed, InvalidRequest
from porch.queue.scheduler import Job
from porch.reporting import current_reporter
from porch.server.batches import BatchRunner
from porch.server.calls import Call, InputError, failure_output
from porch.server.engine_calls import calls
from porch.server.reporter import Reporter

# Without a time_limit, a stream with no new chunk for this long is taken as abandoned
# (Gradio waits the same 30 s).
IDLE_TIMEOUT_S = 30.0
MSG_STREAMING = "process_streaming"


class Inbox:
    """The newest chunk of one open stream, and whether the page closed it."""

    def __init__(self, session_hash: str) -> None:
        self.session_hash = session_hash
        self.closed = False
        self._chunk: list[Any] | None = None
        self._arrived = asyncio.Event()

    def put(self, data: list[Any]) -> None:
        self._chunk = data
        self._arrived.set()

    def close(self) -> None:
        self.closed = True
        self._arrived.set()

    async def next(self, timeout: float) -> list[Any] | None:
        """The next chunk; None once the stream is closed or nothing came in `timeout` s."""
        with anyio.move_on_after(max(timeout, 0.0)):
            await self._arrived.wait()
        self._arrived.clear()
        chunk, self._chunk = self._chunk, None
        return None if self.closed else chunk


class Inboxes:
    """The open streams of an app, by event id (in memory, like the queue's channels)."""

    def __init__(self) -> None:
        self._open: dict[str, Inbox] = {}

    def open(self, event_id: str, session_hash: str) -> Inbox:
        inbox = self._open[event_id] = Inbox(session_hash)
        return inbox

    def get(self, event_id: str) -> Inbox | None:
        return self._open.get(event_id)

    def drop(self, event_id: str) -> None:
        self._open.pop(event_id, None)


def streaming(event_id: str, output: dict[str, Any], time_limit: float | None) -> dict[str, Any]:
    return {**protocol.generating(event_id, output, time_limit), "msg": MSG_STREAMING}


class StreamRunner(BatchRunner, Protocol):
    """What a stream needs of the runtime (`porch.server.runtime`, which sits above this
    module and calls `run_stream`)."""

    inboxes: Inboxes


async def run_stream(runtime: StreamRunner, call: Call, job: Job) -> None:
    """Carry out one open stream: the function once per chunk (see the module docstring)."""
    dep, send, event_id = call.dep, job.send, job.event_id
    inbox = runtime.inboxes.get(event_id) or runtime.inboxes.open(event_id, call.session)
    single = call.simple or call.once
    if single:
        inbox.close()  # no page to send more chunks: one call, its result in the completion
    state = runtime.states.state(call.session)
    runtime.states.hold(call.session, True)
    conversion = runtime.conversion(call.root)
    reporter = Reporter([(send, event_id)], asyncio.get_running_loop())
    token = current_reporter.set(reporter)
    conversion_token = current_conversion.set(conversion)
    started = time.monotonic()
    limit = dep.time_limit
    data: list[Any] | None = call.data
    last: list[Any] = [None] * len(dep.outputs)
    try:
        while data is not None:
            async for payload in _outputs_of(runtime, dep, data, state, call, conversion):
                last = payload
                if single:
                    continue
                elapsed = time.monotonic() - started
                send(streaming(event_id, protocol.success_output(
                    payload, generating=True, duration=elapsed, average=None),
                    None if limit is None else max(limit - elapsed, 0.0)))
            if inbox.closed:
                break
            elapsed = time.monotonic() - started
            if limit is not None and elapsed >= limit:
                break
            data = await inbox.next(IDLE_TIMEOUT_S if limit is None else limit - elapsed)
        duration = time.monotonic() - started
        average = runtime.durations.record(dep, duration)
        send(protocol.completed(event_id, protocol.success_output(
            last, generating=False, duration=duration, average=average),
            success=True, duration=duration, average=average))
    except asyncio.CancelledError:
        send(protocol.completed(event_id, {}, success=True))
        raise
    except Exception as exc:
        output, title = failure_output(exc, dep, show_error=runtime.settings.show_error)
        send(protocol.completed(event_id, output, success=False, title=title))
    finally:
        runtime.inboxes.drop(event_id)
        runtime.states.hold(call.session, False)
        reporter.close()
        current_reporter.reset(token)
        current_conversion.reset(conversion_token)


async def _outputs_of(runtime: StreamRunner, dep: Dependency, data: list[Any],
                      state: MutableMapping[int, Any], call: Call,
                      conversion: Any) -> Any:
    """The converted outputs of one call on one chunk (several, if `fn` is a generator)."""
    assert dep.fn is not None
    io = any(c.does_io for c in (*dep.inputs, *dep.outputs))
    try:
        args, kwargs = await runtime.in_thread_if(
            io, runtime.blocks.prepare_inputs, dep, data, state, conversion, call.context)
    except (FileNotAllowed, InvalidRequest) as exc:
        raise InputError(str(exc.message if isinstance(exc, InvalidRequest) else exc)
                         ) from exc
    finish: Callable[..., Any] = runtime.blocks.finish_outputs
    async with contextlib.aclosing(calls(dep, dep.fn, args, kwargs, runtime.limiter)) as steps:
        async for _final, value in steps:
            yield await runtime.in_thread_if(io, finish, dep, value, state, conversion)
