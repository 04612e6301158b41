/**
 * Conformance tests of `rateLimiter` on a counter store (internal): the exact limit under concurrency, the
 * RateLimit fields and `Retry-After`, as the store counts them.
 * @module
 */
import { describe, expect, it } from "vitest";
import { rateLimiter } from "@portcullis/core";
import type { CounterStore } from "@portcullis/core";
import { T0, uniqueName, type StoreAccessor } from "./_fixtures.js";

/** Registers the rate limiter tests; `parallel` concurrent requests against a limit of a quarter of them. */
export function rateLimitTests(store: StoreAccessor<CounterStore>, parallel: number): void {
  describe("counters: rateLimiter", () => {
    it(`lets exactly the limit through out of ${parallel} concurrent requests, and 429 the rest`, async () => {
      const limit = Math.max(1, Math.floor(parallel / 4));
      const limiter = rateLimiter({ rate: { limit, windowMs: 60_000 }, store: store(), name: uniqueName("burst") });
      const ctx = { clientIp: "203.0.113.9", now: () => T0 };
      const outcomes = await Promise.all(Array.from({ length: parallel }, () => limiter(new Request("https://api.test/"), ctx)));
      expect(outcomes.filter((o) => o.allowed)).toHaveLength(limit);
      const refused = outcomes.flatMap((o) => (o.allowed ? [] : [o.response]));
      expect(new Set(refused.map((r) => r.status))).toEqual(new Set([429]));
      expect(new Set(refused.map((r) => r.headers.get("Retry-After")))).toEqual(new Set(["60"]));
      expect(refused[0]?.headers.get("RateLimit")).toMatch(/;r=0;t=60$/);
      const other = await limiter(new Request("https://api.test/"), { clientIp: "203.0.113.10", now: () => T0 });
      expect(other.allowed).toBe(true);
    });

    it("states the policy and the remaining quota of the sliding window on every answer", async () => {
      const name = uniqueName("p");
      const limiter = rateLimiter({ rate: "2/min", store: store(), name, key: { header: "X-Api-Key" } });
      const at = (seconds: number) =>
        limiter(new Request("https://api.test/", { headers: { "X-Api-Key": "k-1" } }), { now: () => T0 + seconds * 1000 });
      const first = await at(0);
      const second = await at(20);
      const third = await at(30);
      expect(first.allowed && first.headers).toEqual({ "RateLimit-Policy": `"${name}";q=2;w=60`, RateLimit: `"${name}";r=1;t=60` });
      expect(second.allowed && second.headers.RateLimit).toBe(`"${name}";r=0;t=40`);
      expect(third.allowed).toBe(false);
      if (!third.allowed) expect([third.response.headers.get("Retry-After"), third.response.headers.get("RateLimit")]).toEqual(["30", `"${name}";r=0;t=30`]);
      expect((await at(60)).allowed).toBe(true);
    });
  });
}
