/**
 * What the conformance suite cannot see: the Redis keys themselves (TTL, prefix, hash tags, escaping), the
 * NOSCRIPT fallback, options, and answers Redis should never give.
 */
import { ConfigError, StoreError, basicAuth, obtainTokenHandler } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisCounters, type RedisCountersOptions } from "../src/index.js";
import { keysOf, tagOf } from "../src/_keys.js";
import { redisMissing, sharedRedis } from "./_redis.js";

const MINUTE = 60_000;
let server: Awaited<ReturnType<typeof sharedRedis>> | undefined;
let redis: Redis;
let nodeRedis: ReturnType<typeof createClient>;
let run = 0;
const uniquePrefix = () => `behaviour:${process.pid}:${Date.now()}:${++run}:`;

describe("keys", () => {
  it("escapes braces and % one-to-one, and never leaves an empty hash tag", () => {
    expect(tagOf("throttle:user:3/1000:user:42")).toBe("throttle:user:3/1000:user:42");
    expect(tagOf("a}b{c%d")).toBe("a%7Db%7Bc%25d");
    expect(tagOf("")).toBe("%");
    expect(new Set(["}", "%7D", "%", "", "%25"].map(tagOf)).size).toBe(5);
    expect(keysOf("p:", "}")).toEqual(["p:{%7D}:log", "p:{%7D}:meta"]);
  });
});

describe("options", () => {
  const client = { eval: async () => null, evalsha: async () => null, scan: async () => ["0", []] as [string, string[]] };
  const configError = (options: unknown) => {
    try {
      redisCounters(client, options as RedisCountersOptions);
    } catch (error) {
      return error instanceof ConfigError ? error.option : "not a ConfigError";
    }
    return "no error";
  };

  it("throws ConfigError naming the option", () => {
    expect(configError({ prefix: "a{b}:" })).toBe("prefix");
    expect(configError({ prefix: "" })).toBe("prefix");
    expect(configError({ timeoutMs: 0 })).toBe("timeoutMs");
    expect(configError({ timeoutMs: 1.5 })).toBe("timeoutMs");
    expect(configError({ throttleFailure: "ajar" })).toBe("throttleFailure");
    expect(configError({ onThrottleFailure: () => undefined })).toBe("onThrottleFailure");
    expect(configError({ onThrottleFailure: "log", throttleFailure: "open" })).toBe("onThrottleFailure");
    expect(configError({ failOpen: true })).toBe("failOpen");
    expect(configError({ throttleFailure: "open", onThrottleFailure: () => undefined })).toBe("no error");
    expect(() => redisCounters({} as never)).toThrow(ConfigError);
  });

  it("never mutates the caller's options", () => {
    const options = Object.freeze({ prefix: "x:" });
    redisCounters(client, options);
    expect(options).toEqual({ prefix: "x:" });
  });

  it("the throttles view cannot count logins: basicAuth and obtainTokenHandler refuse it", () => {
    const counters = redisCounters(client, { throttleFailure: "open" });
    const users = memoryStore();
    expect(Object.keys(counters.throttles)).toEqual(["hit"]);
    expect(() => basicAuth({ users, counters: counters.throttles as never })).toThrow(/counters/);
    expect(() => obtainTokenHandler({ store: users, counters: counters.throttles as never })).toThrow(/counters/);
    expect(() => basicAuth({ users, counters })).not.toThrow();
  });
});

