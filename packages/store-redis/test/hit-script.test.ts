/**
 * The hit script against the memory store's sliding log (the reference semantics), on a real redis-server:
 * seeded random runs of hits, dry runs, releases and purges with equal, fractional and backwards times and
 * changing limits and windows; the same runs with the previous release's script taking every other hit on the
 * same counters (a rolling deploy); and the TTL of both keys after each step.
 */
import type { CounterStore, HitOptions, HitResult } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisCounters } from "../src/index.js";
import { keysOf } from "../src/_keys.js";
import { PREVIOUS_HIT } from "./_previous-hit.js";
import { redisMissing, sharedRedis } from "./_redis.js";

let server: Awaited<ReturnType<typeof sharedRedis>> | undefined;
let redis: Redis;
let run = 0;
const uniquePrefix = () => `hit-script:${process.pid}:${Date.now()}:${++run}:`;

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The previous release's script on the same keys, its answer read as the store reads one. */
async function previousHit(prefix: string, key: string, { limit, windowMs, now, dryRun = false }: HitOptions): Promise<HitResult> {
  const reply = (await redis.eval(PREVIOUS_HIT, 2, ...keysOf(prefix, key), String(now), String(windowMs), String(limit), dryRun ? "1" : "0")) as [number, number, string];
  return { allowed: reply[0] === 1, count: reply[1], oldest: reply[2] === "" ? null : Number(reply[2]) };
}

/** Runs one seeded sequence on Redis and on the memory store; every answer must match. */
async function compare(seed: number, mixed: boolean): Promise<void> {
  const next = random(seed);
  const prefix = uniquePrefix();
  const store: CounterStore = redisCounters(redis, { prefix });
  const reference = memoryStore();
  const hits: { key: string; at: number }[] = [];
  let now = 1_700_000_000_000;
  for (let step = 0; step < 300; step++) {
    const roll = next();
    // Mostly forwards, often the same millisecond, sometimes fractional, sometimes exactly one window (the
    // boundary: a hit at now - windowMs is out), sometimes backwards (another process's clock).
    now += roll < 0.3 ? 0 : roll < 0.75 ? Math.floor(next() * 400) : roll < 0.85 ? next() : roll < 0.92 ? 1000 : -Math.floor(next() * 300);
    const key = `k${Math.floor(next() * 3)}`;
    const action = next();
    const where = `seed ${seed}, step ${step}`;
    if (action < 0.7) {
      const options = { limit: 1 + Math.floor(next() * 4), windowMs: next() < 0.8 ? 1000 : 1500, now, dryRun: next() < 0.15 };
      const viaPrevious = mixed && step % 2 === 0;
      const answer = viaPrevious ? await previousHit(prefix, key, options) : await store.hit(key, options);
      expect(answer, `${where}: hit ${JSON.stringify({ key, ...options, viaPrevious })}`).toEqual(await reference.hit(key, options));
      if (!options.dryRun) await expectTtls(prefix, key, now);
      if (answer.allowed && !options.dryRun) hits.push({ key, at: now });
    } else if (action < 0.9 && hits.length > 0) {
      const { key: hitKey, at } = hits[Math.floor(next() * hits.length)]!;
      expect(await store.releaseHit(hitKey, { at }), `${where}: release ${hitKey} at ${at}`).toBe(await reference.releaseHit(hitKey, { at }));
    } else {
      expect(await store.purgeCounters(now), `${where}: purge at ${now}`).toBe(await reference.purgeCounters(now));
    }
  }
}

/** After a hit: both keys of the counter live until its newest hit leaves the window (as of `now`), or are gone. */
async function expectTtls(prefix: string, key: string, now: number): Promise<void> {
  const [log, meta] = keysOf(prefix, key);
  const newest = (await redis.zrange(log, "-1", "-1", "WITHSCORES"))[1];
  if (newest === undefined) return;
  const window = Number(await redis.hget(meta, "w"));
  // One deadline for both keys (PEXPIRETIME: absolute, so no drift between two reads on a busy machine; the
  // script's two PEXPIREs may land a millisecond apart).
  const [metaAt, logAt] = [Number(await redis.call("PEXPIRETIME", meta)), Number(await redis.call("PEXPIRETIME", log))];
  expect(Math.abs(metaAt - logAt)).toBeLessThanOrEqual(2);
  const logTtl = await redis.pttl(log);
  const ttl = Math.ceil(Number(newest) + window - now);
  expect(logTtl).toBeLessThanOrEqual(ttl);
  expect(logTtl).toBeGreaterThan(ttl - 1000);
}

describe.skipIf(redisMissing)("the hit script on a real redis-server", () => {
  beforeAll(async () => {
    server = await sharedRedis();
    redis = new Redis(server.url);
  });

  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it("answers as the memory store's sliding log does, over seeded random runs", async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) await compare(seed, false);
  });

  it("shares counters with the previous release's script (a rolling deploy): same answers", async () => {
    for (const seed of [11, 12, 13, 14, 15, 16]) await compare(seed, true);
  });

  it("drops a hit exactly one window old (score <= now - windowMs), as the memory store does", async () => {
    const counters = redisCounters(redis, { prefix: uniquePrefix() });
    expect(await counters.hit("b", { limit: 1, windowMs: 1000, now: 5 })).toEqual({ allowed: true, count: 1, oldest: 5 });
    expect(await counters.hit("b", { limit: 1, windowMs: 1000, now: 1004 })).toEqual({ allowed: false, count: 1, oldest: 5 });
    expect(await counters.hit("b", { limit: 1, windowMs: 1000, now: 1005 })).toEqual({ allowed: true, count: 1, oldest: 1005 });
  });

  it("keeps hits at the same time distinct after a release shrank the log (member clash)", async () => {
    const prefix = uniquePrefix();
    const counters = redisCounters(redis, { prefix });
    const rate = { limit: 3, windowMs: 60_000, now: 10 };
    await counters.hit("c", rate); // member 10:0
    await counters.hit("c", rate); // member 10:1
    expect(await counters.releaseHit("c", { at: 10 })).toBe(true); // one of them goes; count is 1 again
    expect(await counters.hit("c", rate)).toEqual({ allowed: true, count: 2, oldest: 10 }); // 10:1 taken: a new member
    expect(await counters.hit("c", rate)).toEqual({ allowed: true, count: 3, oldest: 10 });
    expect(await counters.hit("c", rate)).toEqual({ allowed: false, count: 3, oldest: 10 });
    expect(await redis.zcard(keysOf(prefix, "c")[0])).toBe(3);
  });

  it("reads the times of the previous release's members (bare sequence numbers) exactly", async () => {
    const prefix = uniquePrefix();
    const counters = redisCounters(redis, { prefix });
    const at = 1_700_000_059_999.123;
    await previousHit(prefix, "p", { limit: 3, windowMs: 60_000, now: at });
    expect(await redis.zrange(keysOf(prefix, "p")[0], "0", "-1")).toEqual(["1"]);
    expect(await counters.hit("p", { limit: 3, windowMs: 60_000, now: at + 1 })).toEqual({ allowed: true, count: 2, oldest: at });
    expect(await counters.hit("p", { limit: 3, windowMs: 60_000, now: at - 1 })).toEqual({ allowed: true, count: 3, oldest: at - 1 });
    expect(await counters.hit("p", { limit: 3, windowMs: 60_000, now: at + 60_000 })).toEqual({ allowed: true, count: 2, oldest: at + 1 });
  });
});
