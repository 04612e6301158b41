import { memoryStore } from "@portcullis/store-memory";
import { describe, expect, it } from "vitest";
import type { AuthContext } from "../context.js";
import { ConfigError } from "../errors.js";
import { guard } from "../guard.js";
import { allowAny } from "../permissions/builtin.js";
import { toResponse } from "../response.js";
import type { Scheme } from "../schemes/types.js";
import { anonRateThrottle, scopedRateThrottle, userRateThrottle } from "./throttles.js";

const T0 = 1_700_000_000_000;

/** `X-User: <id>` authenticates; no header skips. */
const headerUser: Scheme<{ id: string }, null> = {
  name: "header",
  async authenticate(request) {
    const id = request.headers.get("x-user");
    return id === null ? { type: "skip" } : { type: "success", user: { id }, auth: null };
  },
};

const at = (seconds: number, clientIp = "192.0.2.1"): AuthContext => ({ now: () => T0 + seconds * 1000, clientIp });
const request = (user?: string) => new Request("https://api.test/", { headers: user ? { "X-User": user } : {} });

describe("RateLimit fields from guard() throttles (headers: true)", () => {
  it("are off by default, as DRF sends none: no headers on allowed decisions, only Retry-After on a 429", async () => {
    const protect = guard({ schemes: [headerUser], permissions: [allowAny], throttles: [userRateThrottle("1/min", { store: memoryStore() })] });
    const allowed = await protect(request(), at(0));
    expect(allowed.allowed && allowed.headers).toBe(undefined);
    const refused = await protect(request(), at(1));
    if (refused.allowed) throw new Error("expected a refusal");
    expect(Object.keys(refused.error.headers)).toEqual(["Retry-After"]);
  });

  it("allowed decisions carry RateLimit-Policy and RateLimit; the 429 carries them with Retry-After", async () => {
    const protect = guard({
      schemes: [headerUser],
      permissions: [allowAny],
      throttles: [userRateThrottle("2/min", { store: memoryStore(), headers: true })],
    });
    const first = await protect(request("7"), at(0));
    const second = await protect(request("7"), at(10));
    expect(first.allowed && first.headers).toEqual({ "RateLimit-Policy": '"user";q=2;w=60', RateLimit: '"user";r=1;t=60' });
    expect(second.allowed && second.headers).toEqual({ "RateLimit-Policy": '"user";q=2;w=60', RateLimit: '"user";r=0;t=50' });
    const third = await protect(request("7"), at(20));
    if (third.allowed) throw new Error("expected a refusal");
    const response = toResponse(third.error);
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("40");
    expect(response.headers.get("RateLimit-Policy")).toBe('"user";q=2;w=60');
    expect(response.headers.get("RateLimit")).toBe('"user";r=0;t=40');
    expect(await response.json()).toEqual({ detail: "Request was throttled. Expected available in 40 seconds." });
  });

  it("several throttles answer one list member each, in the policy's order; the longest wait decides Retry-After", async () => {
    const store = memoryStore();
    const protect = guard({
      schemes: [headerUser],
      permissions: [allowAny],
      throttles: [
        scopedRateThrottle("burst", "1/s", { store, headers: true }),
        scopedRateThrottle("sustained", "3/hour", { store, headers: true }),
        userRateThrottle("100/day", { store }), // no headers: absent from the fields
      ],
    });
    const first = await protect(request("7"), at(0));
    expect(first.allowed && first.headers).toEqual({
      "RateLimit-Policy": '"burst";q=1;w=1, "sustained";q=3;w=3600',
      RateLimit: '"burst";r=0;t=1, "sustained";r=2;t=3600',
    });
    const refused = await protect(request("7"), at(0.5));
    if (refused.allowed) throw new Error("expected a refusal");
    expect(refused.error.headers).toEqual({
      "Retry-After": "1",
      "RateLimit-Policy": '"burst";q=1;w=1, "sustained";q=3;w=3600',
      RateLimit: '"burst";r=0;t=1, "sustained";r=1;t=3600',
    });
  });

  it("a throttle that does not count the request (anon throttle, authenticated user) adds no member", async () => {
    const store = memoryStore();
    const protect = guard({
      schemes: [headerUser],
      permissions: [allowAny],
      throttles: [anonRateThrottle("5/min", { store, headers: true })],
    });
    const user = await protect(request("7"), at(0));
    expect(user.allowed && user.headers).toBe(undefined);
    const anonymous = await protect(request(), at(0));
    expect(anonymous.allowed && anonymous.headers).toEqual({ "RateLimit-Policy": '"anon";q=5;w=60', RateLimit: '"anon";r=4;t=60' });
    const noAddress = await protect(request(), { now: () => T0 }); // not counted: no member either
    expect(noAddress.allowed && noAddress.headers).toBe(undefined);
  });

  it("refuses, when the policy is built, a scope that cannot name a policy and two throttles of one name", () => {
    const store = memoryStore();
    expect(() => scopedRateThrottle("up loads", "1/min", { store, headers: true })).toThrow(ConfigError);
    expect(() => scopedRateThrottle('x"y', "1/min", { store, headers: true })).toThrow(ConfigError);
    expect(() => userRateThrottle("1/min", { store, headers: "yes" as unknown as boolean })).toThrow(ConfigError);
    expect(scopedRateThrottle("up loads", "1/min", { store }).scope).toBe("up loads"); // without headers, as before
    const twice = [userRateThrottle("10/min", { store, headers: true }), userRateThrottle("1000/day", { store, headers: true })];
    expect(() => guard({ schemes: [headerUser], throttles: twice })).toThrow(/named "user"/);
    const renamed = [twice[0]!, userRateThrottle("1000/day", { store, headers: true, scope: "user-daily" })];
    expect(() => guard({ schemes: [headerUser], throttles: renamed })).not.toThrow();
  });
});
