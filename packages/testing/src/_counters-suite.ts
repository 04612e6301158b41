/**
 * Conformance tests of the sliding-log counters of `Store` (`hit`, `releaseHit`, `purgeCounters`) (internal).
 * @module
 */
import { describe, expect, it } from "vitest";
import type { CounterStore, HitOptions, HitResult } from "@portcullis/core";
import { T0, uniqueName, type StoreAccessor } from "./_fixtures.js";
import { rateLimitTests } from "./_rate-limit-suite.js";
import { throttleTests } from "./_throttle-suite.js";

const MINUTE = 60_000;

/** Registers the counter tests; `parallel` is the number of concurrent hits (limit: a quarter of them). */
export function counterTests(store: StoreAccessor<CounterStore>, parallel: number): void {
  const hit = (key: string, options: HitOptions) => store().hit(key, options);
  hitTests(hit);
  releaseTests(store, hit, parallel);
  counterStateTests(store, hit, parallel);
  throttleTests(store);
  rateLimitTests(store, parallel);
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

function releaseTests(store: StoreAccessor<CounterStore>, hit: Hit, parallel: number): void {
  const release = (key: string, at: number) => store().releaseHit(key, { at });
  const peek = (key: string, limit: number, now = T0) => hit(key, { limit, windowMs: MINUTE, now, dryRun: true });

  describe("counters: releaseHit", () => {
    it("releaseHit removes one recorded hit: the count drops and a refused hit is then allowed", async () => {
      const key = uniqueName("k");
      const rate = { limit: 2, windowMs: MINUTE };
      await hit(key, { ...rate, now: T0 });
      await hit(key, { ...rate, now: T0 + 5 });
      expect((await hit(key, { ...rate, now: T0 + 9 })).allowed).toBe(false);
      expect(await release(key, T0 + 5)).toBe(true);
      expect(await peek(key, 2, T0 + 9)).toEqual({ allowed: true, count: 1, oldest: T0 });
      expect(await hit(key, { ...rate, now: T0 + 9 })).toEqual({ allowed: true, count: 2, oldest: T0 });
      expect(await release(key, T0)).toBe(true);
      expect(await peek(key, 2, T0 + 10)).toEqual({ allowed: true, count: 1, oldest: T0 + 9 });
    });

    it("releaseHit removes only one of several hits with the same timestamp", async () => {
      const key = uniqueName("k");
      for (let i = 0; i < 3; i++) await hit(key, { limit: 3, windowMs: MINUTE, now: T0 });
      expect(await release(key, T0)).toBe(true);
      expect(await peek(key, 3)).toEqual({ allowed: true, count: 2, oldest: T0 });
      expect(await release(key, T0)).toBe(true);
      expect(await release(key, T0)).toBe(true);
      expect(await release(key, T0)).toBe(false);
      expect(await peek(key, 3)).toEqual({ allowed: true, count: 0, oldest: null });
      expect(await hit(key, { limit: 3, windowMs: MINUTE, now: T0 })).toEqual({ allowed: true, count: 1, oldest: T0 });
    });

    it("releaseHit of an unknown key or timestamp answers false and changes nothing", async () => {
      const key = uniqueName("k");
      expect(await release(uniqueName("never-hit"), T0)).toBe(false);
      await hit(key, { limit: 2, windowMs: MINUTE, now: T0 });
      await hit(key, { limit: 2, windowMs: MINUTE, now: T0 + 5 });
      for (const at of [T0 + 1, T0 - 1, T0 + 5.5, 0]) expect(await release(key, at)).toBe(false);
      expect(await peek(key, 2, T0 + 9)).toEqual({ allowed: false, count: 2, oldest: T0 });
      expect(await store().purgeCounters(T0 + 5 + MINUTE - 1)).toBe(0);
      expect(await store().purgeCounters(T0 + 5 + MINUTE)).toBe(1);
    });

    it("after releaseHit, the counter expires with its newest remaining hit", async () => {
      const key = uniqueName("k");
      await hit(key, { limit: 5, windowMs: 10_000, now: T0 });
      await hit(key, { limit: 5, windowMs: 10_000, now: T0 + 5_000 });
      expect(await release(key, T0 + 5_000)).toBe(true);
      expect(await store().purgeCounters(T0 + 9_999)).toBe(0);
      expect(await store().purgeCounters(T0 + 10_000)).toBe(1);
      expect((await hit(key, { limit: 5, windowMs: 10_000, now: T0 + 5_000, dryRun: true })).count).toBe(0);
    });

    it(`keeps the count exact under ${parallel} concurrent hits, each released when allowed`, async () => {
      const key = uniqueName("k");
      const limit = Math.max(1, Math.floor(parallel / 4));
      const attempt = async () => {
        const result = await hit(key, { limit, windowMs: MINUTE, now: T0 });
        return result.allowed ? { allowed: true, released: await release(key, T0), count: result.count } : null;
      };
      const results = (await Promise.all(Array.from({ length: parallel }, attempt))).filter((r) => r !== null);
      expect(results.length).toBeGreaterThanOrEqual(limit);
      for (const result of results) {
        expect(result.released).toBe(true);
        expect(result.count).toBeLessThanOrEqual(limit);
      }
      expect(await peek(key, limit)).toEqual({ allowed: true, count: 0, oldest: null });
    });

    it(`keeps the count exact under releases racing ${parallel} concurrent hits on a full counter`, async () => {
      const key = uniqueName("k");
      const limit = Math.max(1, Math.floor(parallel / 4));
      for (let i = 0; i < limit; i++) await hit(key, { limit, windowMs: MINUTE, now: T0 });
      const hits = Array.from({ length: parallel }, () => hit(key, { limit, windowMs: MINUTE, now: T0 + 1 }));
      const releases = Array.from({ length: limit }, () => release(key, T0));
      const [hitResults, released] = await Promise.all([Promise.all(hits), Promise.all(releases)]);
      expect(released.every(Boolean)).toBe(true);
      const allowed = hitResults.filter((r) => r.allowed).length;
      expect(allowed).toBeLessThanOrEqual(limit);
      for (const result of hitResults) expect(result.count).toBeLessThanOrEqual(limit);
      const after = await peek(key, limit, T0 + 1);
      expect(after.count).toBe(allowed);
      expect(after.oldest).toBe(allowed > 0 ? T0 + 1 : null);
    });
  });
}

function counterStateTests(store: StoreAccessor<CounterStore>, hit: Hit, parallel: number): void {
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