describe.skipIf(redisMissing)("on a real redis-server", () => {
  beforeAll(async () => {
    server = await sharedRedis();
    redis = new Redis(server.url);
    nodeRedis = createClient({ url: server.url });
    await nodeRedis.connect();
  });

  afterAll(async () => {
    redis?.disconnect();
    nodeRedis?.destroy();
    await server?.stop();
  });

  it("keeps a counter in two keys under the prefix, both expiring with the newest hit", async () => {
    const prefix = uniquePrefix();
    const counters = redisCounters(redis, { prefix });
    const now = Date.now();
    await counters.hit("k", { limit: 3, windowMs: MINUTE, now: now - 20_000 });
    await counters.hit("k", { limit: 3, windowMs: MINUTE, now });
    expect((await redis.keys(`${prefix}*`)).sort()).toEqual([`${prefix}{k}:log`, `${prefix}{k}:meta`]);
    for (const key of [`${prefix}{k}:log`, `${prefix}{k}:meta`]) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(MINUTE - 1000);
      expect(ttl).toBeLessThanOrEqual(MINUTE);
    }
    expect(await redis.hget(`${prefix}{k}:meta`, "w")).toBe(String(MINUTE));
    // Releasing the newest hit shortens both TTLs to the next newest (20 s older).
    expect(await counters.releaseHit("k", { at: now })).toBe(true);
    for (const key of [`${prefix}{k}:log`, `${prefix}{k}:meta`]) {
      expect(await redis.pttl(key)).toBeLessThanOrEqual(MINUTE - 20_000);
      expect(await redis.pttl(key)).toBeGreaterThan(MINUTE - 21_000);
    }
    expect(await counters.releaseHit("k", { at: now - 20_000 })).toBe(true);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
  });

  it("keys vanish on their own once the newest hit left its window (no purge job)", async () => {
    const prefix = uniquePrefix();
    const counters = redisCounters(redis, { prefix });
    await counters.hit("short", { limit: 5, windowMs: 150, now: Date.now() });
    expect(await redis.exists(`${prefix}{short}:log`, `${prefix}{short}:meta`)).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await redis.exists(`${prefix}{short}:log`, `${prefix}{short}:meta`)).toBe(0);
  });

  it("counters under different prefixes are separate, and purge touches only its own prefix", async () => {
    const [a, b] = [redisCounters(redis, { prefix: uniquePrefix() }), redisCounters(redis, { prefix: uniquePrefix() })];
    const rate = { limit: 1, windowMs: MINUTE, now: 1_000 };
    expect((await a.hit("same", rate)).allowed).toBe(true);
    expect((await b.hit("same", rate)).allowed).toBe(true);
    expect(await a.purgeCounters(1_000 + MINUTE)).toBe(1);
    expect((await b.hit("same", { ...rate, dryRun: true })).count).toBe(1);
  });

  it("keys with braces, % and the empty key are counted apart", async () => {
    const counters = redisCounters(nodeRedis, { prefix: uniquePrefix() });
    const rate = { limit: 1, windowMs: MINUTE, now: 5 };
    for (const key of ["}", "%7D", "", "%", "{x}", "a*b?[c]"]) expect((await counters.hit(key, rate)).allowed).toBe(true);
    expect(await counters.purgeCounters(5 + MINUTE)).toBe(6);
  });

  for (const [name, client] of [["ioredis", () => redis], ["node-redis", () => nodeRedis]] as const) {
    it(`falls back to the script body when Redis answers NOSCRIPT (${name})`, async () => {
      const counters = redisCounters(client(), { prefix: uniquePrefix() });
      await redis.script("FLUSH");
      expect(await counters.hit("k", { limit: 2, windowMs: MINUTE, now: 1 })).toEqual({ allowed: true, count: 1, oldest: 1 });
      await redis.script("FLUSH");
      expect(await counters.releaseHit("k", { at: 1 })).toBe(true);
      await redis.script("FLUSH");
      expect(await counters.purgeCounters(1)).toBe(0);
    });
  }

  it("answers StoreError, naming no key, when a counter key holds something else", async () => {
    const prefix = uniquePrefix();
    const counters = redisCounters(redis, { prefix });
    await redis.set(`${prefix}{secretish}:log`, "not a sorted set");
    const failure = await counters.hit("secretish", { limit: 2, windowMs: MINUTE, now: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as StoreError).message).toBe("Redis counter hit failed.");
    await expect(counters.releaseHit("secretish", { at: 1 })).rejects.toBeInstanceOf(StoreError);
  });

  it("refuses non-finite numbers before reaching Redis (StoreError); a release at such a time finds nothing", async () => {
    const counters = redisCounters(redis, { prefix: uniquePrefix() });
    for (const bad of [{ limit: NaN }, { windowMs: Infinity }, { windowMs: 0 }, { now: NaN }]) {
      // The timeout wrapper hands every failure on as StoreError (so 503), with the TypeError as its cause.
      const error = await counters.hit("k", { limit: 2, windowMs: MINUTE, now: 1, ...bad }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).cause).toBeInstanceOf(TypeError);
    }
    expect(await counters.releaseHit("k", { at: NaN })).toBe(false);
    await expect(counters.purgeCounters(NaN)).rejects.toBeInstanceOf(TypeError);
  });

  it("keeps fractional times exact", async () => {
    const counters = redisCounters(redis, { prefix: uniquePrefix() });
    // 17 significant digits: Lua's own number printing (14 digits) would merge these two times.
    const at = 1_700_000_059_999.123;
    const near = at - 2 ** -12;
    expect(await counters.hit("f", { limit: 2, windowMs: MINUTE, now: at })).toEqual({ allowed: true, count: 1, oldest: at });
    expect(await counters.hit("f", { limit: 2, windowMs: MINUTE, now: near })).toEqual({ allowed: true, count: 2, oldest: near });
    expect(await counters.hit("f", { limit: 2, windowMs: MINUTE, now: near + MINUTE, dryRun: true })).toEqual({ allowed: true, count: 1, oldest: at });
    expect(await counters.releaseHit("f", { at: 1_700_000_059_999 })).toBe(false);
    expect(await counters.releaseHit("f", { at: near })).toBe(true);
    expect(await counters.releaseHit("f", { at })).toBe(true);
  });
});
