/**
 * A mixed deployment through a real Hono app: users and tokens in `memoryStore()`, every counter (throttles,
 * brute-force protection of Basic auth and of the token endpoint) in Redis.
 */
import { mountTokenEndpoints, requirePolicies, routePolicies } from "@portcullis/adapters/hono";
import { anonRateThrottle, basicAuth, hashPassword, isAuthenticated, tokenAuth, userRateThrottle } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisCounters } from "../src/index.js";
import { redisMissing, sharedRedis } from "./_redis.js";

const PASSWORD = "correct horse battery staple";

describe.skipIf(redisMissing)("users and tokens in memory, counters in Redis", () => {
  let server: Awaited<ReturnType<typeof sharedRedis>> | undefined;
  let redis: Redis;
  const prefix = `mixed:${process.pid}:${Date.now()}:`;

  beforeAll(async () => {
    server = await sharedRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  async function deployment(clientIp: string) {
    const store = memoryStore();
    await store.createUser({ username: "alice", passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
    const counters = redisCounters(redis, { prefix });
    const policy = routePolicies(
      {
        schemes: [tokenAuth({ store }), basicAuth({ users: store, counters })],
        permissions: [isAuthenticated],
        throttles: [anonRateThrottle("2/min", { store: counters.throttles }), userRateThrottle("3/min", { store: counters.throttles })],
      },
      { clientIp: () => clientIp },
    );
    const app = new Hono();
    mountTokenEndpoints(app, { store, counters, clientIp: () => clientIp });
    requirePolicies(app, "/api");
    app.get("/api/me", policy(), (c) => c.json({ username: c.var.user.username }));
    const login = (username: string, password: string) =>
      app.request("/api-token-auth/", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username, password }),
      });
    return { app, store, login };
  }

  it("runs the token endpoint, the pipeline, the throttles and logout with every count in Redis", async () => {
    const { app, store, login } = await deployment("192.0.2.1");
    const obtained = await login("alice", PASSWORD);
    expect(obtained.status).toBe(200);
    const { token } = (await obtained.json()) as { token: string };
    const auth = { Authorization: `Token ${token}` };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.request("/api/me", { headers: auth })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const throttled = await app.request("/api/me", { headers: auth });
    expect(throttled.headers.get("Retry-After")).toMatch(/^(59|60)$/);
    expect(await throttled.json()).toEqual({ detail: expect.stringMatching(/^Request was throttled\. Expected available in (59|60) seconds\.$/) });
    // Anonymous: 401 from isAuthenticated (permissions run before throttles, as in DRF).
    expect((await app.request("/api/me")).status).toBe(401);
    // Nothing was counted in the memory store; the counts are in Redis.
    expect(await store.purgeCounters(Number.MAX_SAFE_INTEGER)).toBe(0);
    expect((await redis.keys(`${prefix}{throttle:user:3/60000:user:*}:log`)).length).toBe(1);
    expect((await app.request("/api/logout/", { method: "POST", headers: auth })).status).toBe(204);
    expect((await app.request("/api/me", { headers: auth })).status).toBe(401);
  });

  it("counts failed logins in Redis across the token endpoint and Basic auth, and never stores the username", async () => {
    const { app, login } = await deployment("192.0.2.2");
    const typo = `alice${PASSWORD}`; // a password typed into the username field
    expect((await login(typo, "x")).status).toBe(400);
    for (let i = 0; i < 4; i++) expect((await login("alice", `wrong-${i}`)).status).toBe(400);
    const basic = (password: string) => ({ Authorization: `Basic ${btoa(`alice:${password}`)}` });
    expect((await app.request("/api/me", { headers: basic("wrong-4") })).status).toBe(401);
    // Five failures for alice: now even the right password answers 429, at both doors.
    const blocked = await app.request("/api/me", { headers: basic(PASSWORD) });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await login("alice", PASSWORD)).status).toBe(429);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.some((key) => key.includes("login:user:"))).toBe(true);
    expect(keys.some((key) => key.includes(typo) || key.includes("alice"))).toBe(false);
  });
});
