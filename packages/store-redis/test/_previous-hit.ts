/**
 * The hit script of the previous release (verbatim, from before the cheaper hit script): members numbered by a
 * meta `HINCRBY`, two score reads per hit. Kept as a fixture so the tests can run it against the same counters as
 * this release's script, as a rolling deploy does.
 * @module
 */

/** The previous release's `HIT` body (ARGV: now, windowMs, limit, dryRun). */
export const PREVIOUS_HIT = `
local function exact(x) return string.format('%.17g', x) end
local function score(key, index)
  local entry = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
  return entry[2]
end
local function expire(ttl)
  if ttl <= 0 then redis.call('DEL', KEYS[1], KEYS[2]) return end
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end

local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local cutoff = now - window
if ARGV[4] == '1' or limit < 1 then
  local live = redis.call('ZCOUNT', KEYS[1], '(' .. exact(cutoff), '+inf')
  local count = math.max(math.min(live, limit), 0)
  local oldest = ''
  if count > 0 then
    oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. exact(cutoff), '+inf', 'WITHSCORES', 'LIMIT', live - count, 1)[2]
  end
  return { count < limit and 1 or 0, count, oldest }
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', exact(cutoff))
local count = redis.call('ZCARD', KEYS[1])
if count > limit then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - limit - 1)
  count = limit
end
local allowed = count < limit
if allowed then
  local n = redis.call('HINCRBY', KEYS[2], 'n', 1)
  while redis.call('ZADD', KEYS[1], 'NX', ARGV[1], n) == 0 do n = redis.call('HINCRBY', KEYS[2], 'n', 1) end
  count = count + 1
end
if count == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return { allowed and 1 or 0, 0, '' }
end
redis.call('HSET', KEYS[2], 'w', ARGV[2])
expire(math.ceil(tonumber(score(KEYS[1], -1)) + window - now))
return { allowed and 1 or 0, count, score(KEYS[1], 0) }
`;
