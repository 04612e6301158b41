import { auth, rateLimit, requirePolicies } from "@portcullis/adapters/hono";
import { StoreError, allowAny, tokenAuth } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { seed, token } from "./_fixtures.js";

const fromIp = (ip: string) => () => ip;

describe("rateLimit (Hono)", () => {
  it("adds RateLimit-Policy and RateLimit to allowed answers, and answers 429 itself past the rate", async () => {
    let calls = 0;
    const app = new Hono();
    app.use("/api/*", rateLimit({ rate: "2/min", store: memoryStore(), clientIp: fromIp("203.0.113.7") }));
    app.get("/api/items", (c) => ((calls += 1), c.json({ items: [] })));
    const answers = [await app.request("/api/items"), await app.request("/api/items"), await app.request("/api/items")];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(answers.map((r) => r.headers.get("RateLimit"))).toEqual(['"default";r=1;t=60', '"default";r=0;t=60', '"default";r=0;t=60']);
    expect(answers[0]?.headers.get("RateLimit-Policy")).toBe('"default";q=2;w=60');
    expect(answers[2]?.headers.get("Retry-After")).toBe("60");
    expect(await answers[2]?.json()).toEqual({ detail: "Request was throttled. Expected available in 60 seconds." });
    expect(calls).toBe(2);
  });

  it("a spoofed X-Forwarded-For does not give a client a fresh count", async () => {
    const app = new Hono();
    app.use("*", rateLimit({ rate: "1/min", store: memoryStore(), clientIp: fromIp("203.0.113.7") }));
    app.get("/", (c) => c.text("ok"));
    expect((await app.request("/")).status).toBe(200);
    expect((await app.request("/", { headers: { "X-Forwarded-For": "198.51.100.1" } })).status).toBe(429);
  });

  it("fails closed: a failing store answers 503 and the handler never runs", async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const store = { hit: () => Promise.reject(new StoreError("redis down")) };
    const app = new Hono();
    app.use("*", rateLimit({ rate: "100/min", store, clientIp: fromIp("203.0.113.7"), onEvent: (e) => errors.push(e) }));
    app.get("/", (c) => ((calls += 1), c.text("ok")));
    const res = await app.request("/");
    expect([res.status, calls, errors.length]).toEqual([503, 0, 1]);
  });

  it('behind a policy, key: "user" counts per authenticated user, whatever the address', async () => {
    const s = await seed();
    const app = new Hono();
    const policy = auth({ schemes: [tokenAuth({ store: s.store })], permissions: [allowAny] });
    let ip = 0;
    const limit = rateLimit({ rate: "1/min", store: memoryStore(), key: "user", clientIp: () => `203.0.113.${(ip += 1)}` });
    app.get("/me", policy, limit, (c) => c.json({ user: c.var.user?.username ?? null }));
    const alice = token(await s.tokenFor(s.alice));
    expect((await app.request("/me", { headers: alice })).status).toBe(200);
    expect((await app.request("/me", { headers: alice })).status).toBe(429);
    expect((await app.request("/me")).status).toBe(200); // anonymous: by its (new) address
  });

  it("options as a function of the context are built once per env; a bad option is a ConfigError at registration", async () => {
    let built = 0;
    const env = { store: memoryStore() };
    const app = new Hono<{ Bindings: typeof env }>();
    app.use("*", rateLimit((c) => ((built += 1), { rate: "5/min", store: (c.env as typeof env).store, clientIp: fromIp("203.0.113.7") })));
    app.get("/", (c) => c.text("ok"));
    await app.request("/", {}, env);
    await app.request("/", {}, env);
    expect(built).toBe(1);
    expect(() => rateLimit({ rate: "5/fortnight", store: memoryStore() })).toThrow(/rate/);
  });

  it("adds the fields to a response with immutable headers, and requirePolicies accepts it under a protected prefix", async () => {
    const app = new Hono();
    requirePolicies(app, "/api");
    app.use("/api/*", rateLimit({ rate: "5/min", store: memoryStore(), clientIp: fromIp("203.0.113.7") }));
    app.get("/api/open", auth({ schemes: [], permissions: [allowAny] }), () => Response.redirect("https://example.test/", 302));
    const res = await app.request("/api/open");
    expect([res.status, res.headers.get("Location"), res.headers.get("RateLimit")]).toEqual([302, "https://example.test/", '"default";r=4;t=60']);
  });
});
