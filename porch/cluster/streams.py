"""`RedisBus`: sessions' and calls' message streams in Redis, so that a `queue/join` answered
by one replica, the function run by a second and the `queue/data` stream read from a third
are one stream (SCALE-OUT.md §2.2-2.3).

Each stream key K (a session hash, or `call:<event id>`) has three Redis keys under
`<prefix>:{s:K}`:

- `out`, a Redis Stream. Entry ids are `0-n`, n = 1, 2, ... without gaps: n is the message id
  a reader resumes from (docs/durable-jobs.md), the same cursors as the in-memory `Channel`.
- `meta`, a hash: `last` (the newest n), `delivered` (every message up to it was given to a
  reader without a cursor), `readers`, `closing`, `bytes` (of the messages kept), and per
  event `e:<id>` (empty while it is pending, else the time it ended) and `g:<id>` (it
  streamed a `process_generating`).
- `pending`, a set: the events that have not ended.

One Lua script appends messages: it drops a message of an event that already ended (a cancel
answers at once; what the work says on its way out is stale) or of a run that no longer holds
its job (its fence, porch.cluster.jobs), takes the next n, and on a completion ends the event,
in one step, so two replicas writing one session's stream never interleave badly. `send`
gathers what one stretch of the event loop sends (an estimation and the start, a burst of
tokens) into one such call, made before the loop does anything else; every other call on the
stream writes what was gathered first, so order holds. Retention: at most `max_messages`
entries and `max_bytes` of messages per stream (the oldest go first, the newest always
stays); while anything is pending the keys live a day past the last write, once nothing is,
`Retention.ttl`. A reader waits with `XREAD BLOCK`: the stream is its own doorbell. A read
also counts a reader that just joined, and decides close_stream, in the same call.

Every method but the waits is one short, synchronous Redis call (~0.1 ms on loopback) made on
the event loop, as the in-memory channel's methods are plain calls.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import redis
import redis.asyncio

from porch import protocol
from porch.cluster.replies import as_bytes, as_text
from porch.queue.channels import (
    CLOSE_ENTRY,
    HANG_UP_GRACE,
    CursorAhead,
    CursorGone,
    Entry,
    Retention,
)

log = logging.getLogger("porch.cluster")

# A run's claim on its job (the job's key, the replica, the attempt): a message it sends is
# logged only while the job is still that attempt on that replica, checked in the same step.
Fence = tuple[str, str, str]

KEEP_WHILE_PENDING_MS = 24 * 3600 * 1000  # an event may run long without writing
LONGEST_BLOCK_S = 30.0  # one XREAD BLOCK at most; the reader's own timeout decides the rest
READ_COUNT = 10_000  # entries one read returns at most

# ARGV: max messages, ttl ms, keep-while-pending ms, now ms, max bytes, then per message six:
# event id, msg, data, and its run's fence (job key, owner, attempt; '' for none). Returns
# each message's id, -1 where it was dropped.
APPEND = """
local ids = {}
local maxn, maxb = tonumber(ARGV[1]), tonumber(ARGV[5])
for i = 6, #ARGV, 6 do
  local ev, kind, data, job = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local ok = ev == '' or redis.call('SISMEMBER', KEYS[3], ev) == 1
  if ok and job ~= '' then
    local run = redis.call('HMGET', job, 'owner', 'attempt')
    ok = run[1] == ARGV[i + 4] and run[2] == ARGV[i + 5]
  end
  if ok then
    local n = redis.call('HINCRBY', KEYS[2], 'last', 1)
    redis.call('XADD', KEYS[1], '0-' .. n, 'm', data, 't', kind)
    local bytes = redis.call('HINCRBY', KEYS[2], 'bytes', #data)
    local count = redis.call('XLEN', KEYS[1])
    while count > 1 and (count > maxn or bytes > maxb) do
      local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
      redis.call('XDEL', KEYS[1], first[1])
      bytes = redis.call('HINCRBY', KEYS[2], 'bytes', -#first[2][2])
      count = count - 1
    end
    if ev ~= '' then
      if kind == 'process_completed' then
        redis.call('SREM', KEYS[3], ev)
        redis.call('HSET', KEYS[2], 'e:' .. ev, ARGV[4])
      elseif kind == 'process_generating' then
        redis.call('HSET', KEYS[2], 'g:' .. ev, '1')
      end
    end
    table.insert(ids, n)
  else
    table.insert(ids, -1)
  end
end
local keep = ARGV[3]
if redis.call('SCARD', KEYS[3]) == 0 then keep = ARGV[2] end
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
redis.call('PEXPIRE', KEYS[3], keep)
return ids
"""

# ARGV: cursor (-1: from what no reader without a cursor had yet), mark (0: nothing, 1: every
# entry read is delivered, 2: only the first), count, readers who joined since the last read
# (counted here: one call, not two), close (1: if an entry read completes an event and none
# is pending, this reader says close_stream, counted in `closing` in the same step, so a join
# that sees `closing` 0 knows no reader is about to close). Returns {status, last, entries,
# closes}.
READ = """
if ARGV[4] ~= '0' then redis.call('HINCRBY', KEYS[2], 'readers', ARGV[4]) end
local last = tonumber(redis.call('HGET', KEYS[2], 'last') or '0')
local delivered = tonumber(redis.call('HGET', KEYS[2], 'delivered') or '0')
local head = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local dropped = last
if #head > 0 then dropped = tonumber(string.match(head[1][1], '%-(%d+)$')) - 1 end
local cursor = tonumber(ARGV[1])
if cursor < 0 then
  cursor = math.max(delivered, dropped)
elseif cursor > last then
  return {'ahead', last, {}, 0}
elseif cursor < dropped then
  return {'gone', last, {}, 0}
end
local count = tonumber(ARGV[3])
if ARGV[2] == '2' then count = 1 end
local entries = redis.call('XRANGE', KEYS[1], '(0-' .. cursor, '+', 'COUNT', count)
if #entries > 0 and ARGV[2] ~= '0' then
  local upto = tonumber(string.match(entries[#entries][1], '%-(%d+)$'))
  if upto > delivered then redis.call('HSET', KEYS[2], 'delivered', upto) end
end
local closes = 0
if ARGV[5] == '1' and redis.call('SCARD', KEYS[3]) == 0 then
  for _, entry in ipairs(entries) do
    if entry[2][4] == 'process_completed' then closes = 1 break end
  end
  if closes == 1 then redis.call('HINCRBY', KEYS[2], 'closing', 1) end
end
return {'ok', last, entries, closes}
"""


def _entry_id(raw: Any) -> int:
    return int(as_text(raw).rsplit("-", 1)[1])


def _entries(raw: list[Any]) -> list[Entry]:
    found = []
    for entry_id, fields in raw:
        # A script's reply gives the fields as a flat list, a command's as a dict.
        data = as_bytes(fields[b"m"] if isinstance(fields, dict) else fields[1])
        found.append(Entry(_entry_id(entry_id), json.loads(data), b"data: " + data + b"\n\n"))
    return found


class PendingView:
    """A stream's pending events as the routes use a set: membership, iteration, truth,
    and `discard` (an event refused before it ran)."""

    def __init__(self, stream: RedisStream) -> None:
        self._stream = stream

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, str) and self._stream.is_pending(event_id)

    def __iter__(self) -> Iterator[str]:
        self._stream.flush()
        members = self._stream.client.smembers(self._stream.pending_key)
        return iter(sorted(as_text(m) for m in members))

    def __len__(self) -> int:
        self._stream.flush()
        return int(self._stream.client.scard(self._stream.pending_key))

    def __bool__(self) -> bool:
        return len(self) > 0

    def add(self, event_id: str) -> None:
        self._stream.add_pending(event_id)

    def discard(self, event_id: str) -> None:
        stream = self._stream
        stream.flush()
        with stream.client.pipeline(transaction=True) as pipe:
            pipe.srem(stream.pending_key, event_id)
            pipe.hdel(stream.meta_key, f"e:{event_id}")
            pipe.execute()


class RedisStream:
    """One session's (or call's) log in Redis: the `MessageStream` every replica sees."""

    def __init__(self, bus: RedisBus, key: str) -> None:
        self.bus = bus
        self.client = bus.client
        base = f"{bus.prefix}:{{s:{key}}}"
        self.out_key = f"{base}:out"
        self.meta_key = f"{base}:meta"
        self.pending_key = f"{base}:pending"
        self._keys = [self.out_key, self.meta_key, self.pending_key]
        self._joins_owed = 0  # readers joined here, counted in Redis by the next read
        self._caught_up: int | None = None  # the newest id the last read here handed out
        self._quiet = False  # the last add_pending saw no reader closing the stream
        self._outbox: list[tuple[dict[str, Any], Fence | None]] = []  # sent, not yet written

    # ---- writing ---------------------------------------------------------------------------
    @property
    def pending(self) -> PendingView:
        return PendingView(self)

    def add_pending(self, event_id: str) -> None:
        self.flush()
        with self.client.pipeline(transaction=True) as pipe:
            pipe.sadd(self.pending_key, event_id)
            pipe.hset(self.meta_key, f"e:{event_id}", "")
            for key in self._keys:
                pipe.pexpire(key, KEEP_WHILE_PENDING_MS)
            pipe.hget(self.meta_key, "closing")
            closing = pipe.execute()[-1]
        # A reader decides close_stream in the same step as it counts itself closing (READ),
        # and never while an event is pending: seen 0 here, none is about to (`settled`).
        self._quiet = not int(closing or 0)

    def send(self, message: dict[str, Any], fence: Fence | None = None) -> None:
        """Log `message` soon: what is sent in one stretch of the event loop (an estimation
        and the start, a burst of tokens) goes to Redis in one call, made before the loop
        does anything else, so nothing another step does is ordered before it. `fence`: the
        run sending it; past its lease (another replica runs the job now) it is dropped."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the loop: nothing to gather it with
            self._write([(message, fence)])
            return
        self._outbox.append((message, fence))
        if len(self._outbox) == 1:
            loop.call_soon(self._flush_logged)

    def append(self, message: dict[str, Any]) -> int | None:
        found = self._write([(message, None)])[-1]
        return None if found < 0 else found

    def flush(self) -> None:
        """Write what `send` gathered (every other call here does this first)."""
        if self._outbox:
            batch, self._outbox = self._outbox, []
            self._write(batch)

    def _flush_logged(self) -> None:
        try:
            self.flush()
        except (redis.RedisError, OSError) as exc:
            log.warning("messages of a stream could not be written (%s): its readers "
                        "will not see them", exc)

    def _write(self, batch: list[tuple[dict[str, Any], Fence | None]]) -> list[int]:
        self.flush()
        retention = self.bus.retention
        args: list[Any] = [retention.max_messages, max(int(retention.ttl * 1000), 1),
                           KEEP_WHILE_PENDING_MS, int(time.time() * 1000),
                           retention.max_bytes]
        for message, fence in batch:
            args += [message.get("event_id") or "", message.get("msg") or "",
                     protocol.dumps(message), *(fence or ("", "", ""))]
        return [int(i) for i in self.bus.append_script(keys=self._keys, args=args)]

    def expire(self) -> None:
        """Nothing to do: Redis expires the keys (see the module docstring)."""

    # ---- what it holds ---------------------------------------------------------------------
    def is_pending(self, event_id: str) -> bool:
        self.flush()
        return bool(self.client.sismember(self.pending_key, event_id))

    def knows(self, event_id: str) -> bool:
        self.flush()
        return bool(self.client.hexists(self.meta_key, f"e:{event_id}"))

    def ended(self, event_id: str) -> bool:
        self.flush()
        found = self.client.hget(self.meta_key, f"e:{event_id}")
        return found is not None and found != b""

    def generated(self, event_id: str) -> bool:
        self.flush()
        return bool(self.client.hexists(self.meta_key, f"g:{event_id}"))

    def _counter(self, field: str) -> int:
        self.flush()
        found = self.client.hget(self.meta_key, field)
        return 0 if found is None else int(found)

    @property
    def readers(self) -> int:
        return self._counter("readers") + self._joins_owed

    @property
    def last_id(self) -> int:
        return self._counter("last")

    @property
    def unread(self) -> bool:
        self.flush()
        last, delivered = self.client.hmget(self.meta_key, ["last", "delivered"])
        return int(last or 0) > int(delivered or 0)

    @property
    def retained(self) -> bool:
        self.flush()
        return bool(self.client.xlen(self.out_key))

    @property
    def closing(self) -> bool:
        return self._counter("closing") > 0

    def exists(self) -> bool:
        return bool(self.client.exists(self.meta_key, self.pending_key, self.out_key))

    def _read(self, cursor: int | None, mark: int) -> list[Entry]:
        return self._read_and_last(cursor, mark)[0]

    def _read_and_last(self, cursor: int | None, mark: int, close: bool = False
                       ) -> tuple[list[Entry], int, bool]:
        """The entries after `cursor`, the newest id now (where a wait starts from), and
        whether this reader now says close_stream (asked with `close`, see READ)."""
        self.flush()
        joins, self._joins_owed = self._joins_owed, 0
        try:
            status, last, raw, closes = self.bus.read_script(keys=self._keys, args=[
                -1 if cursor is None else cursor, mark, READ_COUNT, joins, int(close)])
        except BaseException:
            self._joins_owed += joins  # not counted: the next read counts them
            raise
        if status == b"ahead":
            raise CursorAhead(cursor)
        if status == b"gone":
            raise CursorGone(cursor)
        entries = _entries(raw)
        # Everything up to `last` was just handed to a reader: its next read can wait first.
        caught_up = mark == 1 and (not entries or entries[-1].id == int(last))
        self._caught_up = int(last) if caught_up else None
        return entries, int(last), bool(closes)

    def after(self, cursor: int) -> list[Entry]:
        if cursor < 0:
            raise CursorAhead(cursor)
        return self._read(cursor, 0)

    # ---- reading ---------------------------------------------------------------------------
    async def _arrival(self, last: int, timeout: float) -> None:
        """Wait until a message past id `last` is logged, or `timeout` passes."""
        block = int(max(min(timeout, LONGEST_BLOCK_S), 0.001) * 1000)
        await self.bus.waiter.xread({self.out_key: f"0-{last}"}, count=1, block=block)

    async def _wait_and_read(self, cursor: int | None, timeout: float, mark: int,
                             close: bool = False) -> tuple[list[Entry], bool]:
        seen = self._caught_up
        if mark == 1 and seen is not None and not self._joins_owed and cursor in (None, seen):
            # The last read here took everything: nothing newer can be there without the
            # wait seeing it, so wait first and spare a read (a wake for what another reader
            # took then reads nothing: the caller sees a quiet interval).
            await self._arrival(seen, timeout)
            found, _, closes = self._read_and_last(cursor, mark, close)
            return found, closes
        found, last, closes = self._read_and_last(cursor, mark, close)
        if not found:
            await self._arrival(last, timeout)
            found, _, closes = self._read_and_last(cursor, mark, close)
        return found, closes

    async def read(self, cursor: int | None, timeout: float) -> list[Entry] | None:
        found, _ = await self._wait_and_read(cursor, timeout, 1)
        return found or None

    async def next(self, timeout: float) -> dict[str, Any] | None:
        found, _ = await self._wait_and_read(None, timeout, 2)
        return found[0].message if found else None

    def ready(self) -> list[dict[str, Any]]:
        return [e.message for e in self._read(None, 1)]

    async def next_batch(self, timeout: float) -> list[dict[str, Any]] | None:
        batch = await self.read_batch(None, timeout)
        return None if batch is None else [m for _, m, _ in batch]

    async def read_batch(self, cursor: int | None, timeout: float) -> list[Entry] | None:
        batch, closes = await self._wait_and_read(cursor, timeout, 1, close=True)
        if not batch:
            return None
        if closes:  # READ decided it as `completes(batch) and not self.pending`
            batch.append(CLOSE_ENTRY)
        return batch

    def reader_joined(self) -> None:
        self._joins_owed += 1  # counted by this reader's first read, in the same call

    def reader_left(self, *, closed: bool) -> None:
        if self._joins_owed and not closed:
            self._joins_owed -= 1  # it never read: Redis never counted it
            return
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hincrby(self.meta_key, "readers", -1)
            if closed:
                pipe.hincrby(self.meta_key, "closing", -1)
            pipe.execute()

    async def settled(self, timeout: float | None = None) -> None:
        """Return once no reader, on any replica, is waiting for its client to hang up after
        close_stream (polled: this wait is rare and short)."""
        if self._quiet:  # the join's own add_pending just saw no reader closing
            self._quiet = False
            return
        limit = HANG_UP_GRACE + 1.0 if timeout is None else timeout
        deadline = time.monotonic() + limit
        while self.closing and time.monotonic() < deadline:
            await asyncio.sleep(0.01)


class RedisBus:
    """The `MessageBus` of a cluster: streams in Redis, found by any replica."""

    def __init__(self, client: redis.Redis, waiter: redis.asyncio.Redis, prefix: str,
                 retention: Retention | None = None, capacity: int = 10_000) -> None:
        self.client = client
        self.waiter = waiter  # blocking reads only: they hold their connection meanwhile
        self.prefix = prefix
        self.retention = retention or Retention()
        self.capacity = capacity
        self.append_script = client.register_script(APPEND)
        self.read_script = client.register_script(READ)
        # This replica's stream objects (cheap handles: what they hold is in Redis), kept so
        # that a stream is the same object to every route of this replica.
        self._streams: OrderedDict[str, RedisStream] = OrderedDict()

    def _handle(self, key: str) -> RedisStream:
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams[key] = RedisStream(self, key)
            while len(self._streams) > self.capacity:
                self._streams.popitem(last=False)
        else:
            self._streams.move_to_end(key)
        return stream

    def open(self, key: str) -> RedisStream:
        return self._handle(key)

    def get(self, key: str) -> RedisStream | None:
        stream = self._streams.get(key)
        if stream is not None or RedisStream(self, key).exists():
            return self._handle(key)
        return None

    def drop(self, key: str) -> None:
        stream = self._streams.pop(key, None) or RedisStream(self, key)
        stream._outbox.clear()  # gone: what it still had to write goes with it
        self.client.delete(*stream._keys)

    def prune(self, keep: Callable[[str], bool]) -> int:
        """Forget this replica's handles of streams whose session ended (Redis expires the
        streams themselves)."""
        gone = [key for key in self._streams if not keep(key)]
        for key in gone:
            del self._streams[key]
        return len(gone)
