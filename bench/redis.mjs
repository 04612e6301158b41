/**
 * Section 6: Redis counters (`@portcullis/store-redis`) on a redis-server this section starts on a free port.
 * (a) Latency on one connection, calls awaited one after another: a throttle hit (`userRateThrottle(...).allow`,
 *     through the `throttles` view, and the store's `hit` alone) against a bare `EVALSHA` of a one-line script on
 *     the same connection, for ioredis and node-redis; and the same with 64 calls in flight.
 * (b) HTTP: Hono on Node, a route with `tokenAuth` + `userRateThrottle` counting in Redis against the same route
 *     counting in the memory store (autocannon in another process, 1,000 users' tokens in rotation).
 * Run alone with `node bench/redis.mjs` after `pnpm build`.
 * @module
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { userRateThrottle } from "@portcullis/core";
import { BENCH_DIR, compare, fmt, median, printResult, progress, ratio, runNode, target, writeResult } from "./_lib.mjs";
import { loadRedisModules, startRedis } from "./_redis.mjs";

const { HIT } = await import(new URL("../packages/store-redis/dist/_scripts.js", import.meta.url).href);

const ONE_LINE = "return 1";
/**
 * The baseline of the targets: the hit's call shape (two keys in one hash tag, four arguments, a three-element
 * reply with a string) on a script that does no Redis work, so the ratio is what the throttle adds around its
 * EVALSHA plus the hit script's own work inside Redis.
 */
const SAME_SHAPE = "return {1, 1, ARGV[1]}";
const CONNECTIONS = 50;
const ROUNDS = 3;
const IN_FLIGHT = 64;
const CTX = {}; // ctx.now defaults to Date.now

/** The latency cases for one client: bare EVALSHA, the store's hit, a full throttle check. */
function latencyCases(label, counters, evalOneLine, evalSameShape, evalHitScript) {
  const throttle = userRateThrottle("100000/min", { store: counters.throttles });
  let i = 0;
  const check = () => ({ request: null, user: { id: `u${i++ % 1000}` }, auth: null, authenticated: true });
  return [
    { name: `${label}: bare EVALSHA`, fn: evalOneLine },
    { name: `${label}: EVALSHA, the hit's shape`, fn: () => evalSameShape(i++ % 1000) },
    { name: `${label}: EVALSHA of the hit script`, fn: () => evalHitScript(i++ % 1000) },
    { name: `${label}: counters.hit`, fn: () => counters.hit(`bench:k${i++ % 1000}`, { limit: 100_000, windowMs: 60_000, now: Date.now() }) },
    { name: `${label}: throttle hit`, fn: () => throttle.allow(check(), CTX) },
  ];
}

/** The same case with `IN_FLIGHT` calls at once (per call: the batch time / IN_FLIGHT). */
function inFlight(c) {
  return { name: `${c.name} (${IN_FLIGHT} in flight)`, fn: () => Promise.all(Array.from({ length: IN_FLIGHT }, () => c.fn())) };
}

async function latency(url) {
  const { redisCounters, Redis, createClient } = await loadRedisModules();
  const io = new Redis(url);
  const node = createClient({ url });
  await node.connect();
  const sha = await io.script("LOAD", ONE_LINE);
  const shapeSha = await io.script("LOAD", SAME_SHAPE);
  const hitSha = await io.script("LOAD", HIT.body); // the store's own script, called without the store
  // What a hit sends: its two keys (one hash tag) and four arguments (now, window, limit, dry run).
  const shapeOf = (n) => [[`bench:{throttle:user:100000/60000:user:u${n}}:log`, `bench:{throttle:user:100000/60000:user:u${n}}:meta`], [String(Date.now()), "60000", "100000", "0"]];
  try {
    const prefix = `bench:${Date.now()}:`;
    const ioShape = (n) => {
      const [keys, args] = shapeOf(n);
      return io.evalsha(shapeSha, 2, ...keys, ...args);
    };
    const nodeShape = (n) => {
      const [keys, args] = shapeOf(n);
      return node.evalSha(shapeSha, { keys, arguments: args });
    };
    const ioHit = (n) => {
      const [keys, args] = shapeOf(n);
      return io.evalsha(hitSha, 2, ...keys, ...args);
    };
    const nodeHit = (n) => {
      const [keys, args] = shapeOf(n);
      return node.evalSha(hitSha, { keys, arguments: args });
    };
    const ioCases = latencyCases("ioredis", redisCounters(io, { prefix }), () => io.evalsha(sha, 0), ioShape, ioHit);
    const nodeCases = latencyCases("node-redis", redisCounters(node, { prefix }), () => node.evalSha(sha, { keys: [], arguments: [] }), nodeShape, nodeHit);
    const sequential = await compare([...ioCases, ...nodeCases], { rounds: 4, roundMs: 400 });
    const parallel = await compare([...ioCases, ...nodeCases].map(inFlight), { rounds: 3, roundMs: 400 });
    return { sequential, parallel };
  } finally {
    io.disconnect();
    node.destroy();
  }
}

