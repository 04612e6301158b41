import { describe, expect, it } from "vitest";
import { memoryStore } from "@portcullis/store-memory";
import type { AuthContext } from "../context.js";
import { ConfigError } from "../errors.js";
import { guard } from "../guard.js";
import { allowAny } from "../permissions/builtin.js";
import { toResponse } from "../response.js";
import type { Scheme } from "../schemes/types.js";
import type { HitOptions, HitResult, Store } from "../store/types.js";
import { parseRate, waitMs } from "./rate.js";
import { anonRateThrottle, scopedRateThrottle, userRateThrottle } from "./throttles.js";
import type { Throttle } from "./types.js";

/** An in-test atomic sliding log (the `Store.hit` contract), recording the keys it was asked for. */
function slidingLog(): Pick<Store, "hit"> & { readonly keys: Set<string> } {
  const logs = new Map<string, number[]>();
  const keys = new Set<string>();
  return {
    keys,
    async hit(key: string, { limit, windowMs, now, dryRun }: HitOptions): Promise<HitResult> {
      keys.add(key);
      const live = (logs.get(key) ?? []).filter((at) => at > now - windowMs);
      const allowed = live.length < limit;
      if (allowed && !dryRun) live.push(now);
      logs.set(key, live);
      return { allowed, count: live.length, oldest: live.length > 0 ? Math.min(...live) : null };
    },
  };
}

const T0 = 1_700_000_000_000;

/** `X-User: <id>[,staff]` authenticates; no header skips. */
const headerUser: Scheme<{ id: string }, null> = {
  name: "header",
  async authenticate(request) {
    const id = request.headers.get("x-user");
    return id === null ? { type: "skip" } : { type: "success", user: { id }, auth: null };
  },
};

function client(throttles: readonly Throttle[]) {
  const protect = guard({ schemes: [headerUser], permissions: [allowAny], throttles });
  let seconds = 0;
  return {
    at(s: number) {
      seconds = s;
    },
    async request(options: { user?: string; ip?: string; xff?: string } = {}) {
      const headers: Record<string, string> = {};
      if (options.user !== undefined) headers["X-User"] = options.user;
      if (options.xff !== undefined) headers["X-Forwarded-For"] = options.xff;
      const ctx: AuthContext = { now: () => T0 + seconds * 1000, clientIp: options.ip ?? "192.0.2.1" };
      const decision = await protect(new Request("https://api.test/", { headers }), ctx);
      return decision.allowed ? null : toResponse(decision.error);
    },
  };
}

async function expectThrottled(response: Response | null, seconds: number) {
  expect(response).not.toBeNull();
  const res = response as Response;
  expect(res.status).toBe(429);
  expect(res.headers.get("Retry-After")).toBe(String(seconds));
  expect(res.headers.get("Content-Type")).toBe("application/json");
  const unit = seconds === 1 ? "second" : "seconds";
  expect(await res.json()).toEqual({ detail: `Request was throttled. Expected available in ${seconds} ${unit}.` });
}

describe.each([
  ["an in-test sliding log", slidingLog],
  ["memoryStore", () => memoryStore()],
])("DRF's throttle sequences on %s", (_, slidingLog: () => Pick<Store, "hit">) => {
  it("3/sec: four requests at one instant, the fourth waits 1 second; allowed again a second later", async () => {
    const c = client([userRateThrottle("3/sec", { store: slidingLog() })]);
    for (let i = 0; i < 3; i++) expect(await c.request()).toBeNull();
    await expectThrottled(await c.request(), 1);
    c.at(1);
    expect(await c.request()).toBeNull();
  });

  it("3/min: requests at 0, 20, 40, 60 and 80 seconds are all allowed", async () => {
    const c = client([userRateThrottle("3/min", { store: slidingLog() })]);
    for (const s of [0, 20, 40, 60, 80]) {
      c.at(s);
      expect(await c.request()).toBeNull();
    }
  });

  it("3/min: the fourth request at one instant waits 60 seconds (plural)", async () => {
    const c = client([userRateThrottle("3/min", { store: slidingLog() })]);
    for (let i = 0; i < 3; i++) await c.request();
    await expectThrottled(await c.request(), 60);
  });

  it("3/sec and 6/min user throttles on one store keep separate counts (test_request_throttling_multiple_throttles)", async () => {
    const store = slidingLog();
    const c = client([userRateThrottle("3/sec", { store }), userRateThrottle("6/min", { store })]);
    for (let i = 0; i < 3; i++) expect(await c.request()).toBeNull();
    await expectThrottled(await c.request(), 1);
    c.at(1);
    expect(await c.request()).toBeNull();
    expect(await c.request()).toBeNull();
    await expectThrottled(await c.request(), 59);
    c.at(2);
    await expectThrottled(await c.request(), 58);
  });

  it("2/hour: the third request at t=1000 s waits 2600 s", async () => {
    const c = client([userRateThrottle("2/hour", { store: slidingLog() })]);
    await c.request();
    await c.request();
    c.at(1000);
    await expectThrottled(await c.request(), 2600);
  });

  it("only allowed requests are counted: a denied burst does not extend the wait", async () => {
    const c = client([userRateThrottle({ limit: 1, windowMs: 10_000 }, { store: slidingLog() })]);
    expect(await c.request()).toBeNull();
    for (const s of [1, 5, 9]) {
      c.at(s);
      await expectThrottled(await c.request(), 10 - s);
    }
    c.at(10);
    expect(await c.request()).toBeNull();
  });

  it("rounds a fractional wait up", async () => {
    const c = client([userRateThrottle({ limit: 1, windowMs: 1500 }, { store: slidingLog() })]);
    await c.request();
    await expectThrottled(await c.request(), 2);
  });
});

