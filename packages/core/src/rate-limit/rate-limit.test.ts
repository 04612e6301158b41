import { describe, expect, it } from "vitest";
import { memoryStore } from "@portcullis/store-memory";
import { ConfigError, StoreError } from "../errors.js";
import type { AuthEvent } from "../events.js";
import type { HitOptions, HitResult } from "../store/types.js";
import { countedOf, hitOptionsOf } from "../throttles/_count.js";
import { throttled } from "../auth-error.js";
import { toResponse } from "../response.js";
import { rateLimiter, withHeaders } from "./rate-limit.js";
import { withRateLimit } from "./with-rate-limit.js";

const T0 = 1_700_000_000_000;
const at = (seconds = 0) => () => T0 + seconds * 1000;
const get = (headers: Record<string, string> = {}) => new Request("https://api.test/", { headers });

/** The memory store, recording the counter keys it is asked for. */
function recordingStore() {
  const store = memoryStore();
  const keys: string[] = [];
  return {
    keys,
    hit(key: string, options: HitOptions): Promise<HitResult> {
      keys.push(key);
      return store.hit(key, options);
    },
  };
}

describe("rateLimiter: options", () => {
  it.each([
    ["rate", { rate: "5/fortnight" }],
    ["store", { store: {} }],
    ["key", { key: "session" }],
    ["key", { key: { header: "X Api Key" } }],
    ["name", { name: 'a"b' }],
    ["name", { name: "" }],
    ["numProxies", { numProxies: -1 }],
    ["ipv6PrefixLength", { ipv6PrefixLength: 0 }],
    ["headers", { headers: "yes" }],
  ])("refuses a bad %s with ConfigError naming it", (option, override) => {
    const make = () => rateLimiter({ rate: "5/min", store: memoryStore(), ...override } as never);
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(option);
  });
});

