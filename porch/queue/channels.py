"""Message streams: where an event's messages wait until a client reads them.

A `Channel` buffers messages for one reader: a session's `queue/data` stream, or one
plain-HTTP call's result stream. Messages sent before the reader attaches are kept, as the
protocol requires. Channels live behind the `MessageBus` interface so that a shared
implementation (e.g. Redis) can replace the in-memory one without touching the routes.
Every method runs on the event loop; other threads hop there first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from porch import protocol

# How long a reader that said close_stream waits for its client to hang up. Every known client
# (gradio_client, porch.Client, the page) hangs up within milliseconds of reading it; this only
# bounds a client that reads on to the end, whose joins wait at most this long meanwhile.
HANG_UP_GRACE = 2.0


class Channel:
    """The outgoing messages of one session (or one call), and which events are pending.

    close_stream is never queued: a reader decides on it when it delivers, from what is pending
    at that moment (`next_batch`). It then keeps the connection until the client hangs up, and
    a join of the session waits for that (`settled`): a client learns of a new event only once
    it has finished with the stream that said close_stream, so it can never file the new event
    under the stream that is ending (gradio_client cancels such an event).
    """

    def __init__(self) -> None:
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.pending: set[str] = set()
        self.readers = 0
        self._closing = 0  # readers that said close_stream and whose client has not hung up
        self._settled = asyncio.Event()
        self._settled.set()

    def add_pending(self, event_id: str) -> None:
        self.pending.add(event_id)

    def send(self, message: dict[str, Any]) -> None:
        event_id = message.get("event_id")
        if event_id is not None and event_id not in self.pending:
            # The event already ended (a cancel answers at once): what its work still says
            # on the way out is stale.
            return
        self.messages.put_nowait(message)
        if message.get("msg") == protocol.MSG_COMPLETED:
            self.pending.discard(message["event_id"])

    def is_pending(self, event_id: str) -> bool:
        return event_id in self.pending

    async def next(self, timeout: float) -> dict[str, Any] | None:
        """The next message, or None when `timeout` passes first (time for a heartbeat)."""
        if not self.messages.empty():
            return self.messages.get_nowait()  # no timer or task for a message already here
        try:
            return await asyncio.wait_for(self.messages.get(), timeout)
        except asyncio.TimeoutError:
            return None

    def ready(self) -> list[dict[str, Any]]:
        """Every message waiting now (without waiting for more)."""
        found = []
        while not self.messages.empty():
            found.append(self.messages.get_nowait())
        return found

    async def next_batch(self, timeout: float) -> list[dict[str, Any]] | None:
        """What a reader writes next: every message waiting (one at least), or None when
        `timeout` passes first.

        When the batch carries a completion and, at this moment, nothing of the session is
        pending, it ends with close_stream; the reader is then closing, and must
        call `reader_left(closed=True)` once its client is gone.
        """
        first = await self.next(timeout)
        if first is None:
            return None
        batch = [first, *self.ready()]
        completes = any(m.get("msg") == protocol.MSG_COMPLETED for m in batch)
        if completes and not self.pending:
            batch.append(protocol.CLOSE_STREAM)
            self._closing += 1
            self._settled.clear()
        return batch

    def reader_joined(self) -> None:
        self.readers += 1

    def reader_left(self, *, closed: bool) -> None:
        """A reader's connection ended; `closed`: it had said close_stream."""
        self.readers -= 1
        if closed:
            self._closing -= 1
            if not self._closing:
                self._settled.set()

    @property
    def closing(self) -> bool:
        return bool(self._closing)

    async def settled(self, timeout: float | None = None) -> None:
        """Return once no reader of this channel is waiting for its client to hang up after
        close_stream (at most `timeout`; by default a little past the reader's own grace)."""
        if self._closing:
            limit = HANG_UP_GRACE + 1.0 if timeout is None else timeout
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._settled.wait(), limit)


class MessageBus(Protocol):
    """Where sessions' and calls' messages wait for their readers (MemoryBus here)."""

    def open(self, key: str) -> Channel: ...

    def get(self, key: str) -> Channel | None: ...

    def drop(self, key: str) -> None: ...

    def prune(self, keep: Callable[[str], bool]) -> int: ...


class MemoryBus:
    """Channels in this process, the least recently used dropped past `capacity`."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._channels: OrderedDict[str, Channel] = OrderedDict()

    def open(self, key: str) -> Channel:
        channel = self._channels.get(key)
        if channel is None:
            channel = self._channels[key] = Channel()
            self._evict()
        else:
            self._channels.move_to_end(key)
        return channel

    def _evict(self) -> None:
        excess = len(self._channels) - self.capacity
        if excess <= 0:
            return
        # Oldest first; a stream someone is waiting on, or whose messages (a finished event's
        # result) nobody has read yet, is never dropped (grow instead).
        idle = [k for k, c in self._channels.items()
                if not (c.pending or c.readers or not c.messages.empty())]
        for key in idle[:excess]:
            del self._channels[key]

    def prune(self, keep: Callable[[str], bool]) -> int:
        """Drop every idle channel (nothing pending, unread or being read) whose key `keep`
        refuses, e.g. a session that has ended; returns how many went.

        Without this a server holds a channel for every session it ever served, up to
        `capacity`: a slow, steady growth of memory that never settles.
        """
        gone = [k for k, c in self._channels.items()
                if not (c.pending or c.readers or not c.messages.empty()) and not keep(k)]
        for key in gone:
            del self._channels[key]
        return len(gone)

    def get(self, key: str) -> Channel | None:
        return self._channels.get(key)

    def drop(self, key: str) -> None:
        self._channels.pop(key, None)
