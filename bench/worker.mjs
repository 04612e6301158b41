/**
 * Section 5: the example Worker (examples/worker-d1) in workerd through Miniflare, bundled with esbuild as
 * wrangler would, its D1 migrated and filled in SQL. Load over HTTP from a separate autocannon process:
 * the protected `GET /api/me` (token auth on D1, `isAuthenticated`, anon and user throttles on the example's
 * `PortcullisCounters` Durable Object) against the
 * unprotected `GET /`. Tokens rotate over many users so that the example's `300/min` user throttle never
 * refuses. Run alone with `node bench/worker.mjs` after `pnpm build`.
 * @module
 */
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { BENCH_DIR, fmt, median, printResult, progress, ratio, runNode, writeResult } from "./_lib.mjs";
import { COMPATIBILITY_DATE, bundleWorker, fillD1, keyOf } from "./_workerd.mjs";

const ENTRY = join(BENCH_DIR, "..", "examples", "worker-d1", "src", "index.ts");
const USERS = 500;
const CONNECTIONS = 50;
const WARMUP_SEC = 1;
const DURATION_SEC = 3;
const ROUNDS = 3;

async function load(url, tokens) {
  const options = { url, connections: CONNECTIONS, warmupSec: WARMUP_SEC, durationSec: DURATION_SEC, tokens, keyword: "Token" };
  const result = JSON.parse(await runNode(join(BENCH_DIR, "http-load.mjs"), [JSON.stringify(options)], { timeoutMs: 60_000 }));
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

export async function run() {
  progress(`worker: bundling examples/worker-d1 and filling D1 with ${USERS} users and tokens`);
  const script = await bundleWorker(ENTRY);
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: COMPATIBILITY_DATE,
    d1Databases: { DB: "00000000-0000-4000-8000-000000000001" },
    durableObjects: { COUNTERS: { className: "PortcullisCounters", useSQLite: true } },
    ratelimits: { RL: { simple: { limit: 100, period: 60 } } },
    host: "127.0.0.1",
    port: 0,
  });
  try {
    await fillD1(await mf.getD1Database("DB"), { users: USERS, tokens: USERS });
    const base = await mf.ready;
    const tokens = Array.from({ length: USERS }, (_, i) => keyOf(i));
    const me = await fetch(new URL("/api/me", base), { headers: { Authorization: `Token ${tokens[0]}` } });
    const anonymous = await fetch(new URL("/api/me", base));
    await Promise.all([me.text(), anonymous.text()]);
    if (me.status !== 200 || anonymous.status !== 401) throw new Error(`/api/me: expected 200/401, got ${me.status}/${anonymous.status}`);
    progress(`worker: ${ROUNDS} rounds x 2 routes x (${WARMUP_SEC}+${DURATION_SEC}) s at ${base.origin}`);
    const samples = { open: [], protected: [] };
    for (let round = 0; round < ROUNDS; round++) {
      samples.open.push(await load(new URL("/", base).href));
      samples.protected.push(await load(new URL("/api/me", base).href, tokens));
    }
    const stats = Object.fromEntries(
      Object.entries(samples).map(([name, runs]) => [
        name,
        { requestsPerSec: median(runs.map((r) => r.requestsPerSec)), p99Ms: median(runs.map((r) => r.p99Ms)) },
      ]),
    );
    const share = stats.protected.requestsPerSec / stats.open.requestsPerSec;
    return {
      name: "worker",
      title: "5. The example Worker in workerd (Miniflare)",
      description:
        "examples/worker-d1/src/index.ts bundled with esbuild, run by Miniflare with a local D1 (migrated, " +
        `${USERS} users with one token each). autocannon in another process, ${CONNECTIONS} connections over HTTP ` +
        `to workerd's socket; ${WARMUP_SEC} s warm-up then ${DURATION_SEC} s per run, ${ROUNDS} interleaved rounds, ` +
        "median run. `/api/me` runs the example's whole policy: `tokenAuth` then `basicAuth`, `isAuthenticated`, " +
        "anon and user rate throttles, i.e. one D1 token lookup and one Durable Object call (the user throttle; the " +
        "anon throttle passes authenticated requests) per request; every measured " +
        "response was a 2xx.",
    tables: [
        {
          columns: ["route", "req/s", "p99 ms", "× unprotected"],
          rows: [
            ["`GET /` (unprotected)", fmt(stats.open.requestsPerSec), fmt(stats.open.p99Ms), ratio(1)],
            ["`GET /api/me` (token, D1 lookup + Durable Object throttle)", fmt(stats.protected.requestsPerSec), fmt(stats.protected.p99Ms), ratio(share)],
          ],
        },
      ],
      targets: [],
      raw: { stats, samples },
    };
  } finally {
    await mf.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = writeResult("worker", await run());
  printResult(result);
}