describe("rateLimiter: keys", () => {
  it("by client IP by default; X-Forwarded-For is ignored unless numProxies says a proxy sets it", async () => {
    const limit = rateLimiter({ rate: "1/min", store: memoryStore() });
    expect((await limit(get(), { clientIp: "203.0.113.1", now: at() })).allowed).toBe(true);
    const spoofed = get({ "X-Forwarded-For": "198.51.100.99" });
    expect((await limit(spoofed, { clientIp: "203.0.113.1", now: at() })).allowed).toBe(false);
    const behindProxy = rateLimiter({ rate: "1/min", store: memoryStore(), numProxies: 1 });
    expect((await behindProxy(get({ "X-Forwarded-For": "198.51.100.1" }), { clientIp: "10.0.0.1", now: at() })).allowed).toBe(true);
    expect((await behindProxy(get({ "X-Forwarded-For": "198.51.100.2" }), { clientIp: "10.0.0.1", now: at() })).allowed).toBe(true);
  });

  it("one IPv6 /64 is one client; a request with no known address is not counted and gets no headers", async () => {
    const limit = rateLimiter({ rate: "1/min", store: memoryStore() });
    expect((await limit(get(), { clientIp: "2001:db8:1:2::1", now: at() })).allowed).toBe(true);
    expect((await limit(get(), { clientIp: "2001:db8:1:2::ffff", now: at() })).allowed).toBe(false);
    expect(await limit(get(), { now: at() })).toEqual({ allowed: true, headers: {} });
  });

  it('"user" counts per user id, and falls back to the client IP for anonymous requests', async () => {
    const store = recordingStore();
    const limit = rateLimiter({ rate: "1/min", store, key: "user" });
    expect((await limit(get(), { user: { id: 7 }, clientIp: "203.0.113.1", now: at() })).allowed).toBe(true);
    expect((await limit(get(), { user: { id: "7" }, clientIp: "203.0.113.2", now: at() })).allowed).toBe(false);
    expect((await limit(get(), { user: null, clientIp: "203.0.113.1", now: at() })).allowed).toBe(true);
    expect(store.keys).toEqual(["ratelimit:default:1/60000:user:7", "ratelimit:default:1/60000:user:7", "ratelimit:default:1/60000:ip:203.0.113.1"]);
  });

  it("{ header } counts each API key under its SHA-256, never the raw key; no key falls back to the client IP", async () => {
    const store = recordingStore();
    const limit = rateLimiter({ rate: "1/min", store, key: { header: "X-Api-Key" } });
    const secret = "sk_live_4f1c2a9b";
    expect((await limit(get({ "x-api-key": secret }), { clientIp: "203.0.113.1", now: at() })).allowed).toBe(true);
    expect((await limit(get({ "X-API-KEY": secret }), { clientIp: "203.0.113.2", now: at() })).allowed).toBe(false);
    expect((await limit(get(), { clientIp: "203.0.113.1", now: at() })).allowed).toBe(true);
    expect(store.keys.join(" ")).not.toContain(secret);
    expect(store.keys[0]).toMatch(/^ratelimit:default:1\/60000:key#[0-9a-f]{64}$/);
  });

  it("a function key: short printable keys as they are, others digested; null is not counted", async () => {
    const store = recordingStore();
    const limit = rateLimiter({ rate: "1/min", store, key: async (request) => request.headers.get("x-tenant") });
    await limit(get({ "x-tenant": "acme" }), { now: at() });
    await limit(get({ "x-tenant": "a\u00e9".repeat(100) }), { now: at() });
    expect((await limit(get(), { now: at() })).allowed).toBe(true);
    expect(store.keys).toEqual(["ratelimit:default:1/60000:fn:acme", expect.stringMatching(/:fn#[0-9a-f]{64}$/)]);
  });

  it("a function answering something other than a string or null fails closed (503, reported once)", async () => {
    const events: AuthEvent[] = [];
    const limit = rateLimiter({ rate: "1/min", store: memoryStore(), key: () => undefined as never, onEvent: (e) => events.push(e) });
    const outcome = await limit(get(), { clientIp: "203.0.113.1" });
    expect(outcome.allowed === false && outcome.response.status).toBe(503);
    expect(events.map((e) => e.type)).toEqual(["store.failed"]);
  });
});

describe("rateLimiter: answers", () => {
  it("a failing store is a 503 (never a pass), reported once through onEvent", async () => {
    const events: AuthEvent[] = [];
    const store = { hit: () => Promise.reject(new StoreError("down")) };
    const limit = rateLimiter({ rate: "100/min", store, onEvent: (e) => events.push(e) });
    const outcome = await limit(get(), { clientIp: "203.0.113.1" });
    expect(outcome.allowed).toBe(false);
    if (!outcome.allowed) {
      expect(outcome.response.status).toBe(503);
      expect(await outcome.response.json()).toEqual({ detail: "Authentication service unavailable." });
    }
    expect(events).toHaveLength(1);
  });

  it("a refusal is DRF's 429 with Retry-After, the RateLimit fields and a throttled event", async () => {
    const events: AuthEvent[] = [];
    const limit = rateLimiter({ rate: "2/hour", store: memoryStore(), name: "search", onEvent: (e) => events.push(e) });
    const ctx = (s: number) => ({ clientIp: "203.0.113.1", now: at(s) });
    await limit(get(), ctx(0));
    await limit(get(), ctx(600));
    const refused = await limit(get(), ctx(1000));
    expect(refused.allowed).toBe(false);
    if (refused.allowed) return;
    expect(refused.response.status).toBe(429);
    expect(await refused.response.json()).toEqual({ detail: "Request was throttled. Expected available in 2600 seconds." });
    expect(Object.fromEntries(refused.response.headers)).toMatchObject({
      "retry-after": "2600",
      "ratelimit-policy": '"search";q=2;w=3600',
      ratelimit: '"search";r=0;t=2600',
      "cache-control": "no-store",
    });
    expect(events).toEqual([{ type: "throttled", scope: "search", waitMs: 2_600_000, clientIp: "203.0.113.1" }]);
  });

  it("headers: false sends no RateLimit fields, and still Retry-After on a 429", async () => {
    const limit = rateLimiter({ rate: "1/min", store: memoryStore(), headers: false });
    expect(await limit(get(), { clientIp: "203.0.113.1", now: at() })).toEqual({ allowed: true, headers: {} });
    const refused = await limit(get(), { clientIp: "203.0.113.1", now: at() });
    expect(refused.allowed === false && [refused.response.headers.get("Retry-After"), refused.response.headers.has("RateLimit")]).toEqual(["60", false]);
  });

  it("Retry-After even when a lowered limit leaves the client over it (DRF's wait() answers None there)", async () => {
    const store = memoryStore();
    for (let i = 0; i < 5; i += 1) await store.hit("k", { limit: 5, windowMs: 60_000, now: T0 + i });
    const lowered = { limit: 2, windowMs: 60_000 };
    const counted = countedOf(lowered, await store.hit("k", hitOptionsOf(lowered, T0 + 10_000)), T0 + 10_000);
    expect(counted.allowed).toBe(false);
    const response = toResponse(throttled(counted.waitMs / 1000));
    expect(Number(response.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});

describe("withRateLimit", () => {
  it("runs the handler for allowed requests, adds the headers, and answers the 429 itself", async () => {
    let calls = 0;
    const limit = rateLimiter({ rate: "1/min", store: memoryStore() });
    const handler = withRateLimit(limit, () => ((calls += 1), new Response("ok")), {
      context: (request) => ({ clientIp: request.headers.get("cf-connecting-ip") ?? undefined }),
    });
    const first = await handler(get({ "cf-connecting-ip": "203.0.113.5" }));
    expect([first.status, await first.text(), first.headers.get("RateLimit")]).toEqual([200, "ok", '"default";r=0;t=60']);
    const second = await handler(get({ "cf-connecting-ip": "203.0.113.5" }));
    expect([second.status, calls]).toEqual([429, 1]);
  });

  it("adds headers to a response whose headers are immutable (a fetch answer) by copying it", async () => {
    const immutable = Response.redirect("https://api.test/elsewhere", 302);
    expect(() => immutable.headers.set("x", "1")).toThrow();
    const copied = withHeaders(immutable, { RateLimit: '"default";r=1;t=60' });
    expect([copied.status, copied.headers.get("Location"), copied.headers.get("RateLimit")]).toEqual([302, "https://api.test/elsewhere", '"default";r=1;t=60']);
  });
});