describe("rates", () => {
  it.each([
    ["3/sec", 3, 1_000],
    ["3/s", 3, 1_000],
    ["10/seconds", 10, 1_000],
    ["5/min", 5, 60_000],
    ["5/m", 5, 60_000],
    ["2/hour", 2, 3_600_000],
    ["100/day", 100, 86_400_000],
    ["1/d", 1, 86_400_000],
  ])("parses %j (the period is chosen by its first letter, as DRF)", (rate, limit, windowMs) => {
    expect(parseRate(rate)).toEqual({ limit, windowMs });
  });

  it.each(["5", "5/min/x", "abc/min", "5/M", "5/10m", "/min", "0/min", "-1/min", "1.5/min", " 5/min", "5/", "5/x"])(
    "refuses %j with ConfigError naming the rate",
    (rate) => {
      expect(() => parseRate(rate)).toThrow(ConfigError);
      expect(() => userRateThrottle(rate, { store: slidingLog() })).toThrow(/^rate: /);
    },
  );

  it("accepts { limit, windowMs } and refuses non-positive or fractional values", () => {
    expect(parseRate({ limit: 2, windowMs: 500 })).toEqual({ limit: 2, windowMs: 500 });
    for (const bad of [{ limit: 0, windowMs: 1 }, { limit: 1, windowMs: 0 }, { limit: 1.5, windowMs: 1 }, { limit: 1, windowMs: NaN }]) {
      expect(() => parseRate(bad)).toThrow(ConfigError);
    }
    expect(() => parseRate(5 as unknown as string)).toThrow(ConfigError);
  });

  it("waitMs follows DRF's formula, including an empty log", () => {
    expect(waitMs({ limit: 2, windowMs: 3_600_000 }, { count: 2, oldest: 0 }, 1_000_000)).toBe(2_600_000);
    expect(waitMs({ limit: 3, windowMs: 60_000 }, { count: 0, oldest: null }, 0)).toBe(15_000);
  });

  it("throttle factories refuse a missing store, a bad numProxies and an empty scope", () => {
    expect(() => userRateThrottle("1/s", {} as { store: Store })).toThrow(ConfigError);
    expect(() => anonRateThrottle("1/s", { store: slidingLog(), numProxies: -1 })).toThrow(/numProxies/);
    expect(() => anonRateThrottle("1/s", { store: slidingLog(), numProxies: 1.5 })).toThrow(/numProxies/);
    expect(() => userRateThrottle("1/s", { store: slidingLog(), scope: "" })).toThrow(/scope/);
    expect(() => scopedRateThrottle("", "1/s", { store: slidingLog() })).toThrow(/scope/);
  });
});

