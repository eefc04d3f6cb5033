"""`RedisDeepLinks`: DeepLinkButton's links, and the outputs each session was last sent, in
the cluster's Redis, so a link made through one replica opens through any, and holds the
outputs whichever replica ran the session's events sent.

The rules are porch.server.deep_links' (it chooses what a snapshot holds: inputs as posted,
outputs only as the server sent them, never files, States or passwords; ids 128 random bits),
and so are the bounds: a session's newest `per_session` links, the newest `capacity` overall
within `links_bytes`; sent outputs for the `sessions` most recently active sessions within
`sent_bytes`. Redis adds a TTL to both (`link_ttl`, `sent_ttl`), since nothing restarts it.

Keys under `<prefix>:dl` (sessions named by a digest, so any hash fits in a key):
- `l:<id>` a link's values (signed JSON, expiring after `link_ttl`); `all` a ZSET of the links
  by age, `sizes` a HASH of their bytes, `bytes` the total; `mine:<session>` a ZSET of one
  session's links by age;
- `o:<session>` a HASH of one session's sent outputs (`v<id>` signed JSON, `n<id>` its bytes,
  expiring after `sent_ttl` without an event); `active` a ZSET of sessions by last event,
  `obytes` a HASH of each session's bytes, `ototal` the total.
Each change runs as one Lua script, so replicas adding at once keep the counts right. A key
gone by TTL is noticed from the oldest end (all of one kind share one TTL, so the oldest
expire first) and its bytes given back.

Values are signed (HMAC under a key derived from the cluster's secret, the link's id or the
session in the context): whoever can write to the Redis without the secret cannot make a link
show an output the server never sent, nor move one session's outputs into another's link.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import redis

from porch.cluster.replies import as_bytes, as_text
from porch.cluster.signing import Signer, TamperedValue
from porch.server.deep_links import (
    LINK_ID,
    LinkBounds,
    new_link_id,
    sent_entries,
    snapshot,
)

log = logging.getLogger("porch.cluster")

LINK_TTL = 30 * 24 * 3600  # a link lasts a month
SENT_TTL = 7 * 24 * 3600  # a session's outputs, a week after its last event

# Drops one link: its key, its place in `all`, its bytes.
_DROP_LINK = """
local function drop(id)
  local size = tonumber(redis.call('HGET', KEYS[3], id) or '0')
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('DECRBY', KEYS[4], size)
  redis.call('DEL', ARGV[8] .. id)
end
"""

# KEYS: link, all, sizes, bytes, mine, seq.
# ARGV: id, blob, size, ttl ms, per_session, capacity, links_bytes, link prefix.
ADD_LINK = _DROP_LINK + """
local seq = redis.call('INCR', KEYS[6])
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
redis.call('INCRBY', KEYS[4], ARGV[3])
redis.call('ZADD', KEYS[5], seq, ARGV[1])
redis.call('PEXPIRE', KEYS[5], ARGV[4])
local over = redis.call('ZCARD', KEYS[5]) - tonumber(ARGV[5])
if over > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[5], 0, over - 1)) do drop(old) end
  redis.call('ZREMRANGEBYRANK', KEYS[5], 0, over - 1)
end
while true do
  local first = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #first == 0 then break end
  if redis.call('EXISTS', ARGV[8] .. first[1]) == 1
     and redis.call('ZCARD', KEYS[2]) <= tonumber(ARGV[6])
     and tonumber(redis.call('GET', KEYS[4]) or '0') <= tonumber(ARGV[7]) then break end
  drop(first[1])
end
"""

# KEYS: the session's outputs, active, obytes, ototal, seq.
# ARGV: session, ttl ms, sessions, sent_bytes, outputs prefix, then per output:
# id, blob ('' for a value a link cannot carry: it replaces the older one), bytes.
SENT = """
local h = KEYS[1]
local function drop(s)
  local size = tonumber(redis.call('HGET', KEYS[3], s) or '0')
  redis.call('HDEL', KEYS[3], s)
  redis.call('ZREM', KEYS[2], s)
  redis.call('DECRBY', KEYS[4], size)
  redis.call('DEL', ARGV[5] .. s)
end
if redis.call('EXISTS', h) == 0 then drop(ARGV[1]) end
local delta = 0
for i = 6, #ARGV, 3 do
  local id = ARGV[i]
  delta = delta - tonumber(redis.call('HGET', h, 'n' .. id) or '0')
  if ARGV[i + 1] == '' then
    redis.call('HDEL', h, 'v' .. id, 'n' .. id)
  else
    redis.call('HSET', h, 'v' .. id, ARGV[i + 1], 'n' .. id, ARGV[i + 2])
    delta = delta + tonumber(ARGV[i + 2])
  end
