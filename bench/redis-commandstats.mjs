/**
 * The hit script's own cost inside Redis (`INFO commandstats`, µs per `EVALSHA`), against a do-nothing script of
 * the same call shape: 20,000 calls over 1,000 counters (64 in flight, a fresh counter set per round, limit
 * 100,000 so every hit is allowed and every log keeps growing), `CONFIG RESETSTAT` before each script, three
 * rounds, medians. A redis-server of its own on a free 127.0.0.1 port, stopped by PID. No round trip, no client
 * and no scheduler in the figure: the steadier measure on a shared machine.
 *
 * `node bench/redis-commandstats.mjs [scripts module ...]` after `pnpm build`: each extra argument is a built
 * `_scripts.js` (e.g. a copy of an earlier release's) whose `HIT` is measured beside the current one.
 */
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { loadRedisModules, startRedis } from "./_redis.mjs";

const SAME_SHAPE = "return {1, 1, ARGV[1]}";
const current = await import(new URL("../packages/store-redis/dist/_scripts.js", import.meta.url).href);
const others = await Promise.all(process.argv.slice(2).map((path) => import(pathToFileURL(path).href)));
const scripts = [["do-nothing, the hit's shape", SAME_SHAPE], ["hit script", current.HIT.body],
  ...others.map((module, i) => [`hit script of ${process.argv[2 + i]}`, module.HIT.body])];

const { Redis } = await loadRedisModules();
const server = await startRedis();
const redis = new Redis(server.url);

/** µs per EVALSHA of `body` inside Redis over one round. */
async function round(body, label) {
  const sha = await redis.script("LOAD", body);
  await redis.config("RESETSTAT");
  const start = Date.now();
  let batch = [];
  for (let i = 0; i < 20_000; i++) {
    const base = `${label}:{throttle:user:100000/60000:user:u${i % 1000}}`;
    batch.push(redis.evalsha(sha, 2, `${base}:log`, `${base}:meta`, String(start + i), "60000", "100000", "0"));
    if (batch.length === 64) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
  return Number(/cmdstat_evalsha:.*usec_per_call=([\d.]+)/.exec(await redis.info("commandstats"))?.[1]);
}

try {
  const figures = scripts.map(() => []);
  for (let r = 0; r < 3; r++) {
    for (const [i, [, body]] of scripts.entries()) figures[i].push(await round(body, `cs${r}:${i}`));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  const base = median(figures[0]);
  for (const [i, [name]] of scripts.entries()) {
    const us = median(figures[i]);
    process.stdout.write(`${name}: ${us.toFixed(2)} µs per call inside Redis (${(us / base).toFixed(2)}×), rounds ${figures[i].join(", ")}\n`);
  }
  process.stdout.write(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}\n`);
} finally {
  redis.disconnect();
  server.stop();
}
