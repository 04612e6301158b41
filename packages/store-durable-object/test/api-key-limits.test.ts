/**
 * Per-API-key limits on Durable Object counters (the real PortcullisCounters in workerd): 200 concurrent requests
 * on one key against a 50/min per-key throttle, and against a 50/day quota, let exactly 50 through.
 */
import { guard } from "@portcullis/core";
import { apiKeyAuth, apiKeyQuota, issueApiKey, perKeyRateThrottle } from "@portcullis/core/api-keys";
import { memoryStore } from "@portcullis/store-memory";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remoteCounters, startCounterWorker } from "./_harness.js";

let mf: Miniflare;

beforeAll(async () => {
  mf = await startCounterWorker();
});

afterAll(async () => {
  await mf?.dispose();
});

describe("per-key limits on durableObjectCounters", () => {
  it("200 concurrent requests on one key: exactly 50 pass a 50/min throttle, and a 50/day quota", async () => {
    const keys = memoryStore();
    const counters = remoteCounters(mf, `apikeys-${Date.now()}:`);
    for (const throttle of [perKeyRateThrottle("50/min", { store: counters }), apiKeyQuota("50/day", { store: counters })]) {
      const { key } = await issueApiKey(keys, { ownerId: "org" });
      const check = guard({ schemes: [apiKeyAuth({ store: keys })], throttles: [throttle] });
      const now = 1_700_000_000_000;
      const request = () => new Request("https://api.test/", { headers: { authorization: `Bearer ${key}` } });
      const decisions = await Promise.all(Array.from({ length: 200 }, () => check(request(), { now: () => now })));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
      expect(new Set(decisions.flatMap((d) => (d.allowed ? [] : [d.error.status])))).toEqual(new Set([429]));
    }
  }, 120_000);
});