describe("identity", () => {
  it("anonRateThrottle skips authenticated users and counts anonymous requests per client IP", async () => {
    const store = slidingLog();
    const c = client([anonRateThrottle("1/min", { store })]);
    expect(await c.request({ ip: "192.0.2.1" })).toBeNull();
    await expectThrottled(await c.request({ ip: "192.0.2.1" }), 60);
    expect(await c.request({ ip: "192.0.2.2" })).toBeNull();
    for (let i = 0; i < 3; i++) expect(await c.request({ ip: "192.0.2.1", user: "u1" })).toBeNull();
    expect([...store.keys].every((key) => key.includes(":ip:"))).toBe(true);
  });

  it("userRateThrottle counts users by id, whatever their IP, and anonymous requests by IP", async () => {
    const c = client([userRateThrottle("1/min", { store: slidingLog() })]);
    expect(await c.request({ user: "u1", ip: "192.0.2.1" })).toBeNull();
    await expectThrottled(await c.request({ user: "u1", ip: "192.0.2.9" }), 60);
    expect(await c.request({ user: "u2", ip: "192.0.2.1" })).toBeNull();
    expect(await c.request({ ip: "192.0.2.1" })).toBeNull();
    await expectThrottled(await c.request({ ip: "192.0.2.1" }), 60);
  });

  it("requests without a known client address are not counted: no bucket shared by every such client", async () => {
    const store = slidingLog();
    const protect = guard({ schemes: [], permissions: [allowAny], throttles: [anonRateThrottle("1/min", { store })] });
    for (const clientIp of [undefined, "", "unknown", "not-an-address"]) {
      const ctx = { now: () => T0, clientIp };
      expect((await protect(new Request("https://api.test/"), ctx)).allowed).toBe(true);
      expect((await protect(new Request("https://api.test/"), ctx)).allowed).toBe(true);
    }
    expect([...store.keys]).toEqual([]);
    // ...while a known address is still limited.
    expect((await protect(new Request("https://api.test/"), { now: () => T0, clientIp: "192.0.2.1" })).allowed).toBe(true);
    expect((await protect(new Request("https://api.test/"), { now: () => T0, clientIp: "192.0.2.1" })).allowed).toBe(false);
  });

  it("counts IPv6 clients by /64: rotating within one /64 does not get past the limit", async () => {
    const store = slidingLog();
    const c = client([anonRateThrottle("1/min", { store })]);
    expect(await c.request({ ip: "2001:db8:1234:5678::1" })).toBeNull();
    await expectThrottled(await c.request({ ip: "2001:db8:1234:5678::2" }), 60);
    await expectThrottled(await c.request({ ip: "2001:DB8:1234:5678:abcd:0:0:9" }), 60);
    expect(await c.request({ ip: "2001:db8:1234:5679::1" })).toBeNull();
    expect([...store.keys]).toEqual([
      "throttle:anon:1/60000:ip:2001:db8:1234:5678::/64",
      "throttle:anon:1/60000:ip:2001:db8:1234:5679::/64",
    ]);
  });

  it("takes a configurable IPv6 prefix length", async () => {
    const c = client([anonRateThrottle("1/min", { store: slidingLog(), ipv6PrefixLength: 128 })]);
    expect(await c.request({ ip: "2001:db8::1" })).toBeNull();
    expect(await c.request({ ip: "2001:db8::2" })).toBeNull();
    await expectThrottled(await c.request({ ip: "2001:db8:0:0::2" }), 60);
    expect(() => anonRateThrottle("1/min", { store: slidingLog(), ipv6PrefixLength: 0 })).toThrow(/^ipv6PrefixLength: /);
  });

  it("counts an IPv4-mapped IPv6 address as its IPv4 address", async () => {
    const c = client([anonRateThrottle("1/min", { store: slidingLog() })]);
    expect(await c.request({ ip: "::ffff:192.0.2.44" })).toBeNull();
    await expectThrottled(await c.request({ ip: "192.0.2.44" }), 60);
  });

  it("ignores X-Forwarded-For by default: spoofed addresses share the runtime's IP", async () => {
    const c = client([anonRateThrottle("1/min", { store: slidingLog() })]);
    expect(await c.request({ xff: "198.51.100.1" })).toBeNull();
    await expectThrottled(await c.request({ xff: "198.51.100.2" }), 60);
  });

  it("with numProxies, takes the address that many hops from the right of X-Forwarded-For (DRF's NUM_PROXIES)", async () => {
    const store = slidingLog();
    const one = client([anonRateThrottle("5/min", { store, numProxies: 1, scope: "one" })]);
    await one.request({ xff: "198.51.100.1, 203.0.113.5" });
    const two = client([anonRateThrottle("5/min", { store, numProxies: 2, scope: "two" })]);
    await two.request({ xff: "198.51.100.1,  203.0.113.5" });
    const many = client([anonRateThrottle("5/min", { store, numProxies: 5, scope: "many" })]);
    await many.request({ xff: "198.51.100.1, 203.0.113.5" });
    const zero = client([anonRateThrottle("5/min", { store, numProxies: 0, scope: "zero" })]);
    await zero.request({ xff: "198.51.100.1", ip: "192.0.2.7" });
    const none = client([anonRateThrottle("5/min", { store, numProxies: 1, scope: "none" })]);
    await none.request({ ip: "192.0.2.8" });
    const junk = client([anonRateThrottle("5/min", { store, numProxies: 1, scope: "junk" })]);
    await junk.request({ xff: "unknown", ip: "192.0.2.9" });
    const v6 = client([anonRateThrottle("5/min", { store, numProxies: 1, scope: "v6" })]);
    await v6.request({ xff: "198.51.100.1, [2001:DB8::7]" });
    expect([...store.keys]).toEqual([
      "throttle:one:5/60000:ip:203.0.113.5",
      "throttle:two:5/60000:ip:198.51.100.1",
      "throttle:many:5/60000:ip:198.51.100.1",
      "throttle:zero:5/60000:ip:192.0.2.7",
      "throttle:none:5/60000:ip:192.0.2.8",
      "throttle:junk:5/60000:ip:192.0.2.9",
      "throttle:v6:5/60000:ip:2001:db8::/64",
    ]);
  });
});

