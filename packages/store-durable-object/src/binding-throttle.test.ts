/**
 * `bindingRateThrottle` through `guard()` with real Requests, against Miniflare's emulation of the Rate Limiting
 * binding (`ratelimits: { RL: { simple: { limit, period } } }`).
 */
import { ConfigError, StoreError, guard, issueToken, tokenAuth, type Store } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindingRateThrottle, type RateLimitBinding } from "./binding-throttle.js";

let mf: Miniflare;
let rl: RateLimitBinding;
let store: Store;
let key: string;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    compatibilityDate: "2026-04-01",
    ratelimits: { RL: { simple: { limit: 3, period: 60 } } },
  });
  rl = (await mf.getBindings<{ RL: RateLimitBinding }>()).RL;
  store = memoryStore();
  const user = await store.createUser({ username: "alice", passwordHash: "!" });
  key = (await issueToken(store, user.id)).key;
});

afterAll(async () => {
  await mf?.dispose();
});

const request = (token?: string) =>
  new Request("https://example.com/api/ping", { headers: token ? { Authorization: `Token ${token}` } : {} });

describe("bindingRateThrottle (Miniflare's Rate Limiting binding)", () => {
  it("refuses past the binding's limit with DRF's 429, message and Retry-After of the whole period", async () => {
    const check = guard({ schemes: [tokenAuth({ store })], throttles: [bindingRateThrottle(rl, "3/min", { scope: "t1" })] });
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await check(request(key), { clientIp: "203.0.113.1" }));
    expect(decisions.slice(0, 3).every((d) => d.allowed)).toBe(true);
    const last = decisions[3];
    expect(last?.allowed).toBe(false);
    if (last?.allowed !== false) return;
    expect(last.error.status).toBe(429);
    expect(last.error.headers["Retry-After"] ?? last.error.headers["retry-after"]).toBe("60");
    expect(last.error.detail).toBe("Request was throttled. Expected available in 60 seconds.");
  });

  it("counts a user by id whatever the IP, and anonymous clients by IP", async () => {
    const check = guard({ schemes: [tokenAuth({ store })], permissions: [], throttles: [bindingRateThrottle(rl, "3/min", { scope: "t2" })] });
    const userAllowed = [];
    for (let i = 0; i < 4; i++) userAllowed.push((await check(request(key), { clientIp: `198.51.100.${i}` })).allowed);
    expect(userAllowed).toEqual([true, true, true, false]);
    expect((await check(request(), { clientIp: "198.51.100.9" })).allowed).toBe(true);
  });

  it("an empty or missing client IP never bypasses the limit: such requests share one identity", async () => {
    const check = guard({ schemes: [], permissions: [], throttles: [bindingRateThrottle(rl, "3/min", { scope: "t3" })] });
    const outcomes = [];
    for (const clientIp of ["", undefined, "", undefined]) outcomes.push((await check(request(), { clientIp })).allowed);
    expect(outcomes).toEqual([true, true, true, false]);
  });

  it('kind "anon" lets authenticated users through untouched', async () => {
    const check = guard({ schemes: [tokenAuth({ store })], permissions: [], throttles: [bindingRateThrottle(rl, "3/min", { kind: "anon", scope: "t4" })] });
    for (let i = 0; i < 5; i++) expect((await check(request(key), { clientIp: "192.0.2.1" })).allowed).toBe(true);
    const anonymous = [];
    for (let i = 0; i < 4; i++) anonymous.push((await check(request(), { clientIp: "192.0.2.1" })).allowed);
    expect(anonymous).toEqual([true, true, true, false]);
  });

  it("fails closed: a throwing binding or a malformed answer is a StoreError, never a pass", async () => {
    const failing: RateLimitBinding = { limit: () => Promise.reject(new Error("binding down")) };
    const odd = { limit: () => Promise.resolve({ success: "true" }) } as unknown as RateLimitBinding;
    for (const binding of [failing, odd]) {
      const check = guard({ schemes: [], permissions: [], throttles: [bindingRateThrottle(binding, "3/min")] });
      await expect(check(request(), { clientIp: "192.0.2.9" })).rejects.toBeInstanceOf(StoreError);
    }
  });

  it("accepts only the binding's periods (10 s, 60 s); anything else is a ConfigError naming the option", () => {
    expect(() => bindingRateThrottle(rl, { limit: 5, windowMs: 10_000 })).not.toThrow();
    expect(() => bindingRateThrottle(rl, "5/min")).not.toThrow();
    for (const rate of ["5/sec", "5/hour", "5/day", { limit: 5, windowMs: 30_000 }]) {
      expect(() => bindingRateThrottle(rl, rate)).toThrow(ConfigError);
      expect(() => bindingRateThrottle(rl, rate)).toThrow(/^rate:/);
    }
    expect(() => bindingRateThrottle({} as RateLimitBinding, "5/min")).toThrow(/^binding:/);
    expect(() => bindingRateThrottle(rl, "5/min", { kind: "staff" as "user" })).toThrow(/^kind:/);
    expect(() => bindingRateThrottle(rl, "5/min", { scope: "" })).toThrow(/^scope:/);
  });
});
