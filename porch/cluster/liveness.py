"""Which sessions have a page attached, anywhere in the cluster (docs/cluster.md).

A page's heartbeat stream may reach any replica, and the same session may hold streams on
several at once (a second tab, a reconnect that the balancer sent elsewhere). Whether the
session is still attached, and so whether its unload events are due, is decided here, in
Redis, as one atomic step per change:

* `<prefix>:hb:<session>`, a hash: replica id -> how many of the session's heartbeat streams
  that replica holds. The session is attached while the hash exists.
* `<prefix>:hb-leases`, a sorted set: `"<replica> <session>"` -> the lease's deadline (ms).
  Each replica renews the leases of the sessions it holds every `lease / 3` seconds; a
  replica that dies (kill -9, a lost host) stops renewing, and once its lease is past, the
  first replica to sweep takes that replica's share out of the hash. If nothing is left,
  that sweeper (exactly one: the sweep is one Lua script) runs the session's unload events
  and gives the session's State hash the `closed_session_keep` TTL, as a clean close would.

Detaching the last stream anywhere answers True exactly once, to the replica whose stream
it was; a replica whose share was already swept (it stalled past its lease, and its unload
events ran elsewhere) is answered False when its stream ends, so no session unloads twice.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable

import redis

from porch.cluster.replies import as_text

log = logging.getLogger("porch.cluster")

# KEYS: holders, leases, the session's State hash. ARGV: replica, session, deadline ms, idle
# TTL s (the State hash lives that long from now; keys an app's last replica left behind go
# in the end).
ATTACH = """
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1] .. ' ' .. ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('EXPIRE', KEYS[3], ARGV[4])
"""

# KEYS: holders, leases, the session's State hash. ARGV: replica, session, keep s.
# Returns 1 when that was the session's last stream on any replica.
DETACH = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) > 0 then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1] .. ' ' .. ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('EXPIRE', KEYS[3], ARGV[3])
return 1
"""

# KEYS: leases. ARGV: now ms, at most how many, key prefix, keep s.
# Returns the sessions whose last holder's lease ran out: the caller runs their unload events.
SWEEP = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local lost = {}
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local cut = string.find(member, ' ', 1, true)
  local session = string.sub(member, cut + 1)
  local holders = ARGV[3] .. ':hb:' .. session
  redis.call('HDEL', holders, string.sub(member, 1, cut - 1))
  if redis.call('EXISTS', holders) == 0 then
    redis.call('EXPIRE', ARGV[3] .. ':s:' .. session, ARGV[4])
    table.insert(lost, session)
  end
end
return lost
"""

# KEYS: the session's State hash, its holders. ARGV: keep s. A close that another replica's
# stream outlives must not shorten the session's life.
CLOSE = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
return redis.call('EXPIRE', KEYS[1], ARGV[1])
"""

SWEEP_BATCH = 500  # leases claimed per script call: one call never holds Redis for long
RENEW_BATCH = 1000  # leases renewed per ZADD


class SharedLiveness:
    """This replica's heartbeat streams, counted in Redis with every other replica's."""

    def __init__(self, client: redis.Redis, prefix: str, *, lease: float,
                 keep_closed: float, idle_ttl: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.prefix = prefix
        self.lease = lease
        self.keep_closed = max(int(keep_closed), 1)
        self.idle_ttl = int(idle_ttl)
        self.clock = clock
        self.replica = uuid.uuid4().hex
        self.leases = f"{prefix}:hb-leases"
        self._held: dict[str, int] = {}  # session -> streams this replica holds
        self._lock = threading.Lock()
        self._attach = client.register_script(ATTACH)
        self._detach = client.register_script(DETACH)
        self._sweep = client.register_script(SWEEP)
        self._close = client.register_script(CLOSE)
        # A State hash of an attached session must outlive its idle TTL: the holder pushes
        # the TTL back this often (a quarter of it, at least once per renewal).
        self._ttl_every = max(idle_ttl / 4, 0.0)
        self._ttl_pushed = 0.0

    @property
    def every(self) -> float:
        """Seconds between renewals: three per lease, so one late tick loses nothing."""
        return self.lease / 3

    def holders_key(self, session_hash: str) -> str:
        return f"{self.prefix}:hb:{session_hash}"

    def state_key(self, session_hash: str) -> str:
        return f"{self.prefix}:s:{session_hash}"

    def _deadline(self) -> int:
        return int((self.clock() + self.lease) * 1000)

    def attach(self, session_hash: str) -> None:
        with self._lock:
            self._held[session_hash] = self._held.get(session_hash, 0) + 1
        self._attach(keys=[self.holders_key(session_hash), self.leases,
                           self.state_key(session_hash)],
                     args=[self.replica, session_hash, self._deadline(), self.idle_ttl])

    def detach(self, session_hash: str, keep: float) -> bool:
        """One of this replica's streams of the session ended: True if it was the session's
        last on any replica (the caller runs its unload events); the session's State then
        expires `keep` from now."""
        with self._lock:
            left = self._held.get(session_hash, 0) - 1
            if left > 0:
                self._held[session_hash] = left
            else:
                self._held.pop(session_hash, None)
        last = self._detach(keys=[self.holders_key(session_hash), self.leases,
                                  self.state_key(session_hash)],
                            args=[self.replica, session_hash, max(int(keep), 1)])
        return bool(last)

    def attached(self, session_hash: str) -> bool:
        """A heartbeat stream of the session is open on some replica (whose lease holds)."""
        return bool(self.client.exists(self.holders_key(session_hash)))

    def close(self, session_hash: str, keep: float) -> None:
        """Expire the session's State `keep` from now, unless a stream still holds it."""
        self._close(keys=[self.state_key(session_hash), self.holders_key(session_hash)],
                    args=[max(int(keep), 1)])

    def renew(self) -> list[str]:
        """Renew this replica's leases, then claim the sessions whose last holder's lease
        ran out: returns those, whose unload events this replica now runs (no other does)."""
        with self._lock:
            held = list(self._held)
        deadline = self._deadline()
        for start in range(0, len(held), RENEW_BATCH):
            # XX: a lease already swept (this replica stalled past it) stays gone; its
            # session's unload events ran elsewhere.
            members = {f"{self.replica} {s}": deadline for s in held[start:start + RENEW_BATCH]}
            self.client.zadd(self.leases, members, xx=True)
        now = self.clock()
        if held and now - self._ttl_pushed >= self._ttl_every:
            self._ttl_pushed = now
            with self.client.pipeline(transaction=False) as pipe:
                for session_hash in held:
                    pipe.expire(self.state_key(session_hash), self.idle_ttl)
                    pipe.expire(self.holders_key(session_hash), self.idle_ttl)
                pipe.expire(self.leases, self.idle_ttl)
                pipe.execute()
        lost: list[str] = []
        while True:
            found = self._sweep(keys=[self.leases],
                                args=[int(now * 1000), SWEEP_BATCH, self.prefix,
                                      self.keep_closed])
            lost += [as_text(s) for s in found]
            if len(found) < SWEEP_BATCH:
                break
        if lost:
            log.warning("%d session(s) lost the replica holding their heartbeat; running "
                        "their unload events here", len(lost))
        return lost
