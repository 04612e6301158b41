/**
 * Redis down or slow, through a real Hono app: every counter use fails closed (503), except a rate throttle
 * given the `throttles` view of counters built with `throttleFailure: "open"`. Brute-force protection (Basic
 * auth, the token endpoint) stays closed whatever the option. The server is killed (SIGKILL) mid-run, or paused.
 */
import { mountTokenEndpoints, routePolicies } from "@portcullis/adapters/hono";
import type { StoreError } from "@portcullis/core";
import { basicAuth, hashPassword, issueToken, tokenAuth, userRateThrottle } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterEach, describe, expect, it } from "vitest";
import { redisCounters, type RedisClientLike } from "../src/index.js";
import { hasRedisServer, redisMissing, startRedis, type RedisServer } from "./_redis.js";

const PASSWORD = "correct horse battery staple";
const TIMEOUT_MS = 300;

interface Connection {
  readonly client: RedisClientLike;
  close(): Promise<void> | void;
}

const clients: Record<string, (url: string) => Promise<Connection>> = {
  ioredis: async (url) => {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    client.on("error", () => undefined);
    return { client, close: () => client.disconnect() };
  },
  "node-redis": async (url) => {
    const client = createClient({ url });
    client.on("error", () => undefined);
    await client.connect();
    return { client, close: () => client.destroy() };
  },
};

/** Users and tokens in memory; counters in Redis; one strictly-throttled route and one that may fail open. */
async function deployment(client: RedisClientLike) {
  const store = memoryStore();
  const alice = await store.createUser({ username: "alice", passwordHash: await hashPassword(PASSWORD, { iterations: 1000 }) });
  const { key } = await issueToken(store, alice.id);
  const failures: StoreError[] = [];
  const strict = redisCounters(client, { prefix: "failure:", timeoutMs: TIMEOUT_MS });
  const lenient = redisCounters(client, {
    prefix: "failure:", timeoutMs: TIMEOUT_MS, throttleFailure: "open", onThrottleFailure: (error) => failures.push(error),
  });
  const clientIp = () => "203.0.113.9";
  // Brute-force counters are `lenient` itself (not its view): they must stay closed.
  const policy = routePolicies({ schemes: [tokenAuth({ store }), basicAuth({ users: store, counters: lenient })] }, { clientIp });
  const app = new Hono();
  mountTokenEndpoints(app, { store, counters: lenient, clientIp });
  app.get("/strict", policy({ throttles: [userRateThrottle("3/min", { store: strict.throttles })] }), (c) => c.text("ok"));
  app.get("/lenient", policy({ throttles: [userRateThrottle("3/min", { store: lenient.throttles, scope: "lenient" })] }), (c) => c.text("ok"));
  const token = { Authorization: `Token ${key}` };
  const basic = (password: string) => ({ Authorization: `Basic ${btoa(`alice:${password}`)}` });
  const login = (password: string) =>
    app.request("/api-token-auth/", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: "alice", password }),
    });
  return { app, token, basic, login, failures };
}

type Deployment = Awaited<ReturnType<typeof deployment>>;

async function statuses(app: Hono, path: string, headers: Record<string, string>, times: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) out.push((await app.request(path, { headers })).status);
  return out;
}

/** What must hold while Redis is unusable (down or paused). */
async function expectFailClosedExceptLenientThrottle(d: Deployment): Promise<void> {
  const started = Date.now();
  expect(await statuses(d.app, "/strict", d.token, 2)).toEqual([503, 503]);
  expect(await statuses(d.app, "/lenient", d.token, 5)).toEqual([200, 200, 200, 200, 200]);
  expect(d.failures.length).toBe(5);
  expect(d.failures.every((error) => error.name === "StoreError")).toBe(true);
  // Brute-force protection never fails open: a right or a wrong password on the lenient route is still 503.
  expect((await d.app.request("/lenient", { headers: d.basic(PASSWORD) })).status).toBe(503);
  expect((await d.app.request("/lenient", { headers: d.basic("wrong") })).status).toBe(503);
  expect((await d.login(PASSWORD)).status).toBe(503);
  expect((await d.login("wrong")).status).toBe(503);
  // Every call gave up after the timeout, not later (10 calls at most 300 ms each, with slack for a busy machine).
  expect(Date.now() - started).toBeLessThan(10 * TIMEOUT_MS + 4000);
}

describe.skipIf(redisMissing || !hasRedisServer)("when Redis is down or slow", () => {
  let server: RedisServer | undefined;
  let connection: Connection | undefined;

  afterEach(async () => {
    await connection?.close();
    await server?.stop();
    connection = undefined;
    server = undefined;
  });

  for (const [name, connect] of Object.entries(clients)) {
    it(`fails closed, except throttles built to fail open, when the server is killed mid-run (${name})`, async () => {
      server = await startRedis();
      connection = await connect(server.url);
      const d = await deployment(connection.client);
      // Up: both throttles count (3/min), Basic auth and the token endpoint work.
      expect(await statuses(d.app, "/strict", d.token, 4)).toEqual([200, 200, 200, 429]);
      expect(await statuses(d.app, "/lenient", d.token, 4)).toEqual([200, 200, 200, 429]);
      expect((await d.login(PASSWORD)).status).toBe(200);
      expect((await d.login("wrong")).status).toBe(400);
      expect(d.failures).toEqual([]);

      await server.stop();
      await expectFailClosedExceptLenientThrottle(d);
    });
  }

  it("fails the same way when Redis is too slow (CLIENT PAUSE), within timeoutMs", async () => {
    server = await startRedis();
    connection = await clients.ioredis!(server.url);
    const d = await deployment(connection.client);
    expect(await statuses(d.app, "/strict", d.token, 1)).toEqual([200]);
    const admin = new Redis(server.url);
    await admin.call("CLIENT", "PAUSE", "8000", "ALL");
    admin.disconnect();
    await expectFailClosedExceptLenientThrottle(d);
  });
});
