/**
 * Section 6: the Workers hot path (issue 18). The example Worker (examples/worker-d1) in workerd through Miniflare,
 * with its D1 database, its `PortcullisCounters` Durable Object and its Rate Limiting binding, wrapped by a bench
 * entry that adds `GET /floor`: one bare D1 `SELECT` of the token joined with its user plus one bare Durable
 * Object call (a `Bare` object's `ping`, sharded over 32 objects as the counters are) — the least work a token
 * check with an exact throttle can do. Routes, interleaved in each round: `/` (unprotected), `/floor`,
 * `/api/me` (token check on D1, user throttle on the object) and `/api/ping` (token cache warm, binding
 * throttle). Tokens rotate over many users so no throttle refuses. Run alone with `node bench/hot-path.mjs` after
 * `pnpm build`.
 * @module
 */
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { BENCH_DIR, fmt, median, printResult, progress, ratio, runNode, target, writeResult } from "./_lib.mjs";
import { COMPATIBILITY_DATE, bundleWorker, fillD1, keyOf } from "./_workerd.mjs";

const USERS = 2000;
/** `/api/ping` rotates over fewer tokens, so that each comes back well within the cache's 5 s. */
const PING_TOKENS = 50;
const CONNECTIONS = 50;
const WARMUP_SEC = 1;
const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const ENTRY = `
import { DurableObject } from "cloudflare:workers";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { guard, tokenAuth, tokenCache } from "@portcullis/core";
import { d1Store } from "@portcullis/store-d1";
import { durableObjectCounters } from "@portcullis/store-durable-object";
import example from "../examples/worker-d1/src/index.ts";
export { PortcullisCounters } from "../examples/worker-d1/src/index.ts";

export class Bare extends DurableObject {
  ping(key) { return { key, ok: true }; }
}

const SELECT = "SELECT t.id, t.user_id, t.name, t.created_at, t.expires_at, u.username, u.is_active, u.is_staff " +
  "FROM portcullis_tokens AS t JOIN portcullis_users AS u ON u.id = t.user_id WHERE t.digest = ?1";

function shard(key) {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 32;
}

const cache = tokenCache({ maxStalenessMs: 5_000 });
let cachedCheck;
let next = 0;

async function diagnostic(path, request, env) {
  if (path === "/cached-token") {
    cachedCheck ??= guard({ schemes: [tokenAuth({ store: cache.wrap(d1Store(env.DB)) })] });
    const decision = await cachedCheck(request);
    return Response.json({ username: decision.user.username });
  }
  if (path === "/counter-hit") {
    const hit = await durableObjectCounters(env.COUNTERS).hit("bench:" + (next++ % 2000), { limit: 1e9, windowMs: 60_000, now: Date.now() });
    return Response.json(hit);
  }
  const outcome = await env.RL.limit({ key: "bench:" + (next++ % 200) });
  return Response.json(outcome);
}

export default {
  async fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    if (path === "/cached-token" || path === "/binding" || path === "/counter-hit") return diagnostic(path, request, env);
    if (path !== "/floor") return example.fetch(request, env, ctx);
    const key = (request.headers.get("authorization") ?? "").slice("Token ".length);
    const row = await env.DB.prepare(SELECT).bind(bytesToHex(sha256(new TextEncoder().encode(key)))).first();
    const pong = await env.BARE.get(env.BARE.idFromName("bare:" + shard(row.user_id))).ping(row.user_id);
    return Response.json({ username: row.username, ok: pong.ok });
  },
};`;

const ROUTES = [
  ["open", "/", "`GET /` (unprotected)"],
  ["floor", "/floor", "`GET /floor`: one bare D1 `SELECT` + one bare Durable Object call"],
  ["me", "/api/me", "`GET /api/me`: token on D1, user throttle on the Durable Object"],
  ["ping", "/api/ping", "`GET /api/ping`: token cache warm, Rate Limiting binding throttle"],
  ["cached", "/cached-token", "diagnostic: `guard()` with a warm token cache alone (no Hono, no throttle)"],
  ["binding", "/binding", "diagnostic: one Rate Limiting binding call alone (no auth)"],
  ["counter", "/counter-hit", "diagnostic: one `durableObjectCounters` hit alone (no auth)"],
].filter(([name]) => !process.env.BENCH_ROUTES || process.env.BENCH_ROUTES.split(",").includes(name));

