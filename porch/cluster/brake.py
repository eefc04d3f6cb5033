"""The login brake shared by every replica: `MemoryLoginBrake`'s rules (porch.server.brake)
as two Lua scripts, so each `reserve` and `settle` is one atomic step in Redis whichever
replica the attempt reached, and a guesser gains nothing by spreading over replicas.

Keys, under `<prefix>:brake`: `p:<user>:<source>` a hash (`f` failures in a row, `l` last
failure and `b` blocked-until, in ms of Redis' clock), `t:<user>:<source>` a ZSET of the
pair's granted tickets scored by their lease's end, `a:<address>` the address bucket (`c`
checks left, `u` when counted). A ticket whose replica died before settling it counts as a
failure once its lease ends. Every key carries a TTL: nothing needs sweeping.
"""

from __future__ import annotations

from typing import Any, cast

import redis

from porch.server.brake import Attempt, Refusal

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function delay(failures, free, first, max)
  if failures < free then return 0 end
  local steps = math.min(failures - free, 64)
  return math.min(first * 2 ^ steps, max)
end
local function fail(pair, failures, blocked, free, first, max)
  failures = failures + 1
  local d = delay(failures, free, first, max)
  if d > 0 then blocked = math.max(blocked, now + d) end
  redis.call('HSET', pair, 'f', failures, 'l', now, 'b', blocked)
  return failures, blocked
end
local function bucket(key, budget, refill)
  local c = tonumber(redis.call('HGET', key, 'c') or budget)
  local u = tonumber(redis.call('HGET', key, 'u') or now)
  c = math.min(budget, c + math.max(0, now - u) / refill)
  return c
end
"""

# KEYS: pair, tickets, bucket (or ''), counter.
# ARGV: free, first_ms, max_ms, forget_ms, budget, refill_ms, lease_ms.
# Returns {refusal or '', retry_after_ms, ticket}.
_RESERVE = _NOW + """
local pair, tickets, akey, counter = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local free, first, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local forget, budget, refill = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local lease = tonumber(ARGV[7])
local failures = tonumber(redis.call('HGET', pair, 'f') or 0)
local last = tonumber(redis.call('HGET', pair, 'l') or 0)
local blocked = tonumber(redis.call('HGET', pair, 'b') or 0)
local dead = redis.call('ZRANGEBYSCORE', tickets, '-inf', now)
if #dead > 0 then
  redis.call('ZREMRANGEBYSCORE', tickets, '-inf', now)
  for _ = 1, #dead do failures, blocked = fail(pair, failures, blocked, free, first, max) end
  last = now
end
local pending = redis.call('ZCARD', tickets)
if pending == 0 and failures > 0 and now - last > forget then
  redis.call('DEL', pair)
  failures, blocked = 0, 0
end
if now < blocked then return {'user', math.ceil(blocked - now), 0} end
if pending > 0 and pending >= math.max(free - failures, 1) then
  return {'busy', first, 0}
end
if akey ~= '' then
  local c = bucket(akey, budget, refill)
  if c < 1 then return {'address', math.ceil((1 - c) * refill), 0} end
  redis.call('HSET', akey, 'c', tostring(c - 1), 'u', now)
  redis.call('PEXPIRE', akey, math.ceil(budget * refill))
end
local ticket = redis.call('INCR', counter)
redis.call('ZADD', tickets, now + lease, ticket)
redis.call('PEXPIRE', tickets, lease + forget)
redis.call('HSETNX', pair, 'f', failures)
redis.call('PEXPIRE', pair, lease + forget + max)
return {'', 0, ticket}
"""

# KEYS: pair, tickets, bucket (or ''). ARGV: ticket, succeeded (1/0), free, first_ms,
# max_ms, forget_ms, budget, refill_ms.
_SETTLE = _NOW + """
local pair, tickets, akey = KEYS[1], KEYS[2], KEYS[3]
local free, first, max = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local forget, budget, refill = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
if redis.call('ZREM', tickets, ARGV[1]) == 0 then return 0 end
if ARGV[2] == '1' then
  redis.call('HSET', pair, 'f', 0, 'b', 0)
  if akey ~= '' then
    local c = bucket(akey, budget, refill)
    redis.call('HSET', akey, 'c', tostring(math.min(c + 1, budget)), 'u', now)
    redis.call('PEXPIRE', akey, math.ceil(budget * refill))
  end
  if redis.call('ZCARD', tickets) == 0 then redis.call('DEL', pair, tickets) end
  return 1
end
local failures = tonumber(redis.call('HGET', pair, 'f') or 0)
local blocked = tonumber(redis.call('HGET', pair, 'b') or 0)
fail(pair, failures, blocked, free, first, max)
redis.call('PEXPIRE', pair, forget + max)
return 1
"""


class RedisLoginBrake:
    """`LoginBrake` in Redis, with `MemoryLoginBrake`'s parameters and rules. `lease`: how
    long a granted check may take before it counts as a failure (its replica died)."""

    def __init__(self, client: redis.Redis, prefix: str, *, free_checks: int = 3,
                 first_delay: float = 1.0, max_delay: float = 60.0,
                 forget_after: float = 900.0, address_budget: int = 30,
                 address_refill: float = 10.0, lease: float = 120.0) -> None:
        if free_checks < 1 or address_budget < 1:
            raise ValueError("free_checks and address_budget must be at least 1")
        self.client = client
        self.prefix = f"{prefix}:brake"
        self._limits = [free_checks, int(first_delay * 1000), int(max_delay * 1000),
                        int(forget_after * 1000), address_budget, int(address_refill * 1000)]
        self._lease = int(lease * 1000)
        self._reserve = client.register_script(_RESERVE)
        self._settle = client.register_script(_SETTLE)

    def _keys(self, user: str, source: str, address: str | None) -> list[str]:
        pair = f"{user}:{source}"
        return [f"{self.prefix}:p:{pair}", f"{self.prefix}:t:{pair}",
                f"{self.prefix}:a:{address}" if address is not None else ""]

    async def reserve(self, user: str, source: str, address: str | None) -> Attempt:
        return self.reserve_now(user, source, address)

    async def settle(self, attempt: Attempt, *, succeeded: bool) -> None:
        self.settle_now(attempt, succeeded=succeeded)

    def reserve_now(self, user: str, source: str, address: str | None) -> Attempt:
        keys = [*self._keys(user, source, address), f"{self.prefix}:tickets"]
        answer = cast(list[Any], self._reserve(keys=keys, args=[*self._limits, self._lease]))
        refused = bytes(answer[0]).decode() or None
        if refused is not None:
            return Attempt(user, source, address, refused=cast(Refusal, refused),
                           retry_after=int(answer[1]) / 1000)
        return Attempt(user, source, address, ticket=int(answer[2]))

    def settle_now(self, attempt: Attempt, *, succeeded: bool) -> None:
        if not attempt.granted:
            return
        self._settle(keys=self._keys(attempt.user, attempt.source, attempt.address),
                     args=[attempt.ticket, 1 if succeeded else 0, *self._limits])
