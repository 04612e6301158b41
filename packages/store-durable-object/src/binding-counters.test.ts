/**
 * `rateLimiter` on the Rate Limiting binding (`bindingCounters`), with real Requests, against Miniflare's
 * emulation of the binding (`ratelimits: { RL: { simple: { limit: 3, period: 60 } } }`).
 */
import { rateLimiter } from "@portcullis/core";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindingCounters } from "./binding-counters.js";
import type { RateLimitBinding } from "./binding-throttle.js";

let mf: Miniflare;
let rl: RateLimitBinding;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    compatibilityDate: "2026-04-01",
    ratelimits: { RL: { simple: { limit: 3, period: 60 } } },
  });
  rl = (await mf.getBindings<{ RL: RateLimitBinding }>()).RL;
});

afterAll(async () => {
  await mf?.dispose();
});

const get = () => new Request("https://example.com/api/ping");

describe("rateLimiter on bindingCounters (Miniflare's Rate Limiting binding)", () => {
  it("refuses past the binding's limit with 429, Retry-After of the whole period, and no made-up remaining count", async () => {
    const limit = rateLimiter({ rate: "3/min", store: bindingCounters(rl), name: "ping" });
    const outcomes = [];
    for (let i = 0; i < 4; i += 1) outcomes.push(await limit(get(), { clientIp: "203.0.113.40" }));
    expect(outcomes.map((o) => o.allowed)).toEqual([true, true, true, false]);
    expect(outcomes[0]).toEqual({ allowed: true, headers: { "RateLimit-Policy": '"ping";q=3;w=60' } });
    const refused = outcomes[3];
    if (refused === undefined || refused.allowed) throw new Error("expected a refusal");
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get("Retry-After")).toBe("60");
    expect(refused.response.headers.get("RateLimit")).toBe('"ping";r=0;t=60');
    expect((await limit(get(), { clientIp: "203.0.113.41" })).allowed).toBe(true);
  });

  it("fails closed: a failing binding, an unsupported period, or a non-binding answer 503 / refuse to build", async () => {
    const broken = bindingCounters({ limit: () => Promise.reject(new Error("binding down")) });
    const down = await rateLimiter({ rate: "3/min", store: broken, onEvent: () => {} })(get(), { clientIp: "203.0.113.42" });
    expect(down.allowed === false && down.response.status).toBe(503);
    const hourly = await rateLimiter({ rate: "3/hour", store: bindingCounters(rl), onEvent: () => {} })(get(), { clientIp: "203.0.113.43" });
    expect(hourly.allowed === false && hourly.response.status).toBe(503);
    const odd = bindingCounters({ limit: async () => ({ success: "yes" }) as never });
    expect((await rateLimiter({ rate: "3/min", store: odd, onEvent: () => {} })(get(), { clientIp: "203.0.113.44" })).allowed).toBe(false);
    expect(() => bindingCounters({} as RateLimitBinding)).toThrow();
  });
});
