"""Message streams: where an event's messages wait until a client reads them.

A `Channel` buffers messages for one reader: a session's `queue/data` stream, or one
plain-HTTP call's result stream. Messages sent before the reader attaches are kept, as the
protocol requires. Channels live behind the `MessageBus` interface so that a shared
implementation (e.g. Redis) can replace the in-memory one without touching the routes.
Every method runs on the event loop; other threads hop there first.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any, Protocol

from porch import protocol


class Channel:
    """The outgoing messages of one session (or one call), and which events are pending."""

    def __init__(self) -> None:
        self.messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.pending: set[str] = set()
        self.readers = 0

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
            if not self.pending:
                self.messages.put_nowait(protocol.CLOSE_STREAM)

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


class MessageBus(Protocol):
    def open(self, key: str) -> Channel: ...

    def get(self, key: str) -> Channel | None: ...

    def drop(self, key: str) -> None: ...


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
        # Oldest first; a stream someone is waiting on is never dropped (grow instead).
        idle = [k for k, c in self._channels.items() if not (c.pending or c.readers)]
        for key in idle[:excess]:
            del self._channels[key]

    def get(self, key: str) -> Channel | None:
        return self._channels.get(key)

    def drop(self, key: str) -> None:
        self._channels.pop(key, None)
