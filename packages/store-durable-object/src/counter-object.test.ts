/**
 * `PortcullisCounters` and `durableObjectCounters` in workerd beyond the conformance suite: alarms, sharding,
 * fail-closed behaviour, and option checks.
 */
import { ConfigError, StoreError } from "@portcullis/core";
import type { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteError, remoteCounters, startCounterWorker } from "../test/_harness.js";
import type { CounterNamespace, CounterObjectRpc } from "./_platform.js";
import { durableObjectCounters } from "./durable-object-counters.js";

let mf: Miniflare;

beforeAll(async () => {
  mf = await startCounterWorker();
});

afterAll(async () => {
  await mf?.dispose();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("PortcullisCounters in workerd", () => {
  it("an alarm deletes a counter once its window has passed on the object's clock (no purge job)", async () => {
    const store = remoteCounters(mf, "alarm:", 1);
    const now = Date.now();
    // A window long enough that the first look below (on a loaded machine) comes before the alarm.
    expect(await store.hit("short", { limit: 5, windowMs: 3_000, now })).toEqual({ allowed: true, count: 1, oldest: now });
    await store.hit("long", { limit: 5, windowMs: 600_000, now });
    // Looking at the same instant `now`, the hit is live until the alarm has removed the row.
    const peek = (key: string, windowMs: number) => store.hit(key, { limit: 5, windowMs, now, dryRun: true });
    expect((await peek("short", 3_000)).count).toBe(1);
    const deadline = Date.now() + 20_000;
    while ((await peek("short", 3_000)).count !== 0 && Date.now() < deadline) await sleep(200);
    expect((await peek("short", 3_000)).count).toBe(0);
    expect((await peek("long", 600_000)).count).toBe(1);
  });

  it("spreads keys over the shards, and purgeCounters sums every shard", async () => {
    const store = remoteCounters(mf, "spread:", 8);
    const keys = Array.from({ length: 40 }, (_, i) => `throttle:user:${i}`);
    const rate = { limit: 1, windowMs: 600_000 };
    for (const key of keys) await store.hit(key, { ...rate, now: 5_000 });
    for (const key of keys) expect((await store.hit(key, { ...rate, now: 5_001 })).allowed).toBe(false);
    expect(await store.purgeCounters(604_999)).toBe(0);
    expect(await store.purgeCounters(605_000)).toBe(40);
  });

  it("fails closed: a failing object is a StoreError without the object's message or the key", async () => {
    const store = remoteCounters(mf, "broken:", 2, "BROKEN");
    const error = await store.hit("throttle:user:secret-ident", { limit: 1, windowMs: 1000, now: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).remoteName).toBe("StoreError");
    expect((error as RemoteError).message).toBe("Durable Object counters: hit failed (the object call failed)");
    expect((error as RemoteError).message).not.toContain("secret-ident");
    expect((error as RemoteError).causeText).toContain("object failure");
  });

  it("rejects malformed calls in the object itself (as a StoreError to the caller)", async () => {
    const store = remoteCounters(mf, "malformed:", 1);
    for (const [key, options] of [
      ["", { limit: 1, windowMs: 1000, now: 1 }],
      ["k", { limit: 1, windowMs: 0, now: 1 }],
      ["k", { limit: 1, windowMs: 1000, now: Number.NaN }],
      ["x".repeat(2000), { limit: 1, windowMs: 1000, now: 1 }],
    ] as const) {
      const error = await store.hit(key, options).catch((e: unknown) => e);
      expect((error as RemoteError).remoteName).toBe("StoreError");
    }
  });
});

/** A namespace of the platform's shape whose stubs answer `answer` (or throw it): for what workerd cannot stage. */
function fakeNamespace(answer: () => unknown): CounterNamespace<string> {
  const stub = { hit: async () => answer(), releaseHit: async () => answer(), purgeCounters: async () => answer() };
  return { idFromName: (name) => name, get: () => stub as unknown as CounterObjectRpc };
}

describe("durableObjectCounters", () => {
  it("names an overloaded object in the StoreError (fail closed, 503 in the adapters)", async () => {
    const overloaded = Object.assign(new Error("Durable Object is overloaded."), { overloaded: true, retryable: false });
    const store = durableObjectCounters(fakeNamespace(() => { throw overloaded; }));
    const error = await store.hit("k", { limit: 1, windowMs: 1000, now: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain("overloaded");
    expect((error as StoreError).cause).toBe(overloaded);
  });

  it.each([
    ["a non-boolean allowed", { allowed: "yes", count: 1, oldest: 1 }],
    ["a fractional count", { allowed: true, count: 1.5, oldest: 1 }],
    ["nothing", undefined],
  ])("treats %s as a StoreError, never as allowed", async (_label, answer) => {
    const store = durableObjectCounters(fakeNamespace(() => answer));
    await expect(store.hit("k", { limit: 1, windowMs: 1000, now: 1 })).rejects.toBeInstanceOf(StoreError);
    await expect(store.releaseHit("k", { at: 1 })).rejects.toBeInstanceOf(StoreError);
    await expect(store.purgeCounters(1)).rejects.toBeInstanceOf(StoreError);
  });

  it("throws ConfigError naming the option for a bad namespace or shard count", () => {
    const ns = fakeNamespace(() => null);
    expect(() => durableObjectCounters({} as CounterNamespace)).toThrow(/^namespace:/);
    for (const shards of [0, -1, 1.5, 1025, Number.NaN]) {
      expect(() => durableObjectCounters(ns, { shards })).toThrow(ConfigError);
      expect(() => durableObjectCounters(ns, { shards })).toThrow(/^shards:/);
    }
    expect(() => durableObjectCounters(ns, { prefix: 3 as unknown as string })).toThrow(/^prefix:/);
  });
});