async function http(url) {
  const child = spawn(process.execPath, [join(BENCH_DIR, "redis-http-server.mjs"), url], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = once(child, "exit").then(([code]) => Promise.reject(new Error(`redis-http-server.mjs exited with ${code}`)));
  exited.catch(() => undefined); // after the race, its normal exit must not be an unhandled rejection
  const [line] = await Promise.race([once(createInterface({ input: child.stdout }), "line"), exited]);
  const { ports, tokens } = JSON.parse(line);
  const samples = { memory: [], roundTrip: [], hitScript: [], redis: [], pipelined: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(samples)) {
        const options = { url: `http://127.0.0.1:${ports[name]}/api/me`, connections: CONNECTIONS, warmupSec: 0.5, durationSec: 2.5, tokens };
        const result = JSON.parse(await runNode(join(BENCH_DIR, "http-load.mjs"), [JSON.stringify(options)], { timeoutMs: 60_000 }));
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        samples[name].push(result);
      }
    }
  } finally {
    child.stdin.end();
  }
  const stat = (name) => ({
    requestsPerSec: median(samples[name].map((s) => s.requestsPerSec)),
    p99Ms: median(samples[name].map((s) => s.p99Ms)),
  });
  return { memory: stat("memory"), roundTrip: stat("roundTrip"), hitScript: stat("hitScript"), redis: stat("redis"), pipelined: stat("pipelined"), samples };
}

function latencyRows(stats, suffix = "") {
  return ["ioredis", "node-redis"].flatMap((client) => {
    const base = stats[`${client}: bare EVALSHA${suffix}`];
    const shape = stats[`${client}: EVALSHA, the hit's shape${suffix}`];
    return ["bare EVALSHA", "EVALSHA, the hit's shape", "EVALSHA of the hit script", "counters.hit", "throttle hit"].map((what) => {
      const s = stats[`${client}: ${what}${suffix}`];
      return [`${client}: ${what}`, fmt(s.us / (suffix ? IN_FLIGHT : 1), 1), ratio(s.ns / base.ns), ratio(s.ns / shape.ns)];
    });
  });
}

