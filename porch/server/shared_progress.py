"""Upload progress on a cluster: the upload lands on one replica, the page's
`upload_progress` stream may reach another. The uploading replica forwards its progress
frames into the shared message bus (stream `upload:<id>`, porch/cluster/streams.py), and
every replica's `upload_progress` reads them from there. With the in-memory bus nothing is
forwarded: the route reads the upload's own `UploadProgress` (routes/files.py).

Session hashes may not contain ':' (routes/api.py), so `upload:` and `call:` streams never
meet a session's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, Protocol

from porch.queue.channels import MemoryBus, MessageBus

BATCH_S = 0.05  # progress frames are summed this long: a few writes per second, not per chunk


class Progress(Protocol):
    async def messages(self, timeout: float) -> list[dict[str, object]] | None: ...


def is_shared(bus: MessageBus) -> bool:
    return not isinstance(bus, MemoryBus)


def stream_key(upload_id: str) -> str:
    return f"upload:{upload_id}"


async def forward(progress: Progress, bus: MessageBus, upload_id: str) -> None:
    """Copy `progress`'s frames into the bus until its `done` frame."""
    stream = bus.open(stream_key(upload_id))
    while True:
        messages = await progress.messages(timeout=60)
        if messages is None:
            continue
        for message in messages:
            stream.send(message)  # gathered: one write for the batch (RedisStream.send)
        if messages and messages[-1]["msg"] == "done":
            return
        await asyncio.sleep(BATCH_S)


async def find(bus: MessageBus, upload_id: str, wait: float = 3.0) -> bool:
    """Whether the upload's stream exists (it may not have started yet: up to `wait` s)."""
    for _ in range(int(wait / 0.1)):
        if bus.get(stream_key(upload_id)) is not None:
            return True
        await asyncio.sleep(0.1)
    return bus.get(stream_key(upload_id)) is not None


async def frames(bus: MessageBus, upload_id: str) -> AsyncIterator[dict[str, Any] | None]:
    """The upload's frames from the bus (None: a heartbeat is due), to `done`."""
    stream = bus.get(stream_key(upload_id))
    if stream is None:
        return
    cursor = 0
    while True:
        entries = await stream.read(cursor, 15)
        if not entries:
            yield None
            continue
        for entry in entries:
            cursor = entry.id
            yield entry.message
            if entry.message.get("msg") == "done":
                return
