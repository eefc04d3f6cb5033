"""Answering an event from its function's `gr.cache` before it waits in the queue.

An event whose function is a `gr.cache` wrapper is first run "probing" (porch.caching.scope):
inputs are converted as for a real run, and the wrapper either answers from its store (the
replayed steps and the result go out as for any run, marked `used_cache: "full"`) or raises
CacheMiss before the app's code runs at all. Only then is the event queued, as any other.

A hit therefore never waits behind slow runs, and takes no concurrency slot: no app code
runs for it. Stream events (a chunk at a time) and batched events are always queued: a run
of theirs answers more than one input. The probe converts inputs once more on a miss (the
queued run converts them again, from the session's state as it is then): the price of not
keeping a miss's inputs across the wait.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from porch import protocol
from porch.caching import CacheMiss
from porch.errors import QueueFull
from porch.queue.channels import MessageStream
from porch.queue.scheduler import Job, JobQueue
from porch.server.calls import Call


class Runtime(Protocol):
    """What of porch.server.runtime.AppRuntime a probe uses (it imports this module)."""

    scheduler: JobQueue

    async def execute(self, *args: Any, **kwargs: Any) -> None: ...

    def forget_probe(self, event_id: str) -> None: ...


async def answer_or_queue(runtime: Runtime, job: Job, channel: MessageStream) -> None:
    call: Call = job.payload
    try:
        try:
            await runtime.execute(call.dep, call.data, call.session, call.root, job.send,
                                  job.event_id, diffs=not call.simple, context=call.context,
                                  probe=True)
            return  # answered from the cache
        except CacheMiss:
            pass
        except asyncio.CancelledError:
            return  # the client cancelled while probing (runtime.cancel answered it)
        try:
            runtime.scheduler.submit(job)
        except QueueFull as exc:
            # The queue filled while probing: refused as join would have refused it.
            job.send(protocol.completed(job.event_id, {"error": str(exc), "visible": True},
                                        success=False, title="Queue full"))
            channel.pending.discard(job.event_id)
    finally:
        runtime.forget_probe(job.event_id)
