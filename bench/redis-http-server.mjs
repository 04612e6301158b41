/**
 * The server process of the `redis` section (started by `redis.mjs`): two Hono apps on `@hono/node-server`,
 * identical but for where `userRateThrottle` counts: the memory store, or Redis (`redisCounters`, ioredis, without
 * and with `enableAutoPipelining`).
 * Tokens and users are in a memory store. Prints `{ ports, tokens }` once both listen; exits when stdin closes.
 * Argument: the Redis URL.
 * @module
 */
import { serve } from "@hono/node-server";
import { auth } from "@portcullis/adapters/hono";
import { issueToken, tokenAuth, userRateThrottle } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Hono } from "hono";
import { loadRedisModules } from "./_redis.mjs";

const USERS = 1000;
const RATE = "100000/min"; // never reached: every measured request is a counted, allowed hit

const { redisCounters, Redis } = await loadRedisModules();
const redis = new Redis(process.argv[2]);
const pipelined = new Redis(process.argv[2], { enableAutoPipelining: true });
const store = memoryStore();
const tokens = [];
for (let i = 0; i < USERS; i++) {
  const user = await store.createUser({ username: `user${i}`, passwordHash: "!" });
  tokens.push((await issueToken(store, user.id)).key);
}

function app(counters) {
  const hono = new Hono();
  const policy = { schemes: [tokenAuth({ store })], throttles: [userRateThrottle(RATE, { store: counters })] };
  hono.get("/api/me", auth(policy), (c) => c.json({ username: c.var.user.username }));
  return hono;
}

const prefix = `bench:${Date.now()}:`;
const apps = {
  memory: app(memoryStore()),
  redis: app(redisCounters(redis, { prefix }).throttles),
  pipelined: app(redisCounters(pipelined, { prefix: `${prefix}p:` }).throttles),
};

function listen(hono) {
  return new Promise((resolve) => {
    const server = serve({ fetch: hono.fetch, hostname: "127.0.0.1", port: 0 }, (info) => resolve({ server, port: info.port }));
  });
}
const servers = {};
for (const [name, hono] of Object.entries(apps)) servers[name] = await listen(hono);

function stop() {
  for (const { server } of Object.values(servers)) server.close();
  redis.disconnect();
  pipelined.disconnect();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
const ports = Object.fromEntries(Object.entries(servers).map(([name, { port }]) => [name, port]));
process.stdout.write(`${JSON.stringify({ ports, tokens })}\n`);