export async function run() {
  const redis = await startRedis();
  try {
    progress("redis: latency on one connection (ioredis, node-redis)");
    const { sequential, parallel } = await latency(redis.url);
    progress(`redis: HTTP, memory vs Redis counters, ${ROUNDS} rounds x 3 s each, ${CONNECTIONS} connections`);
    const web = await http(redis.url);
    const throttleVsEval = (client) => sequential[`${client}: throttle hit`].ns / sequential[`${client}: EVALSHA, the hit's shape`].ns;
    const httpRatio = web.redis.requestsPerSec / web.memory.requestsPerSec;
    return {
      name: "redis",
      title: "6. Redis counters (`@portcullis/store-redis`, a local redis-server 7)",
      description:
        "A redis-server started by the section on 127.0.0.1. Latency: each case awaited call after call on one " +
        "connection, 1,000 keys in rotation, every hit allowed and recorded (median of ~20 ms batches, 4 " +
        "interleaved rounds). HTTP: GET /api/me with `tokenAuth` and `userRateThrottle(\"100000/min\")`, 1,000 users' " +
        `tokens in rotation, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of 0.5 s warm-up + 2.5 s, median; ` +
        "every measured response was a 2xx. The floor row adds to the memory-store app one Redis round trip that does no work: " +
        `what any counter kept in Redis costs per request on this machine, where redis-server, the server and the load share 2 cores ` +
        `(Redis (ioredis) ran at ${ratio(web.redis.requestsPerSec / web.roundTrip.requestsPerSec)} of that floor's req/s); the second floor row calls the store's own ` +
        `hit script the same way (Redis (ioredis) ran at ${ratio(web.redis.requestsPerSec / web.hitScript.requestsPerSec)} of it).`,
      tables: [
        {
          caption:
            "One call at a time (the targets' baseline is the EVALSHA of a script that does nothing, called with " +
            "the hit's shape: two keys, four arguments, a three-element reply):",
          columns: ["case", "µs/call", "× bare EVALSHA", "× the hit's shape"],
          rows: latencyRows(sequential),
        },
        {
          caption: `${IN_FLIGHT} calls in flight on the one connection (µs per call = batch time / ${IN_FLIGHT}; Redis' own CPU shows here):`,
          columns: ["case", "µs/call", "× bare EVALSHA", "× the hit's shape"],
          rows: latencyRows(parallel, ` (${IN_FLIGHT} in flight)`),
        },
        {
          caption: "HTTP (Hono on `@hono/node-server`):",
          columns: ["throttle counts in", "req/s", "p99 ms", "× memory"],
          rows: [
            ["memory store", fmt(web.memory.requestsPerSec), fmt(web.memory.p99Ms), ratio(1)],
            [
              "floor: memory store + one bare EVALSHA of the hit's shape per request (ioredis, no Portcullis in it)",
              fmt(web.roundTrip.requestsPerSec),
              fmt(web.roundTrip.p99Ms),
              ratio(web.roundTrip.requestsPerSec / web.memory.requestsPerSec),
            ],
            [
              "floor of this sliding log: memory store + one EVALSHA of the store's hit script per request (ioredis, no Portcullis in it)",
              fmt(web.hitScript.requestsPerSec),
              fmt(web.hitScript.p99Ms),
              ratio(web.hitScript.requestsPerSec / web.memory.requestsPerSec),
            ],
            ["Redis (ioredis)", fmt(web.redis.requestsPerSec), fmt(web.redis.p99Ms), ratio(httpRatio)],
            [
              "Redis (ioredis, `enableAutoPipelining`)",
              fmt(web.pipelined.requestsPerSec),
              fmt(web.pipelined.p99Ms),
              ratio(web.pipelined.requestsPerSec / web.memory.requestsPerSec),
            ],
          ],
        },
      ],
      targets: [
        target("Throttle hit ≤ 1.3× a bare EVALSHA of the same call shape, ioredis (one at a time)", ratio(throttleVsEval("ioredis")), throttleVsEval("ioredis") <= 1.3),
        target("Throttle hit ≤ 1.3× a bare EVALSHA of the same call shape, node-redis (one at a time)", ratio(throttleVsEval("node-redis")), throttleVsEval("node-redis") <= 1.3),
        target("HTTP with Redis counters ≥ 0.8× the memory store (req/s), the README set-up", ratio(httpRatio), httpRatio >= 0.8),
      ],
      raw: { sequential, parallel, http: web },
    };
  } finally {
    redis.stop();
  }
}

/** `node bench/redis.mjs latency`: the latency tables alone (no HTTP), printed, nothing written. */
async function latencyOnly() {
  const redis = await startRedis();
  try {
    const { sequential, parallel } = await latency(redis.url);
    for (const row of [...latencyRows(sequential), ...latencyRows(parallel, ` (${IN_FLIGHT} in flight)`)]) process.stdout.write(`${row.join(" | ")}\n`);
  } finally {
    redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] === "latency") {
  await latencyOnly();
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const result = writeResult("redis", await run());
  printResult(result);
}
