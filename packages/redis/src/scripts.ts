/*
 * The Lua scripts behind the Redis state. Each runs atomically on the server and reads the time
 * from Redis itself (TIME), so instances with skewed clocks still agree on windows and leases.
 */

const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS[1] sorted set of holders scored by lease expiry; ARGV limit, holder, leaseMs. 1 taken, 0 full. */
export const ACQUIRE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local lease = tonumber(ARGV[3])
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[2])
redis.call('PEXPIRE', KEYS[1], lease * 2)
return 1`;

/**
 * KEYS sorted sets; ARGV leaseMs, then for each key the number of its holders and the holders:
 * extends their leases, adding those a set no longer has. A holder is given only while its
 * connection is open on the calling instance, so adding it back is right: after Redis lost its
 * data, or was away past the lease, this is what makes a cap count the connections still open.
 * One call renews every slot an instance holds (on a cluster, one per key: keys of other slots
 * cannot share a script).
 */
export const RENEW = `${NOW}
local lease = tonumber(ARGV[1])
local at = 2
for k = 1, #KEYS do
  local n = tonumber(ARGV[at])
  for i = at + 1, at + n do redis.call('ZADD', KEYS[k], now + lease, ARGV[i]) end
  redis.call('PEXPIRE', KEYS[k], lease * 2)
  at = at + n + 1
end
return 1`;

/**
 * KEYS[1] hash {s: window start, c: hits in it, p: hits in the previous one}; ARGV limit, windowMs.
 * The sliding-window counter of the embedded RateWindow, O(1): -1 when admitted, else the ms to wait.
 */
export const HIT = `${NOW}
local limit = tonumber(ARGV[1])
local w = tonumber(ARGV[2])
local start = now - (now % w)
local h = redis.call('HMGET', KEYS[1], 's', 'c', 'p')
local s = tonumber(h[1])
local c = tonumber(h[2]) or 0
local p = tonumber(h[3]) or 0
if s ~= start then
  if s == start - w then p = c else p = 0 end
  c = 0
end
local overlap = 1 - (now - start) / w
local wait = -1
if c + p * overlap + 1 <= limit then
  c = c + 1
elseif c + 1 > limit then
  local decay = 1
  if limit >= 1 then decay = math.max(0, 1 - (limit - 1) / c) end
  wait = math.ceil((start + w - now) + decay * w)
else
  wait = math.max(1, math.ceil(w * (overlap - (limit - c - 1) / p)))
end
redis.call('HSET', KEYS[1], 's', start, 'c', c, 'p', p)
redis.call('PEXPIRE', KEYS[1], w * 2)
return wait`;

/**
 * KEYS[1] stream, KEYS[2] its sequence counter, KEYS[3] its live channel (a channel, declared so a
 * cluster sees one slot); ARGV payload, retention, publish (1: publish "<seq> <payload>" now), floor
 * (the highest id the caller has seen in this stream). The entry's id is "<seq>-1". The floor keeps
 * ids from being handed out twice when a failover lost the last entries and the counter with them.
 */
export const APPEND = `local seq = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[4])
if seq <= floor then
  seq = floor + 1
  redis.call('SET', KEYS[2], seq)
end
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], seq .. '-1', 'p', ARGV[1])
if ARGV[3] == '1' then redis.call('PUBLISH', KEYS[3], seq .. ' ' .. ARGV[1]) end
return seq`;
