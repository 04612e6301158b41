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

const ONE_LINE = "return 1";
const CONNECTIONS = 50;
const ROUNDS = 3;
const IN_FLIGHT = 64;
const CTX = {}; // ctx.now defaults to Date.now

/** The latency cases for one client: bare EVALSHA, the store's hit, a full throttle check. */
function latencyCases(label, counters, evalOneLine) {
  const throttle = userRateThrottle("100000/min", { store: counters.throttles });
  let i = 0;
  const check = () => ({ request: null, user: { id: `u${i++ % 1000}` }, auth: null, authenticated: true });
  return [
    { name: `${label}: bare EVALSHA`, fn: evalOneLine },
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
  try {
    const prefix = `bench:${Date.now()}:`;
    const ioCases = latencyCases("ioredis", redisCounters(io, { prefix }), () => io.evalsha(sha, 0));
    const nodeCases = latencyCases("node-redis", redisCounters(node, { prefix }), () => node.evalSha(sha, { keys: [], arguments: [] }));
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
  const samples = { memory: [], redis: [], pipelined: [] };
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
  return { memory: stat("memory"), redis: stat("redis"), pipelined: stat("pipelined"), samples };
}

function latencyRows(stats, suffix = "") {
  return ["ioredis", "node-redis"].flatMap((client) => {
    const base = stats[`${client}: bare EVALSHA${suffix}`];
    return ["bare EVALSHA", "counters.hit", "throttle hit"].map((what) => {
      const s = stats[`${client}: ${what}${suffix}`];
      return [`${client}: ${what}`, fmt(s.us / (suffix ? IN_FLIGHT : 1), 1), ratio(s.ns / base.ns)];
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
    const throttleVsEval = (client) => sequential[`${client}: throttle hit`].ns / sequential[`${client}: bare EVALSHA`].ns;
    const httpRatio = web.redis.requestsPerSec / web.memory.requestsPerSec;
    return {
      name: "redis",
      title: "6. Redis counters (`@portcullis/store-redis`, a local redis-server 7)",
      description:
        "A redis-server started by the section on 127.0.0.1. Latency: each case awaited call after call on one " +
        "connection, 1,000 keys in rotation, every hit allowed and recorded (median of ~20 ms batches, 4 " +
        "interleaved rounds). HTTP: GET /api/me with `tokenAuth` and `userRateThrottle(\"100000/min\")`, 1,000 users' " +
        `tokens in rotation, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of 0.5 s warm-up + 2.5 s, median; ` +
        "every measured response was a 2xx.",
      tables: [
        { caption: "One call at a time:", columns: ["case", "µs/call", "× bare EVALSHA"], rows: latencyRows(sequential) },
        {
          caption: `${IN_FLIGHT} calls in flight on the one connection (µs per call = batch time / ${IN_FLIGHT}; Redis' own CPU shows here):`,
          columns: ["case", "µs/call", "× bare EVALSHA"],
          rows: latencyRows(parallel, ` (${IN_FLIGHT} in flight)`),
        },
        {
          caption: "HTTP (Hono on `@hono/node-server`):",
          columns: ["throttle counts in", "req/s", "p99 ms", "× memory"],
          rows: [
            ["memory store", fmt(web.memory.requestsPerSec), fmt(web.memory.p99Ms), ratio(1)],
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
        target("Throttle hit ≤ 1.3× a bare EVALSHA, ioredis (one at a time)", ratio(throttleVsEval("ioredis")), throttleVsEval("ioredis") <= 1.3),
        target("Throttle hit ≤ 1.3× a bare EVALSHA, node-redis (one at a time)", ratio(throttleVsEval("node-redis")), throttleVsEval("node-redis") <= 1.3),
        target("HTTP with Redis counters ≥ 0.8× the memory store (req/s), the README set-up", ratio(httpRatio), httpRatio >= 0.8),
      ],
      raw: { sequential, parallel, http: web },
    };
  } finally {
    redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = writeResult("redis", await run());
  printResult(result);
}
