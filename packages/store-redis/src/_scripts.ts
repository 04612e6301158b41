/**
 * The Lua scripts of `redisCounters` (internal). Each counter operation is ONE script: Redis runs a script
 * alone, start to end, so concurrent hits on one key (from any number of processes) can never both take the
 * last slot, and a release can never race a hit. Same semantics as the memory and D1 stores' sliding logs.
 *
 * A counter is two keys in one hash slot (`KEYS[1]`, `KEYS[2]`, see `_keys.ts`):
 * - the log, a sorted set: one member per recorded hit, score = the hit's time (epoch ms), member unique within
 *   the counter (equal times must stay distinct entries): `<time>:<live count before the hit>`, the count raised
 *   until `ZADD NX` takes it (a clash needs fewer live hits now than when a hit at the same time was recorded).
 *   Earlier releases numbered the members from a meta `HINCRBY` (`n`); those members stay valid and can never
 *   clash with these (no `:`), so both versions can share counters during a rolling deploy;
 * - the meta hash: `w` = the window of the last hit (for `purgeCounters`).
 * Both carry the same PEXPIRE, `newest hit + window - now`, so an idle counter vanishes on its own.
 *
 * Times pass as decimal strings and are compared as doubles, as JavaScript does; the oldest hit comes back as a
 * string that reads back as its score exactly (the `now` it was sent as, or the score Redis prints), since Lua
 * numbers returned to a client are truncated.
 *
 * Cost (the hot path): a hit reads the oldest member first and prunes only when it has left the window, takes
 * times from member names rather than formatted scores, and reads the newest only when two or more hits are
 * live; a steady hit runs 7 Redis commands (the previous script ran 9), a counter's first hit 5.
 * @module
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

/** A script and its SHA-1, as `EVALSHA` names it. */
export interface Script {
  readonly name: string;
  readonly body: string;
  readonly sha: string;
}

function script(name: string, body: string): Script {
  return { name, body, sha: bytesToHex(sha1(utf8ToBytes(body))) };
}

// Shared preamble. `exact` prints a double so that it reads back the same (Lua's own `..` keeps 14 digits
// only); `score` reads the score of the entry at a rank; `timeOf` reads a hit's time from its member (no score
// formatting); `expire` gives both keys one TTL (deleting them at 0).
const HELPERS = `
local function exact(x) return string.format('%.17g', x) end
local function score(key, index)
  local entry = redis.call('ZRANGE', key, index, index, 'WITHSCORES')
  return entry[2]
end
-- The time of a log member (nil for none), as a decimal string that reads back as its score exactly: this
-- release's members carry the hit's \`now\` argument before the \`:\`; an earlier release's (bare sequence
-- numbers) need ZSCORE.
local function timeOf(member)
  if not member then return nil end
  return string.match(member, '^([^:]+):') or redis.call('ZSCORE', KEYS[1], member)
end
local function expire(ttl)
  if ttl <= 0 then redis.call('DEL', KEYS[1], KEYS[2]) return end
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
`;

/**
 * One sliding-log step. ARGV: now, windowMs, limit, dryRun ("1" or "0"). Answers { allowed (1/0), count,
 * oldest score or "" }. A dry run, or a limit below 1, only reads: the live hits (score > now - windowMs),
 * of which at most the newest `limit` count.
 */
export const HIT = script(
  "hit",
  `${HELPERS}
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
-- The oldest entry first: when it is live there is nothing to prune (the common case, one call saved).
local oldest = timeOf(redis.call('ZRANGE', KEYS[1], 0, 0)[1])
if oldest and tonumber(oldest) <= cutoff then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', exact(cutoff))
  oldest = timeOf(redis.call('ZRANGE', KEYS[1], 0, 0)[1])
end
local count = oldest and redis.call('ZCARD', KEYS[1]) or 0
if count > limit then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - limit - 1)
  count = limit
  oldest = timeOf(redis.call('ZRANGE', KEYS[1], 0, 0)[1])
end
local allowed = count < limit
local newest
if allowed then
  local n = count
  while redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[1] .. ':' .. n) == 0 do n = n + 1 end
  count = count + 1
  if count == 1 then newest = ARGV[1] end
  if count == 1 or now < tonumber(oldest) then oldest = ARGV[1] end
end
if count == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return { allowed and 1 or 0, 0, '' }
end
if not newest then newest = count == 1 and oldest or timeOf(redis.call('ZRANGE', KEYS[1], -1, -1)[1]) end
redis.call('HSET', KEYS[2], 'w', ARGV[2])
expire(math.ceil(tonumber(newest) + window - now))
return { allowed and 1 or 0, count, oldest }
`,
);

/**
 * Takes back one entry whose time is exactly ARGV[1]; answers 1 if one was removed, else 0. Entries with equal
 * times are indistinguishable, so any one of them is the one. When the newest entry goes, the TTL shrinks by
 * the same amount (the counter then expires with its newest remaining hit); an emptied log is deleted.
 */
export const RELEASE = script(
  "releaseHit",
  `${HELPERS}
local found = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1], 'LIMIT', 0, 1)
if #found == 0 then return 0 end
local before = tonumber(score(KEYS[1], -1))
redis.call('ZREM', KEYS[1], found[1])
local after = score(KEYS[1], -1)
if not after then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
local shift = before - tonumber(after)
local ttl = redis.call('PTTL', KEYS[1])
if shift > 0 and ttl > 0 then expire(math.ceil(ttl - shift)) end
return 1
`,
);

/**
 * Deletes the counter if its newest hit has left the window of its last hit at ARGV[1] (now); answers 1 if it
 * did. A meta hash without a log (never left by the scripts above) is removed and not counted.
 */
export const PURGE = script(
  "purgeCounters",
  `
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]
if not newest then
  redis.call('DEL', KEYS[2])
  return 0
end
local window = tonumber(redis.call('HGET', KEYS[2], 'w'))
if window == nil or tonumber(newest) <= tonumber(ARGV[1]) - window then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0
`,
);
