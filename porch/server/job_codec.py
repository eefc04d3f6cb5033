"""Jobs as bytes, for a queue that replicas share: what `queue/join` on one replica puts in the
queue, and what the replica that takes it rebuilds (`porch.queue.scheduler.JobRunner`).

A job's bytes are a pickle of its `Call` with the app's objects replaced by their ids: the
event (its dependency id) and the block that fired it, and the request without the server's
raw request object (as for an engine's worker). The shared queue signs them (HMAC with the
cluster's secret) before they reach Redis, so a replica only unpickles what a replica wrote.

Two kinds of event stay on the replica that joined them: a streaming-input event (the page
POSTs its chunks to whichever replica the balancer picks, and those land in that replica's
inbox) and an event a `@render` drew (its function exists only in the session's render on
that replica). `encode` answers None for them.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Awaitable, Callable
from typing import Protocol

from porch.blocks.blocks import Blocks
from porch.blocks.context import EventContext
from porch.blocks.events import Dependency
from porch.components.base import Block
from porch.errors import Error
from porch.queue.channels import MessageBus, MessageStream
from porch.queue.scheduler import Job
from porch.server.calls import Call

LOST = ("The server running this event was lost before it finished, and the event may not "
        "run twice (at_most_once=True, or it was lost twice). Run it again.")


class Runtime(Protocol):
    """What the codec needs of `porch.server.runtime.AppRuntime`, which sits above it."""

    blocks: Blocks
    bus: MessageBus

    async def work(self, jobs: list[Job]) -> None: ...

    def fail(self, job: Job, dep: Dependency, exc: Exception) -> None: ...

    def block(self, block_id: int, session_hash: str) -> Block | None: ...


def stream_key(event_id: str, call: Call) -> str:
    """The stream an event's messages go to: its own for a plain-HTTP call, else the
    session's."""
    return f"call:{event_id}" if call.simple else call.session


def job_for(runtime: Runtime, call: Call, event_id: str, channel: MessageStream, *,
            attempt: int = 1) -> Job:
    dep = call.dep
    work: Callable[[list[Job]], Awaitable[None]] = runtime.work
    return Job(
        key=dep.concurrency_key,
        limit=runtime.blocks.concurrency_limit_of(dep),
        work=work,
        send=channel.send,
        event_id=event_id,
        fn=str(dep.id),
        batch=dep.max_batch_size if dep.batch else 1,
        session=call.session,
        payload=call,
        attempt=attempt,
        at_most_once=dep.at_most_once,
    )


def _detached(context: EventContext | None) -> tuple[EventContext | None, int | None]:
    if context is None:
        return None, None
    twin = copy.copy(context)
    twin.request = context.request._detached()
    target = context.target
    twin.target = None
    return twin, None if target is None else target.id


class CallCodec:
    """The `JobRunner` of an app's runtime (see the module docstring)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def encode(self, job: Job) -> bytes | None:
        call: Call = job.payload
        dep = call.dep
        app_events = self.runtime.blocks.dependencies  # an app event's id is its index
        if dep.connection == "stream" or dep.rendered_in is not None or not (
                dep.id < len(app_events) and app_events[dep.id] is dep):
            return None
        context, target = _detached(call.context)
        return pickle.dumps((dep.id, call.data, call.session, call.root, call.simple, context,
                             target, call.once), protocol=pickle.HIGHEST_PROTOCOL)

    def decode(self, blob: bytes, event_id: str, attempt: int) -> Job | None:
        dep_id, data, session, root, simple, context, target, once = pickle.loads(blob)
        dep = self.runtime.blocks.dependency(fn_index=dep_id)
        if context is not None and target is not None:
            context.target = self.runtime.block(target, session)
        call = Call(dep, data, session, root, simple, context, once)
        channel = self.runtime.bus.open(stream_key(event_id, call))
        if not channel.is_pending(event_id):
            return None  # it ended meanwhile (cancelled, or completed before a crash)
        if attempt > 1 and channel.generated(event_id):
            call = dataclasses.replace(call, resumed=True)
        return job_for(self.runtime, call, event_id, channel, attempt=attempt)

    def lost(self, job: Job) -> None:
        call: Call = job.payload
        self.runtime.fail(job, call.dep, Error(LOST, title="Server lost"))
