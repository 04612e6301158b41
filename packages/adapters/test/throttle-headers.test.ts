import { withAuth } from "@portcullis/adapters/fetch";
import { auth } from "@portcullis/adapters/hono";
import { allowAny, StoreError, tokenAuth, userRateThrottle } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { seed, token } from "./_fixtures.js";

const POLICY = '"user";q=2;w=60';

describe("RateLimit fields from a policy's throttles (headers: true)", () => {
  it("Hono: allowed answers carry them, the 429 carries them with Retry-After, and the handler never runs past the rate", async () => {
    const s = await seed();
    let calls = 0;
    const app = new Hono();
    const throttles = [userRateThrottle("2/min", { store: memoryStore(), headers: true })];
    app.get("/api/me", auth({ schemes: [tokenAuth({ store: s.store })], throttles }), (c) => ((calls += 1), c.json({ ok: true })));
    const alice = token(await s.tokenFor(s.alice));
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await app.request("/api/me", { headers: alice }));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(answers.map((r) => r.headers.get("RateLimit-Policy"))).toEqual([POLICY, POLICY, POLICY]);
    expect(answers[0]?.headers.get("RateLimit")).toBe('"user";r=1;t=60');
    expect(answers[1]?.headers.get("RateLimit")).toMatch(/^"user";r=0;t=(59|60)$/);
    expect(answers[2]?.headers.get("Retry-After")).toMatch(/^(59|60)$/);
    expect(answers[0]?.headers.get("Retry-After")).toBe(null);
    expect(calls).toBe(2);
  });

  it("Hono: a response with immutable headers (Response.redirect) is copied with them, status and location kept", async () => {
    const s = await seed();
    const app = new Hono();
    const throttles = [userRateThrottle("2/min", { store: memoryStore(), headers: true })];
    app.get("/go", auth({ schemes: [tokenAuth({ store: s.store })], permissions: [allowAny], throttles }), () =>
      Response.redirect("https://example.test/next", 302),
    );
    const res = await app.request("/go", { headers: { "X-Forwarded-For": "198.51.100.9" } }); // anonymous, no address
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("https://example.test/next");
    expect(res.headers.get("RateLimit-Policy")).toBe(null); // not counted (no runtime address): no member
    const app2 = new Hono();
    app2.get("/go", auth({ schemes: [tokenAuth({ store: s.store })], throttles }, { clientIp: () => "203.0.113.7" }), () =>
      Response.redirect("https://example.test/next", 302),
    );
    const counted = await app2.request("/go", { headers: token(await s.tokenFor(s.alice)) });
    expect([counted.status, counted.headers.get("Location"), counted.headers.get("RateLimit")]).toEqual([
      302,
      "https://example.test/next",
      '"user";r=1;t=60',
    ]);
  });

  it("Hono: off by default (DRF sends none); an anonymous client cannot reset its count with X-Forwarded-For", async () => {
    const s = await seed();
    const app = new Hono();
    const store = memoryStore();
    const options = { clientIp: () => "203.0.113.7" };
    app.get("/off", auth({ schemes: [tokenAuth({ store: s.store })], permissions: [allowAny], throttles: [userRateThrottle("5/min", { store })] }, options), (c) => c.text("ok"));
    const on = [userRateThrottle("1/min", { store, headers: true, scope: "anon-on" })];
    app.get("/on", auth({ schemes: [tokenAuth({ store: s.store })], permissions: [allowAny], throttles: on }, options), (c) => c.text("ok"));
    const off = await app.request("/off");
    expect([off.status, off.headers.get("RateLimit-Policy"), off.headers.get("RateLimit")]).toEqual([200, null, null]);
    expect((await app.request("/on")).headers.get("RateLimit")).toBe('"anon-on";r=0;t=60');
    const spoofed = await app.request("/on", { headers: { "X-Forwarded-For": "198.51.100.1" } });
    expect([spoofed.status, spoofed.headers.get("RateLimit")]).toEqual([429, '"anon-on";r=0;t=60']);
  });

  it("Hono: a failing counter store answers 503 without RateLimit fields, and the handler never runs", async () => {
    const s = await seed();
    let calls = 0;
    const store = { hit: () => Promise.reject(new StoreError("redis down")) };
    const errors: unknown[] = [];
    const app = new Hono();
    const policy = { schemes: [tokenAuth({ store: s.store })], throttles: [userRateThrottle("2/min", { store, headers: true })], onEvent: (e: unknown) => errors.push(e) };
    app.get("/api/me", auth(policy), (c) => ((calls += 1), c.text("ok")));
    const res = await app.request("/api/me", { headers: token(await s.tokenFor(s.alice)) });
    expect([res.status, res.headers.get("RateLimit"), calls, errors.length]).toEqual([503, null, 0, 1]);
  });

  it("fetch adapter: the handler's response gets them (a copy when immutable); the 429 carries them", async () => {
    const s = await seed();
    const throttles = [userRateThrottle("2/min", { store: memoryStore(), headers: true })];
    const handler = withAuth({ schemes: [tokenAuth({ store: s.store })], throttles }, () => Response.redirect("https://example.test/", 303), {
      clientIp: () => "203.0.113.7",
    });
    const alice = token(await s.tokenFor(s.alice));
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await handler(new Request("https://api.test/x", { headers: alice })));
    expect(answers.map((r) => r.status)).toEqual([303, 303, 429]);
    expect(answers[0]?.headers.get("Location")).toBe("https://example.test/");
    expect(answers.map((r) => r.headers.get("RateLimit-Policy"))).toEqual([POLICY, POLICY, POLICY]);
    expect(answers[0]?.headers.get("RateLimit")).toBe('"user";r=1;t=60');
    expect(answers[2]?.headers.get("Retry-After")).toMatch(/^(59|60)$/);
    expect(await answers[2]?.json()).toEqual({ detail: expect.stringMatching(/^Request was throttled\. Expected available in (59|60) seconds\.$/) });
  });
});
