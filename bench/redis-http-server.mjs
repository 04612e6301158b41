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
// The floor of any counter kept in Redis: the memory-store app plus one round trip per request, an EVALSHA of a
// script that does nothing, called with the hit's shape (two keys in one hash tag, four arguments, a three-element
// reply; as section 6's latency baseline) on the same kind of connection.
const SAME_SHAPE = "return {1, 1, ARGV[1]}";
const shapeSha = await redis.script("LOAD", SAME_SHAPE);
// And the store's own hit script called the same way, without the store: the floor of this exact sliding log.
const { HIT } = await import(new URL("../packages/store-redis/dist/_scripts.js", import.meta.url).href);
const hitSha = await redis.script("LOAD", HIT.body);
const memoryCounters = memoryStore();
function roundTripApp(sha) {
  const hono = new Hono();
  const policy = { schemes: [tokenAuth({ store })], throttles: [userRateThrottle(RATE, { store: memoryCounters })] };
  let n = 0;
  hono.get(
    "/api/me",
    async (c, next) => {
      const tag = `${prefix}${sha.slice(0, 6)}:{u${n++ % USERS}}`;
      await redis.evalsha(sha, 2, `${tag}:log`, `${tag}:meta`, String(Date.now()), "60000", "100000", "0");
      await next();
    },
    auth(policy),
    (c) => c.json({ username: c.var.user.username }),
  );
  return hono;
}
const apps = {
  memory: app(memoryStore()),
  roundTrip: roundTripApp(shapeSha),
  hitScript: roundTripApp(hitSha),
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
