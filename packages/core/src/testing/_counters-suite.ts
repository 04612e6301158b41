/**
 * Conformance tests of the sliding-log counters of `Store` (`hit`, `purgeCounters`) (internal).
 * @module
 */
import { describe, expect, it } from "vitest";
import type { HitOptions, HitResult } from "../store/types.js";
import { T0, uniqueName, type StoreAccessor } from "./_fixtures.js";

const MINUTE = 60_000;

/** Registers the counter tests; `parallel` is the number of concurrent hits (limit: a quarter of them). */
export function counterTests(store: StoreAccessor, parallel: number): void {
  const hit = (key: string, options: HitOptions) => store().hit(key, options);
  hitTests(hit);
  counterStateTests(store, hit, parallel);
}

type Hit = (key: string, options: HitOptions) => Promise<HitResult>;

function hitTests(hit: Hit): void {
  describe("counters: hit", () => {
    it("hit allows `limit` hits per window and reports count and oldest", async () => {
      const key = uniqueName("k");
      const rate = { limit: 2, windowMs: MINUTE };
      expect(await hit(key, { ...rate, now: T0 })).toEqual({ allowed: true, count: 1, oldest: T0 });
      expect(await hit(key, { ...rate, now: T0 + 5 })).toEqual({ allowed: true, count: 2, oldest: T0 });
      expect(await hit(key, { ...rate, now: T0 + 9 })).toEqual({ allowed: false, count: 2, oldest: T0 });
    });

    it("the window slides: a hit leaves once it is <= now - windowMs", async () => {
      const key = uniqueName("k");
      const at = (seconds: number) => hit(key, { limit: 3, windowMs: MINUTE, now: T0 + seconds * 1000 });
      for (const seconds of [0, 20, 40]) expect((await at(seconds)).allowed).toBe(true);
      expect(await at(59)).toEqual({ allowed: false, count: 3, oldest: T0 });
      expect(await at(59.999)).toEqual({ allowed: false, count: 3, oldest: T0 });
      expect(await at(60)).toEqual({ allowed: true, count: 3, oldest: T0 + 20_000 });
      expect((await at(60.001)).allowed).toBe(false);
      expect(await at(80)).toEqual({ allowed: true, count: 3, oldest: T0 + 40_000 });
    });

    it("dryRun answers as a hit would but records nothing", async () => {
      const key = uniqueName("k");
      const rate = { limit: 1, windowMs: MINUTE };
      const fresh = await hit(key, { ...rate, now: T0, dryRun: true });
      expect(fresh).toEqual({ allowed: true, count: 0, oldest: null });
      expect(await hit(key, { ...rate, now: T0 })).toEqual({ allowed: true, count: 1, oldest: T0 });
      const full = { allowed: false, count: 1, oldest: T0 };
      expect(await hit(key, { ...rate, now: T0 + 1, dryRun: true })).toEqual(full);
      expect(await hit(key, { ...rate, now: T0 + 2, dryRun: true })).toEqual(full);
      const later = await hit(key, { ...rate, now: T0 + MINUTE, dryRun: true });
      expect(later).toEqual({ allowed: true, count: 0, oldest: null });
    });

    it("keeps separate keys independent", async () => {
      const [a, b] = [uniqueName("a"), uniqueName("b")];
      const rate = { limit: 1, windowMs: MINUTE, now: T0 };
      expect((await hit(a, rate)).allowed).toBe(true);
      expect((await hit(a, rate)).allowed).toBe(false);
      expect(await hit(b, rate)).toEqual({ allowed: true, count: 1, oldest: T0 });
    });

  });
}

function counterStateTests(store: StoreAccessor, hit: Hit, parallel: number): void {
  describe("counters: atomicity and bounded state", () => {
    it("keeps state bounded by the limit", async () => {
      const key = uniqueName("k");
      for (let i = 0; i < 20; i++) {
        const result = await hit(key, { limit: 5, windowMs: MINUTE, now: T0 + i });
        expect(result.count).toBe(Math.min(i + 1, 5));
      }
      expect((await hit(key, { limit: 5, windowMs: MINUTE, now: T0 + 30, dryRun: true })).count).toBe(5);
      const shrunk = await hit(key, { limit: 2, windowMs: MINUTE, now: T0 + 31 });
      expect(shrunk).toMatchObject({ allowed: false, count: 2 });
      expect((await hit(key, { limit: 2, windowMs: MINUTE, now: T0 + 32, dryRun: true })).count).toBe(2);
    });

    it(`allows exactly the limit out of ${parallel} concurrent hits`, async () => {
      const key = uniqueName("k");
      const limit = Math.max(1, Math.floor(parallel / 4));
      const calls = Array.from({ length: parallel }, () => hit(key, { limit, windowMs: MINUTE, now: T0 }));
      const results = await Promise.all(calls);
      expect(results.filter((r) => r.allowed)).toHaveLength(limit);
      for (const result of results) expect(result.count).toBeLessThanOrEqual(limit);
      expect((await hit(key, { limit, windowMs: MINUTE, now: T0, dryRun: true })).count).toBe(limit);
    });

    it("purgeCounters deletes the counters whose newest hit left its window", async () => {
      const [short, long] = [uniqueName("short"), uniqueName("long")];
      await hit(short, { limit: 5, windowMs: 10_000, now: T0 });
      await hit(long, { limit: 5, windowMs: MINUTE, now: T0 });
      expect(await store().purgeCounters(T0 + 9_999)).toBe(0);
      expect(await store().purgeCounters(T0 + 10_000)).toBe(1);
      expect((await hit(short, { limit: 5, windowMs: 10_000, now: T0, dryRun: true })).count).toBe(0);
      const kept = await hit(long, { limit: 5, windowMs: MINUTE, now: T0 + 10_000, dryRun: true });
      expect(kept).toEqual({ allowed: true, count: 1, oldest: T0 });
      expect(await store().purgeCounters(T0 + MINUTE)).toBe(1);
      expect(await store().purgeCounters(T0 + MINUTE)).toBe(0);
      expect((await hit(long, { limit: 5, windowMs: MINUTE, now: T0, dryRun: true })).count).toBe(0);
    });
  });
}