describe("scopes", () => {
  it("default scopes are the kind and the rate; throttles of one kind and rate share counts", async () => {
    const store = slidingLog();
    const a = client([userRateThrottle("1/min", { store })]);
    const b = client([userRateThrottle("1/min", { store })]);
    expect(await a.request({ user: "u1" })).toBeNull();
    await expectThrottled(await b.request({ user: "u1" }), 60);
    expect([...store.keys]).toEqual(["throttle:user:1/60000:user:u1"]);
  });

  it("a 3/sec and a 6/min user throttle count under separate default scopes", async () => {
    const store = slidingLog();
    await client([userRateThrottle("3/sec", { store }), userRateThrottle("6/min", { store })]).request({ user: "u1" });
    expect([...store.keys]).toEqual(["throttle:user:3/1000:user:u1", "throttle:user:6/60000:user:u1"]);
  });

  it("an explicit scope shares counters between different throttles; different scopes are separate", async () => {
    const store = slidingLog();
    const uploadsA = client([scopedRateThrottle("uploads", "1/min", { store })]);
    const uploadsB = client([scopedRateThrottle("uploads", "1/min", { store })]);
    const search = client([scopedRateThrottle("search", "1/min", { store })]);
    const shared = client([userRateThrottle("1/min", { store, scope: "uploads" })]);
    expect(await uploadsA.request({ user: "u1" })).toBeNull();
    await expectThrottled(await uploadsB.request({ user: "u1" }), 60);
    expect(await search.request({ user: "u1" })).toBeNull();
    await expectThrottled(await shared.request({ user: "u1" }), 60);
  });

  it("throttles sharing an explicit scope with different rates each keep their limit (2/sec and 3/day)", async () => {
    const store = slidingLog();
    const c = client([userRateThrottle("2/sec", { store, scope: "api" }), userRateThrottle("3/day", { store, scope: "api" })]);
    for (const s of [0, 10, 20]) {
      c.at(s);
      expect(await c.request({ user: "u1" })).toBeNull();
    }
    c.at(30);
    await expectThrottled(await c.request({ user: "u1" }), 86_370);
    expect([...store.keys]).toEqual(["throttle:api:2/1000:user:u1", "throttle:api:3/86400000:user:u1"]);
  });

  it("a throttle sees the clock of ctx.now, not Date.now", async () => {
    const store = slidingLog();
    const protect = guard({ schemes: [], permissions: [allowAny], throttles: [anonRateThrottle("1/day", { store })] });
    const at = (now: number) => ({ now: () => now, clientIp: "192.0.2.1" });
    expect((await protect(new Request("https://api.test/"), at(0))).allowed).toBe(true);
    expect((await protect(new Request("https://api.test/"), at(86_399_999))).allowed).toBe(false);
    expect((await protect(new Request("https://api.test/"), at(86_400_000))).allowed).toBe(true);
  });
});
