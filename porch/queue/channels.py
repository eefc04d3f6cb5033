"""Message streams: where an event's messages wait until a client reads them, and stay a
while after, so that a client that lost its connection can read them again.

A `Channel` is the log of one session's `queue/data` stream, or of one plain-HTTP call's
result stream. Every message gets the next id of its channel (1, 2, ...): a reader that went
away comes back with the last id it saw (its cursor) and reads every message after it, once
and in order (docs/durable-jobs.md). A reader without a cursor reads what no reader has been
given yet, as the protocol has it. Messages stay after delivery for `Retention.ttl` seconds
past the end of their event, and never more than `Retention.max_messages` messages or
`Retention.max_bytes` bytes per channel (the oldest go first), so a flood cannot exhaust
memory. Channels live behind the `MessageBus` interface so that a shared implementation (e.g.
Redis Streams, whose entry ids make the same cursors) can replace the in-memory one without
touching the routes. Every method runs on the event loop; other threads hop there first.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from porch import protocol

# How long a reader that said close_stream waits for its client to hang up. Every known client
# (gradio_client, porch.Client, the page) hangs up within milliseconds of reading it; this only
# bounds a client that reads on to the end, whose joins wait at most this long meanwhile.
HANG_UP_GRACE = 2.0


@dataclass(frozen=True)
class Retention:
    """How long and how much of a channel's log stays after delivery (`launch(result_ttl=)`,
    PORCH_REPLAY_MAX_MESSAGES, PORCH_REPLAY_MAX_SIZE)."""

    ttl: float = 300.0  # seconds after its event ended
    max_messages: int = 2_000
    max_bytes: int = 4 * 1024 * 1024


class Entry(NamedTuple):
    """One message of a channel's log: its id (the cursor after it), and its `data:` frame,
    encoded once when sent."""

    id: int
    message: dict[str, Any]
    frame: bytes


# What a reader appends to end the stream (id 0: not in the log), encoded once.
CLOSE_ENTRY = Entry(0, protocol.CLOSE_STREAM, protocol.sse_data(protocol.CLOSE_STREAM))


def completes(batch: list[Entry]) -> bool:
    """The batch carries a completion: if nothing is pending now, the stream ends after it."""
    return any(e.message.get("msg") == protocol.MSG_COMPLETED for e in batch)


class CursorGone(Exception):
    """Some messages after the cursor are no longer kept (past the retention, or pushed out
    by the bounds): replaying from it would skip them."""


class CursorAhead(Exception):
    """The cursor names a message this channel never had."""


class Channel:
    """The outgoing messages of one session (or one call), and which events are pending.

    close_stream is never logged: a reader decides on it when it delivers, from what is pending
    at that moment (`next_batch`, `read`). It then keeps the connection until the client hangs
    up, and a join of the session waits for that (`settled`): a client learns of a new event
    only once it has finished with the stream that said close_stream, so it can never file the
    new event under the stream that is ending (gradio_client cancels such an event).
    """

    def __init__(self, retention: Retention | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.retention = retention or Retention()
        self.clock = clock
        self.pending: set[str] = set()
        self.readers = 0
        self._log: deque[Entry] = deque()
        self._bytes = 0
        self._last_id = 0  # the newest message's id (0: none yet)
        self._delivered = 0  # every message up to this id was given to a reader
        self._dropped = 0  # every message up to this id is gone from the log
        # Events this channel carried, and when each ended (None: still pending); kept while
        # any of their messages is, so that a reattach can tell a known event from a stranger.
        self._events: OrderedDict[str, float | None] = OrderedDict()
        self._counts: dict[str, int] = {}  # messages kept, per event
        self._generated: set[str] = set()  # events that sent a process_generating
        self._aged_at = float("-inf")
        self._age_every = min(1.0, self.retention.ttl / 4)
        self._arrived = asyncio.Event()
        self._waiting = 0  # readers waiting on `_arrived`
        self._closing = 0  # readers that said close_stream and whose client has not hung up
        self._settled = asyncio.Event()
        self._settled.set()

    # ---- writing ---------------------------------------------------------------------------
    def add_pending(self, event_id: str) -> None:
        self.pending.add(event_id)
        self._events[event_id] = None

    def send(self, message: dict[str, Any]) -> None:
        """Log `message` (what a job's `send` is)."""
        self.append(message)

    def append(self, message: dict[str, Any]) -> int | None:
        """Log `message`; returns its id (None: dropped, its event had already ended)."""
        event_id = message.get("event_id")
        if event_id is not None and event_id not in self.pending:
            # The event already ended (a cancel answers at once): what its work still says
            # on the way out is stale.
            return None
        self._last_id += 1
        entry = Entry(self._last_id, message, protocol.sse_data(message))
        self._log.append(entry)
        self._bytes += len(entry.frame)
        if event_id is not None:
            self._counts[event_id] = self._counts.get(event_id, 0) + 1
            if message.get("msg") == protocol.MSG_GENERATING:
                self._generated.add(event_id)
            elif message.get("msg") == protocol.MSG_COMPLETED:
                self.pending.discard(event_id)
                self._events.pop(event_id, None)
                self._events[event_id] = self.clock()  # moved last: ends stay in order
        self._trim()
        if self._waiting:
            # Wake every waiting reader: each waits on the event of its moment.
            self._arrived.set()
            self._arrived = asyncio.Event()
        return entry.id

    def _trim(self, force: bool = False) -> None:
        """Drop the oldest messages past the bounds, delivered or not, and the delivered ones
        whose event ended `ttl` or more seconds ago (or that belong to no event).

        The bounds hold after every message; the age is looked at every `_age_every` seconds
        (or when `force`d), which keeps a busy stream's cost per message at a few lookups.
        """
        log, retention = self._log, self.retention
        over = len(log) > retention.max_messages or self._bytes > retention.max_bytes
        now = self.clock()
        aged = force or now - self._aged_at >= self._age_every
        if not (over or aged):
            return
        if aged:
            self._aged_at = now
        dropped = False
        while log:
            first = log[0]
            if not (len(log) > retention.max_messages or self._bytes > retention.max_bytes):
                if not aged or first.id > self._delivered:
                    break  # never read: it waits for the session's reader, as the protocol has
                event_id = first.message.get("event_id")
                ended = self._events.get(event_id) if event_id is not None else now - retention.ttl
                if ended is None or now - ended < retention.ttl:
                    break
            log.popleft()
            self._bytes -= len(first.frame)
            self._dropped = first.id
            self._delivered = max(self._delivered, first.id)
            event_id = first.message.get("event_id")
            if event_id is not None:
                self._counts[event_id] -= 1
            dropped = True
        if dropped or aged:
            self._forget_events(now)

    def _forget_events(self, now: float) -> None:
        # An ended event is known for `ttl` after it ended, and while any message of it is
        # kept; ended events are in order of their ends, so the oldest come first.
        ttl = self.retention.ttl
        for event_id, ended in list(self._events.items()):
            if ended is None:
                continue
            if now - ended < ttl:
                break
            if self._counts.get(event_id, 0) <= 0:
                del self._events[event_id]
                self._counts.pop(event_id, None)
                self._generated.discard(event_id)

    def expire(self) -> None:
        """Apply the retention now (a sweep: nothing may be sent for a long while)."""
        self._trim(force=True)

    # ---- what it holds ---------------------------------------------------------------------
    def is_pending(self, event_id: str) -> bool:
        return event_id in self.pending

    def knows(self, event_id: str) -> bool:
        """This channel carried `event_id`, and it is pending or its messages are kept."""
        return event_id in self._events

    def ended(self, event_id: str) -> bool:
        return self._events.get(event_id) is not None

    def generated(self, event_id: str) -> bool:
        """`event_id` streamed a partial result: a rerun of it must replace, not diff."""
        return event_id in self._generated

    @property
    def last_id(self) -> int:
        return self._last_id

    @property
    def unread(self) -> bool:
        """Some message was never given to any reader."""
        return self._last_id > self._delivered

    @property
    def retained(self) -> bool:
        """Messages are kept for a reattach (an idle channel that still holds results)."""
        self._trim(force=True)
        return bool(self._log)

    def after(self, cursor: int) -> list[Entry]:
        """Every kept message after `cursor`, oldest first (CursorGone if one is not kept,
        CursorAhead for a cursor past the newest message)."""
        self._trim()  # what expired while nothing was sent is gone for this read too
        if cursor > self._last_id or cursor < 0:
            raise CursorAhead(cursor)
        if cursor < self._dropped:
            raise CursorGone(cursor)
        # Ids run without gaps, so the newest `last_id - cursor` entries are the answer: taken
        # from the right, a reader at the tail costs what it reads, not the log's length.
        wanted = min(self._last_id - cursor, len(self._log))
        found = list(itertools.islice(reversed(self._log), wanted))
        found.reverse()
        return found

    # ---- reading ---------------------------------------------------------------------------
    async def read(self, cursor: int | None, timeout: float) -> list[Entry] | None:
        """Every message after `cursor` (one at least; waits up to `timeout` for one), or None
        when `timeout` passes first. Marks them delivered. Raises as `after` does.

        `cursor` None: a reader without one, which goes on from what no reader had yet (the
        protocol's queue), even if some of that was pushed out meanwhile.
        """
        found = self.after(self._undelivered() if cursor is None else cursor)
        if not found:
            await self._arrival(timeout)
            found = self.after(self._undelivered() if cursor is None else cursor)
            if not found:
                return None
        self._delivered = max(self._delivered, found[-1].id)
        return found

    async def _arrival(self, timeout: float) -> None:
        """Wait until a message is logged, or `timeout` passes."""
        arrived = self._arrived
        self._waiting += 1
        try:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(arrived.wait(), timeout)
        finally:
            self._waiting -= 1

    def _undelivered(self) -> int:
        return max(self._delivered, self._dropped)

    async def next(self, timeout: float) -> dict[str, Any] | None:
        """The next undelivered message, or None when `timeout` passes first."""
        found = self.after(self._undelivered())
        if not found:
            # Not `read`: it would mark every message that arrived meanwhile delivered, and
            # all but the first would be lost to this reader.
            await self._arrival(timeout)
            found = self.after(self._undelivered())
        if not found:
            return None
        self._delivered = max(self._delivered, found[0].id)
        return found[0].message

    def ready(self) -> list[dict[str, Any]]:
        """Every message waiting now (without waiting for more)."""
        found = self.after(self._undelivered())
        if found:
            self._delivered = found[-1].id
        return [e.message for e in found]

    async def next_batch(self, timeout: float) -> list[dict[str, Any]] | None:
        """What a reader without a cursor writes next: every message waiting (one at least),
        or None when `timeout` passes first; see `read_batch`."""
        batch = await self.read_batch(None, timeout)
        return None if batch is None else [m for _, m, _ in batch]

    async def read_batch(self, cursor: int | None, timeout: float) -> list[Entry] | None:
        """Every message after `cursor` (None: every undelivered one), one at least, or None
        when `timeout` passes first.

        When the batch carries a completion and, at this moment, nothing of the session is
        pending, it ends with close_stream (an entry with id 0: not in the log); the reader
        is then closing, and must call `reader_left(closed=True)` once its client is gone.
        """
        batch = await self.read(cursor, timeout)
        if not batch:
            return None
        if completes(batch) and not self.pending:
            batch.append(CLOSE_ENTRY)
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


class PendingEvents(Protocol):
    """A stream's events that have not ended, as a set is used (a `set` here)."""

    def __contains__(self, event_id: object) -> bool: ...

    def __iter__(self) -> Iterator[str]: ...

    def __len__(self) -> int: ...

    def add(self, event_id: str) -> None: ...

    def discard(self, event_id: str) -> None: ...


class MessageStream(Protocol):
    """One session's (or call's) log, as routes and the runtime use it (`Channel` here,
    porch.cluster.streams on Redis).

    Ids are positive, increase by one per message and are never reused within a stream, so a
    reader resumes with the last id it saw. A shared bus keeps the same rules (on Redis
    Streams the entry ids map to these cursors).
    """

    @property
    def pending(self) -> PendingEvents: ...

    @property
    def readers(self) -> int: ...

    def add_pending(self, event_id: str) -> None: ...

    def send(self, message: dict[str, Any]) -> None: ...

    def append(self, message: dict[str, Any]) -> int | None: ...

    def is_pending(self, event_id: str) -> bool: ...

    def knows(self, event_id: str) -> bool: ...

    def ended(self, event_id: str) -> bool: ...

    def generated(self, event_id: str) -> bool: ...

    @property
    def last_id(self) -> int: ...

    @property
    def unread(self) -> bool: ...

    @property
    def retained(self) -> bool: ...

    @property
    def closing(self) -> bool: ...

    def after(self, cursor: int) -> list[Entry]: ...

    async def read(self, cursor: int | None, timeout: float) -> list[Entry] | None: ...

    async def read_batch(self, cursor: int | None, timeout: float) -> list[Entry] | None: ...

    async def next(self, timeout: float) -> dict[str, Any] | None: ...

    async def next_batch(self, timeout: float) -> list[dict[str, Any]] | None: ...

    def ready(self) -> list[dict[str, Any]]: ...

    def expire(self) -> None: ...

    def reader_joined(self) -> None: ...

    def reader_left(self, *, closed: bool) -> None: ...

    async def settled(self, timeout: float | None = None) -> None: ...


class MessageBus(Protocol):
    """Where sessions' and calls' messages wait for their readers, and stay for a reattach
    (MemoryBus here)."""

    def open(self, key: str) -> MessageStream: ...

    def get(self, key: str) -> MessageStream | None: ...

    def drop(self, key: str) -> None: ...

    def prune(self, keep: Callable[[str], bool]) -> int: ...


class MemoryBus:
    """Channels in this process, the least recently used dropped past `capacity`."""

    def __init__(self, capacity: int = 10_000, retention: Retention | None = None) -> None:
        self.capacity = capacity
        self.retention = retention or Retention()
        self._channels: OrderedDict[str, Channel] = OrderedDict()

    def open(self, key: str) -> Channel:
        channel = self._channels.get(key)
        if channel is None:
            channel = self._channels[key] = Channel(self.retention)
            self._evict()
        else:
            self._channels.move_to_end(key)
        return channel

    def _evict(self) -> None:
        excess = len(self._channels) - self.capacity
        if excess <= 0:
            return
        # Oldest first; a stream someone is waiting on, or whose messages (a finished event's
        # result) nobody has read yet, is never dropped (grow instead). One whose results are
        # only kept for a reattach may go: capacity comes before retention.
        idle = [k for k, c in self._channels.items()
                if not (c.pending or c.readers or c.unread)]
        for key in idle[:excess]:
            del self._channels[key]

    def prune(self, keep: Callable[[str], bool]) -> int:
        """Drop every idle channel (nothing pending, unread, being read or kept for a
        reattach) whose key `keep` refuses, e.g. a session that has ended; returns how many
        went.

        Without this a server holds a channel for every session it ever served, up to
        `capacity`: a slow, steady growth of memory that never settles.
        """
        gone = [k for k, c in self._channels.items()
                if not (c.pending or c.readers or c.unread or c.retained) and not keep(k)]
        for key in gone:
            del self._channels[key]
        return len(gone)

    def get(self, key: str) -> Channel | None:
        return self._channels.get(key)

    def drop(self, key: str) -> None:
        self._channels.pop(key, None)