async function load(url, tokens) {
  const options = { url, connections: CONNECTIONS, warmupSec: WARMUP_SEC, durationSec: DURATION_SEC, tokens, keyword: "Token" };
  const result = JSON.parse(await runNode(join(BENCH_DIR, "http-load.mjs"), [JSON.stringify(options)], { timeoutMs: 60_000 }));
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

function startWorker(script) {
  return new Miniflare({
    modules: true,
    script,
    compatibilityDate: COMPATIBILITY_DATE,
    d1Databases: { DB: "00000000-0000-4000-8000-000000000001" },
    durableObjects: {
      COUNTERS: { className: "PortcullisCounters", useSQLite: true },
      BARE: { className: "Bare", useSQLite: true },
    },
    // The binding's own limit (the example's is 100/60 s) raised so that it never refuses: this measures its cost.
    ratelimits: { RL: { simple: { limit: 1_000_000, period: 60 } } },
    host: "127.0.0.1",
    port: 0,
  });
}

function tokensFor(route, tokens) {
  if (route === "open") return undefined;
  return route === "ping" || route === "cached" ? tokens.slice(0, PING_TOKENS) : tokens;
}

export async function run() {
  progress(`hot-path: bundling the example behind a bench entry; filling D1 with ${USERS} users and tokens`);
  const mf = startWorker(await bundleWorker({ contents: ENTRY, resolveDir: BENCH_DIR }));
  try {
    await fillD1(await mf.getD1Database("DB"), { users: USERS, tokens: USERS });
    const base = await mf.ready;
    const tokens = Array.from({ length: USERS }, (_, i) => keyOf(i));
    for (const [, path] of ROUTES) {
      const res = await fetch(new URL(path, base), { headers: { Authorization: `Token ${tokens[0]}` } });
      if (res.status !== 200) throw new Error(`${path}: expected 200, got ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
    progress(`hot-path: ${ROUNDS} rounds x ${ROUTES.length} routes x (${WARMUP_SEC}+${DURATION_SEC}) s at ${base.origin}`);
    const samples = Object.fromEntries(ROUTES.map(([name]) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, path] of ROUTES) samples[name].push(await load(new URL(path, base).href, tokensFor(name, tokens)));
    }
    return report(samples);
  } finally {
    await mf.dispose();
  }
}

function report(samples) {
  const stats = Object.fromEntries(
    Object.entries(samples).map(([name, runs]) => [
      name,
      { requestsPerSec: median(runs.map((r) => r.requestsPerSec)), p99Ms: median(runs.map((r) => r.p99Ms)) },
    ]),
  );
  const rps = (name) => stats[name]?.requestsPerSec ?? Number.NaN;
  const meVsFloor = rps("me") / rps("floor");
  const pingVsOpen = rps("ping") / rps("open");
  return {
    name: "hot-path",
    title: "6. The Workers hot path: Durable Object counters, token cache, Rate Limiting binding (workerd)",
    description:
      "examples/worker-d1 behind a bench entry that adds `/floor`, bundled with esbuild and run by Miniflare with a " +
      `local D1 (${USERS} users with one token each), SQLite-backed Durable Objects and the emulated Rate Limiting ` +
      `binding. autocannon in another process, ${CONNECTIONS} connections; ${WARMUP_SEC} s warm-up then ` +
      `${DURATION_SEC} s per run, ${ROUNDS} interleaved rounds, median run. Tokens rotate over all users, and over ` +
      `${PING_TOKENS} of them for \`/api/ping\` so that its token cache (5 s) stays warm; the emulated binding's ` +
      "limit is raised so that it never refuses. Every measured response was a 2xx. Local round " +
      "trips cost CPU on this machine; in production they cost latency, so the round-trip table in " +
      "packages/store-durable-object/README.md is the primary figure.",
    tables: [
      {
        columns: ["route", "req/s", "p99 ms", "× unprotected", "× floor"],
        rows: ROUTES.map(([name, , label]) => [
          label,
          fmt(rps(name)),
          fmt(stats[name].p99Ms),
          ratio(rps(name) / rps("open")),
          ratio(rps(name) / rps("floor")),
        ]),
      },
    ],
    targets: [
      target("`GET /api/me` (token on D1, user throttle on the Durable Object) ≥ 0.9× the floor", ratio(meVsFloor), meVsFloor >= 0.9),
      target("`GET /api/ping` (token cache warm, binding throttle) ≥ 0.7× unprotected `/`", ratio(pingVsOpen), pingVsOpen >= 0.7),
    ],
    raw: { stats, samples },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = writeResult("hot-path", await run());
  printResult(result);
}