end
redis.call('HINCRBY', KEYS[3], ARGV[1], delta)
redis.call('INCRBY', KEYS[4], delta)
if redis.call('EXISTS', h) == 1 then
  redis.call('PEXPIRE', h, ARGV[2])
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[5]), ARGV[1])
else
  drop(ARGV[1])
end
while true do
  local first = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #first == 0 then break end
  if redis.call('EXISTS', ARGV[5] .. first[1]) == 1
     and redis.call('ZCARD', KEYS[2]) <= tonumber(ARGV[3])
     and tonumber(redis.call('GET', KEYS[4]) or '0') <= tonumber(ARGV[4]) then break end
  drop(first[1])
end
"""


def _session_key(session: str) -> str:
    return hashlib.sha256(session.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class RedisDeepLinks(LinkBounds):
    """`DeepLinkStore` shared by every replica (see the module docstring)."""

    def __init__(self, client: redis.Redis, prefix: str, signer: Signer, *,
                 link_ttl: float = LINK_TTL, sent_ttl: float = SENT_TTL,
                 **bounds: int) -> None:
        super().__init__(**bounds)
        self.client = client
        self.prefix = f"{prefix}:dl"
        self._signer = signer
        self.link_ttl_ms = max(int(link_ttl * 1000), 1)
        self.sent_ttl_ms = max(int(sent_ttl * 1000), 1)
        self._add = client.register_script(ADD_LINK)
        self._sent = client.register_script(SENT)

    # ---- what each session was sent -------------------------------------------------------
    def _output_context(self, session_key: str, block_id: int) -> bytes:
        return f"out:{session_key}:{block_id}".encode()

    def sent(self, session: str, outputs: Iterable[tuple[int, Any]]) -> None:
        """The server sent these output values (full, not diffs) to `session`. A Redis that
        does not answer costs the record, never the event's answer."""
        kept = sent_entries(outputs, self.max_value_bytes)
        if not kept:
            return
        session_key = _session_key(session)
        args: list[str | bytes | int] = [session_key, self.sent_ttl_ms, self.sessions,
                                         self.sent_bytes, f"{self.prefix}:o:"]
        for block_id, entry in kept.items():
            if entry is None:
                args += [block_id, "", 0]
            else:
                value, size = entry
                blob = self._signer.sign(json.dumps(value, allow_nan=False).encode(),
                                         self._output_context(session_key, block_id))
                args += [block_id, blob, size]
        keys = [f"{self.prefix}:o:{session_key}", f"{self.prefix}:active",
                f"{self.prefix}:obytes", f"{self.prefix}:ototal", f"{self.prefix}:oseq"]
        try:
            self._sent(keys=keys, args=args)
        except redis.RedisError as exc:
            log.warning("deep links: could not record a session's outputs (%s)", exc)

    def _sent_values(self, session: str) -> dict[int, Any]:
        session_key = _session_key(session)
        found = self.client.hgetall(f"{self.prefix}:o:{session_key}")
        values: dict[int, Any] = {}
        for field, blob in found.items():
            name = as_text(field)
            if not name.startswith("v") or not name[1:].isdigit():
                continue
            block_id = int(name[1:])
            try:
                payload = self._signer.verify(as_bytes(blob),
                                              self._output_context(session_key, block_id))
            except TamperedValue:
                log.warning("deep links: a recorded output's signature does not match; "
                            "left out")
                continue
            values[block_id] = json.loads(payload)
        return values

    # ---- links ----------------------------------------------------------------------------
    def create(self, session: str, posted: Mapping[int, Any], *, inputs: set[int],
               linkable: set[int]) -> str:
        """A new link for `session` (porch.server.deep_links.snapshot says what it holds)."""
        kept, total = snapshot(self._sent_values(session), posted, inputs=inputs,
                               linkable=linkable, max_value_bytes=self.max_value_bytes,
                               link_bytes=self.link_bytes)
        link = new_link_id()
        blob = self._signer.sign(json.dumps(kept).encode(), f"link:{link}".encode())
        keys = [f"{self.prefix}:l:{link}", f"{self.prefix}:all", f"{self.prefix}:sizes",
                f"{self.prefix}:bytes", f"{self.prefix}:mine:{_session_key(session)}",
                f"{self.prefix}:seq"]
        self._add(keys=keys, args=[link, blob, total, self.link_ttl_ms, self.per_session,
                                   self.capacity, self.links_bytes, f"{self.prefix}:l:"])
        return link

    def load(self, link: str) -> dict[int, Any] | None:
        """The values saved under `link`, or None for an id that names nothing (or holds
        bytes no replica signed)."""
        if not LINK_ID.fullmatch(link):
            return None
        blob = self.client.get(f"{self.prefix}:l:{link}")
        if blob is None:
            return None
        try:
            payload = self._signer.verify(as_bytes(blob), f"link:{link}".encode())
        except TamperedValue:
            log.warning("deep links: link %s's signature does not match; refused", link[:6])
            return None
        return {int(k): v for k, v in json.loads(payload).items()}
