/**
 * One process of the multi-process tests (bundled by `_processes.ts`, run with `node:child_process.fork`): a real
 * Hono app with Portcullis, users in a memory store of its own, counters in the shared Redis. It connects, says
 * `ready`, waits for `go` (sent to every process at once), fires its share of concurrent requests through the
 * app and reports the statuses, and how many password checks its user store saw.
 */
import { routePolicies } from "@portcullis/adapters/hono";
import { basicAuth, hashPassword, tokenAuth, userRateThrottle, type UserStore } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { redisCounters, type RedisClientLike } from "../src/index.js";

export interface ChildJob {
  readonly url: string;
  readonly prefix: string;
  readonly client: "ioredis" | "node-redis";
  readonly scenario: "throttle" | "wrong-passwords";
  readonly requests: number;
}

export interface ChildReport {
  readonly statuses: number[];
  readonly checks: number;
}

async function connect(job: ChildJob): Promise<{ client: RedisClientLike; close: () => void }> {
  if (job.client === "ioredis") {
    const client = new Redis(job.url);
    return { client, close: () => client.disconnect() };
  }
  const client = createClient({ url: job.url });
  await client.connect();
  return { client, close: () => client.destroy() };
}

async function app(job: ChildJob, client: RedisClientLike) {
  const store = memoryStore();
  await store.createUser({ username: "alice", passwordHash: await hashPassword("right", { iterations: 1000 }) });
  let checks = 0;
  // Counts the password checks: basicAuth reads the user (then verifies the hash) only for a reserved attempt.
  const users: Pick<UserStore, "getUserByUsername" | "setPasswordHash"> = {
    getUserByUsername: (username) => ((checks += 1), store.getUserByUsername(username)),
    setPasswordHash: (id, hash) => store.setPasswordHash(id, hash),
  };
  const counters = redisCounters(client, { prefix: job.prefix, timeoutMs: 10_000 });
  const policy = routePolicies({ schemes: [tokenAuth({ store }), basicAuth({ users, counters })] }, { clientIp: () => "198.51.100.7" });
  const hono = new Hono();
  const throttle = userRateThrottle("50/min", { store: counters.throttles });
  hono.get("/throttled", policy({ permissions: [], throttles: [throttle] }), (c) => c.text("ok"));
  hono.get("/private", policy(), (c) => c.text("ok"));
  return { hono, checks: () => checks };
}

async function main(): Promise<void> {
  const job = await new Promise<ChildJob>((resolve) => process.once("message", (message) => resolve(message as ChildJob)));
  const { client, close } = await connect(job);
  const { hono, checks } = await app(job, client);
  await counters0(client, job);
  process.send?.("ready");
  await new Promise((resolve) => process.once("message", resolve));
  const request = job.scenario === "throttle"
    ? () => hono.request("/throttled")
    : () => hono.request("/private", { headers: { Authorization: `Basic ${btoa("alice:wrong")}` } });
  const responses = await Promise.all(Array.from({ length: job.requests }, request));
  const report: ChildReport = { statuses: responses.map((r) => r.status), checks: checks() };
  process.send?.(report, () => {
    close();
    process.exit(0);
  });
}

/** Loads the scripts on this connection before `go`, so the race is between hits, not script loading. */
async function counters0(client: RedisClientLike, job: ChildJob): Promise<void> {
  await redisCounters(client, { prefix: `${job.prefix}warmup:` }).hit("w", { limit: 1, windowMs: 1000, now: Date.now() });
}

void main();
