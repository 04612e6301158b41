/**
 * Per-API-key limits on a real redis-server: 200 concurrent requests on one key against a 50/min per-key
 * throttle, and against a 50/day quota, let exactly 50 through (keys in memory, counters in Redis).
 */
import { guard } from "@portcullis/core";
import { apiKeyAuth, apiKeyQuota, issueApiKey, perKeyRateThrottle } from "@portcullis/core/api-keys";
import { memoryStore } from "@portcullis/store-memory";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisCounters } from "../src/index.js";
import { redisMissing, sharedRedis } from "./_redis.js";

describe.skipIf(redisMissing)("per-key limits on Redis counters", () => {
  let server: Awaited<ReturnType<typeof sharedRedis>> | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    server = await sharedRedis();
    client = new Redis(server.url, { lazyConnect: true });
    await client.connect();
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it("200 concurrent requests on one key: exactly 50 pass a 50/min throttle, and a 50/day quota", async () => {
    const keys = memoryStore();
    const counters = redisCounters(client!, { prefix: `apikeys:${process.pid}:${Date.now()}:` });
    for (const throttle of [perKeyRateThrottle("50/min", { store: counters }), apiKeyQuota("50/day", { store: counters })]) {
      const { key } = await issueApiKey(keys, { ownerId: "org" });
      const check = guard({ schemes: [apiKeyAuth({ store: keys })], throttles: [throttle] });
      const now = 1_700_000_000_000;
      const request = () => new Request("https://api.test/", { headers: { authorization: `Bearer ${key}` } });
      const decisions = await Promise.all(Array.from({ length: 200 }, () => check(request(), { now: () => now })));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
      expect(new Set(decisions.flatMap((d) => (d.allowed ? [] : [d.error.status])))).toEqual(new Set([429]));
    }
  }, 60_000);
});
