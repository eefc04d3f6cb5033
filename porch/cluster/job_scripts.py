"""The shared queue's Lua scripts (porch.cluster.jobs): each runs as one atomic step in Redis,
so two replicas never take the same slot, the same job or the same lease."""

# KEYS: waiting, keys, job, seq, waiting_n, limits, running. ARGV: id, K, blob, fn, batch,
# limit, max_size, take now (1: the joining replica runs it if it is K's head and K has
# room), now ms, lease ms, replica. Returns {rank, size, taken}; rank -1: the queue is full.
ENQUEUE = """
local max = tonumber(ARGV[7])
if max >= 0 and tonumber(redis.call('GET', KEYS[5]) or '0') >= max then return {-1, 0, 0} end
local seq = redis.call('INCR', KEYS[4])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[6], ARGV[2], ARGV[6])
if ARGV[8] == '1' and redis.call('ZCARD', KEYS[1]) == 0 and
   (ARGV[6] == '' or redis.call('ZCARD', KEYS[7]) < tonumber(ARGV[6])) then
  redis.call('HSET', KEYS[3], 'blob', ARGV[3], 'key', ARGV[2], 'fn', ARGV[4], 'batch', ARGV[5],
             'seq', seq, 'attempt', 1, 'owner', ARGV[11])
  redis.call('ZADD', KEYS[7], tonumber(ARGV[9]) + tonumber(ARGV[10]), ARGV[1])
  return {0, 1, 1}
end
redis.call('HSET', KEYS[3], 'blob', ARGV[3], 'key', ARGV[2], 'fn', ARGV[4], 'batch', ARGV[5],
           'seq', seq, 'attempt', 0)
redis.call('ZADD', KEYS[1], seq, ARGV[1])
redis.call('INCR', KEYS[5])
return {redis.call('ZRANK', KEYS[1], ARGV[1]), redis.call('ZCARD', KEYS[1]), 0}
"""

# KEYS: waiting, running, waiting_n, limits. ARGV: K, now ms, lease ms, replica, job prefix.
TAKE = """
local prefix = ARGV[5]
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[2], id)
  local seq = redis.call('HGET', prefix .. id, 'seq')
  if seq then
    redis.call('ZADD', KEYS[1], seq, id)
    redis.call('INCR', KEYS[3])
  end
end
local limit = redis.call('HGET', KEYS[4], ARGV[1])
if limit and limit ~= '' and redis.call('ZCARD', KEYS[2]) >= tonumber(limit) then return {0} end
local head = nil
while true do
  local first = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #first == 0 then return {0} end
  if redis.call('EXISTS', prefix .. first[1]) == 1 then head = first[1] break end
  redis.call('ZREM', KEYS[1], first[1])
  redis.call('DECR', KEYS[3])
end
local batch = tonumber(redis.call('HGET', prefix .. head, 'batch') or '1')
local fn = redis.call('HGET', prefix .. head, 'fn')
local ids = {head}
if batch > 1 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 1, batch - 1)) do
    local job = prefix .. id
    if redis.call('HGET', job, 'fn') ~= fn or
       tonumber(redis.call('HGET', job, 'batch') or '1') <= 1 then break end
    table.insert(ids, id)
  end
end
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('DECR', KEYS[3])
  redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[3]), id)
  local attempt = redis.call('HINCRBY', prefix .. id, 'attempt', 1)
  redis.call('HSET', prefix .. id, 'owner', ARGV[4])
  table.insert(out, id)
  table.insert(out, attempt)
  table.insert(out, redis.call('HGET', prefix .. id, 'blob'))
end
-- Whether another take could find something now (saves an empty call).
local more = 0
if redis.call('ZCARD', KEYS[1]) > 0 and (not limit or limit == '' or
   redis.call('ZCARD', KEYS[2]) < tonumber(limit)) then more = 1 end
table.insert(out, more)
return out
"""

# ARGV: expiry ms, job prefix, replica, then (running key, id, attempt) triples. Returns the
# ids whose lease is no longer this replica's.
RENEW = """
local lost = {}
for i = 4, #ARGV, 3 do
  local running, id, attempt = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local job = ARGV[2] .. id
  if redis.call('ZSCORE', running, id) and redis.call('HGET', job, 'owner') == ARGV[3]
     and redis.call('HGET', job, 'attempt') == attempt then
    redis.call('ZADD', running, 'XX', ARGV[1], id)
  else
    table.insert(lost, id)
  end
end
return lost
"""

# A run ended: its slots are free, and if a job waits in K, every replica hears so (when none
# does, nobody needs to look). KEYS: running, waiting. ARGV: job prefix, doorbell channel,
# doorbell message, then the run's event ids. Returns how many wait in K.
FINISH = """
for i = 4, #ARGV do
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('DEL', ARGV[1] .. ARGV[i])
end
local waiting = redis.call('ZCARD', KEYS[2])
if waiting > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return waiting
"""

# A run this replica lost or leaves: back in front of its key's waiting set.
REQUEUE = """
if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
  local seq = redis.call('HGET', KEYS[3], 'seq')
  if seq then
    redis.call('ZADD', KEYS[1], seq, ARGV[1])
    redis.call('INCR', KEYS[4])
  end
end
"""
