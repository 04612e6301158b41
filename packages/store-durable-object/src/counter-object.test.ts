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

/** A namespace whose stubs record which object (by name) each key's calls reach. */
function routingNamespace(reached: Map<string, string[]>): CounterNamespace<string> {
  return {
    idFromName: (name) => `id-of(${name})-deployment-secret-0123456789abcdef`,
    get: (id) =>
      ({
        hit: async (key: string) => (reached.set(id, [...(reached.get(id) ?? []), key]), { allowed: true, count: 1, oldest: 1 }),
        releaseHit: async () => true,
        purgeCounters: async () => 0,
      }) as unknown as CounterObjectRpc,
  };
}

/** The shard an attacker computes offline: the unkeyed FNV-1a of the counter key (what the store used before). */
function predictedShard(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}

describe("durableObjectCounters: the shard of a key cannot be chosen from outside", () => {
  const rate = { limit: 5, windowMs: 60_000, now: 1 };

  it("an attacker's usernames predicted to share the victim's object are spread like any others", async () => {
    const shards = 32;
    const victim = "login:user:victim";
    const target = predictedShard(victim, shards);
    const chosen: string[] = [];
    for (let i = 0; chosen.length < 300; i++) if (predictedShard(`login:user:attacker-${i}`, shards) === target) chosen.push(`login:user:attacker-${i}`);
    const reached = new Map<string, string[]>();
    const store = durableObjectCounters(routingNamespace(reached), { shards });
    await store.hit(victim, rate);
    for (const key of chosen) await store.hit(key, rate);
    const victimObject = [...reached].find(([, keys]) => keys.includes(victim))?.[0] as string;
    const withVictim = (reached.get(victimObject) ?? []).filter((key) => key !== victim).length;
    expect(withVictim).toBeLessThan(40); // about 300 / 32; all 300 before the key
    expect(reached.size).toBeGreaterThan(20);
  });

  it("routes by the deployment's key: the same key lands alike in one deployment, differently across keys", async () => {
    const keys = Array.from({ length: 64 }, (_, i) => `throttle:user:${i}`);
    const route = async (shardKey?: string) => {
      const reached = new Map<string, string[]>();
      const store = durableObjectCounters(routingNamespace(reached), { shards: 16, ...(shardKey ? { shardKey } : {}) });
      for (const key of keys) await store.hit(key, rate);
      return keys.map((key) => [...reached].find(([, list]) => list.includes(key))?.[0]);
    };
    expect(await route("deployment-one-secret-key")).toEqual(await route("deployment-one-secret-key"));
    expect(await route("deployment-one-secret-key")).not.toEqual(await route("deployment-two-secret-key"));
    expect(await route()).toEqual(await route());
    expect(() => durableObjectCounters(routingNamespace(new Map()), { shardKey: "short" })).toThrow(/^shardKey:/);
  });
});

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
