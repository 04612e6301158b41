/**
 * Section: PostgreSQL (`@portcullis/store-postgres` on postgres.js, the real server of PORTCULLIS_PG_URL; two
 * databases of its own, created and dropped here). (1) A token check (`authenticate()` with `tokenAuth`) against a
 * bare `SELECT 1` round trip on the same client, interleaved; (2) the token check with 1,000 vs 1,000,000 tokens;
 * (3) HTTP: Hono on Node, a token-protected route vs the same app running one `SELECT 1` per request, and a bare
 * handler running the store's statement (autocannon, 50 connections, separate load process), with CPU µs per
 * request of the server and of PostgreSQL's backends. Without PORTCULLIS_PG_URL the section reports itself skipped.
 * Run alone with `node bench/postgres.mjs` after `pnpm build`.
 * @module
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { authenticate, tokenAuth, tokenDigest } from "@portcullis/core";
import { migrate, postgresStore } from "@portcullis/store-postgres";
import postgres from "postgres";
import { BENCH_DIR, compare, fmt, median, printResult, progress, ratio, runNode, target, writeResult } from "./_lib.mjs";

const URL_ = process.env.PORTCULLIS_PG_URL ?? "";
const SIZES = [1_000, 1_000_000];
const PICKS = 1024;
const RUNS = 3;

/** The median of several `compare` answers for one case (by ns per call). */
function medianOf(stats) {
  const ns = median(stats.map((s) => s.ns));
  return { ns, us: ns / 1000 };
}
const TITLE = "PostgreSQL (store-postgres)";

/** The statement `postgresStore`'s `findToken` runs (packages/store-postgres/src/_tokens.ts). */
const FIND_TOKEN = `SELECT t.id, t.user_id, t.name, t.created_at, t.expires_at, u.username, u.is_active, u.is_staff, u.is_superuser
FROM portcullis_tokens AS t JOIN portcullis_users AS u ON u.id = t.user_id
WHERE t.digest = $1`;

const keyOf = (i) => createHash("sha256").update(`portcullis-bench-${i}`).digest("hex").slice(0, 40);

async function withDatabase(name, fn) {
  const admin = postgres(URL_, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(URL_);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

/** Migrates and fills a database with 1,000 users and `size` tokens (digests computed in SQL, as tokenDigest does). */
async function fill(sql, size) {
  await migrate(sql);
  await sql.unsafe(`INSERT INTO portcullis_users (id, username, password_hash)
    SELECT 'u' || g, 'user' || g, '!' FROM generate_series(0, 999) AS g`);
  await sql.unsafe(`INSERT INTO portcullis_tokens (id, digest, user_id, created_at)
    SELECT 't' || g, encode(sha256(convert_to(left(encode(sha256(convert_to('portcullis-bench-' || g, 'UTF8')), 'hex'), 40), 'UTF8')), 'hex'),
      'u' || (g % 1000), 0 FROM generate_series(0, ${size - 1}) AS g`);
  await sql.unsafe("ANALYZE");
}

function checker(sql, size) {
  const schemes = [tokenAuth({ store: postgresStore(sql) })];
  const requests = Array.from({ length: PICKS }, (_, i) => {
    const index = Math.floor(((i * 2654435761) % 4294967296) / 4294967296 * size);
    return new Request("http://bench/", { headers: { Authorization: `Token ${keyOf(index)}` } });
  });
  return async (i) => {
    const result = await authenticate(requests[i & (PICKS - 1)], schemes);
    if (result.status !== "authenticated") throw new Error("a benchmark token failed");
  };
}

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/** CPU ticks a process has used so far (user + system, from /proc), or null off Linux (as in http.mjs). */
function ticksOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** The PostgreSQL backends of one server process's pool (its connections' `application_name`), by PID. */
async function backendTicks(admin, applicationName) {
  const rows = await admin.unsafe("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [applicationName]);
  return new Map(rows.map(({ pid }) => [pid, ticksOf(pid)]));
}

/**
 * One measured run of one app of postgres-server.mjs in a server process of its own, started for this run and
 * stopped after it (postgres.js 3.4's pool queues grow with every query served under saturation, so each app
 * starts from the same state: see bench/NOTES.md, sixth pass). Answers req/s and the CPU µs per request served
 * (warm-up included) of the Node server and of PostgreSQL's backends serving its pool: the figures a shared
 * machine's load distorts least (req/s on 2 cores is set by the scheduler as much as by the server).
 */
async function loadOnce(admin, url, name, run) {
  const applicationName = `portcullis-bench-${name}-${run}`;
  const child = spawn(process.execPath, [join(BENCH_DIR, "postgres-server.mjs"), url, name, applicationName], { stdio: ["pipe", "pipe", "inherit"] });
  try {
    const [line] = await once(createInterface({ input: child.stdout }), "line");
    const { port } = JSON.parse(line);
    const [serverBefore, backendsBefore] = [ticksOf(child.pid), await backendTicks(admin, applicationName)];
    const options = { url: `http://127.0.0.1:${port}/api/me`, connections: 50, warmupSec: 0.5, durationSec: 2.5, headers: { authorization: `Token ${keyOf(7)}` } };
    const result = JSON.parse(await runNode(join(BENCH_DIR, "http-load.mjs"), [JSON.stringify(options)], { timeoutMs: 60_000 }));
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    const [serverAfter, backendsAfter] = [ticksOf(child.pid), await backendTicks(admin, applicationName)];
    const served = result.total + result.warmupTotal;
    const usPer = (ticks) => (ticks * 1e6) / TICKS_PER_SEC / served;
    // The pool opens its connections during the warm-up: a backend opened during this run counts from zero.
    let backendTicksUsed = 0;
    for (const [pid, after] of backendsAfter) backendTicksUsed += (after ?? 0) - (backendsBefore.get(pid) ?? 0);
    return {
      rps: result.requestsPerSec,
      nodeUs: serverBefore === null || serverAfter === null ? Number.NaN : usPer(serverAfter - serverBefore),
      pgUs: usPer(backendTicksUsed),
    };
  } finally {
    child.stdin.end();
    await once(child, "exit");
  }
}

/** HTTP rounds over the three apps, each app in a fresh server process per run, the order rotated per round. */
async function http(url) {
  const admin = postgres(URL_, { max: 1, onnotice: () => undefined });
  const names = ["select1", "statement", "token"];
  const rounds = [];
  for (let round = 0; round < 3; round++) {
    const row = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      row[name] = await loadOnce(admin, url, name, round);
    }
    rounds.push(row);
  }
  await admin.end();
  const ratios = rounds.map((r) => r.token.rps / r.select1.rps);
  const of = (name, key) => median(rounds.map((r) => r[name][key]));
  const apps = Object.fromEntries(names.map((name) => [name, { rps: of(name, "rps"), nodeUs: of(name, "nodeUs"), pgUs: of(name, "pgUs"), ratios: rounds.map((r) => r[name].rps / r.select1.rps) }]));
  return { apps, ratio: median(ratios), worst: Math.min(...ratios), ratios };
}

async function measure(smallUrl, largeUrl) {
  const small = postgres(smallUrl, { max: 4, onnotice: () => undefined });
  const large = postgres(largeUrl, { max: 4, onnotice: () => undefined });
  progress(`postgres: filling ${fmt(SIZES[0])} and ${fmt(SIZES[1])} tokens`);
  await fill(small, SIZES[0]);
  await fill(large, SIZES[1]);
  // The store's own statement, called on the same client without Portcullis: what the database and the driver
  // cost for this lookup (the floor of any token check here).
  const digests = Array.from({ length: PICKS }, (_, i) => tokenDigest(keyOf(Math.floor(((i * 2654435761) % 4294967296) / 4294967296 * SIZES[0]))));
  let pick = 0;
  const cases = [
    { name: "select1", fn: () => small.unsafe("SELECT 1", [], { prepare: true }) },
    { name: "raw", fn: () => small.unsafe(FIND_TOKEN, [digests[pick++ & (PICKS - 1)]], { prepare: true }) },
    { name: "small", fn: checker(small, SIZES[0]) },
    { name: "large", fn: checker(large, SIZES[1]) },
  ];
  // Three separate runs of the interleaved comparison: the issue asks for the targets in three runs out of three.
  const runs = [];
  for (let run = 0; run < RUNS; run++) runs.push(await compare(cases, { rounds: 3, roundMs: 400 }));
  const times = Object.fromEntries(cases.map(({ name }) => [name, medianOf(runs.map((r) => r[name]))]));
  times.runs = runs;
  progress("postgres: HTTP (Hono on Node, autocannon)");
  const web = await http(largeUrl);
  await Promise.all([small.end(), large.end()]);
  return { times, web };
}

if (URL_ === "") {
  const result = { title: TITLE, description: "Skipped: PORTCULLIS_PG_URL is not set (the section needs a real PostgreSQL server).", tables: [], targets: [] };
  printResult(writeResult("postgres", result));
} else {
  const { times, web } = await withDatabase("portcullis_bench_small", (smallUrl) =>
    withDatabase("portcullis_bench_large", (largeUrl) => measure(smallUrl, largeUrl)),
  );
  const checkRatio = times.small.ns / times.select1.ns;
  const checkRatios = times.runs.map((r) => r.small.ns / r.select1.ns);
  const worstCheck = Math.max(...checkRatios);
  const listed = (values) => values.map((v) => ratio(v)).join(", ");
  const scaleRatio = times.large.ns / times.small.ns;
  const result = {
    title: TITLE,
    description:
      `postgres.js 3.4 on the local PostgreSQL server (PORTCULLIS_PG_URL), sequential awaited calls, interleaved rounds, ${RUNS} runs (the table: the median run's figures; the target: every run); ` +
      "a token check is `authenticate()` with `tokenAuth` on `postgresStore` (one SELECT joining token and user). " +
      "HTTP: Hono on `@hono/node-server`, autocannon with 50 connections in a separate process, 3 rounds, each app in a server process of its own started afresh for each run (postgres.js 3.4's pool queues grow with every query served while all connections are busy, so a shared process would charge later apps for earlier load: bench/NOTES.md, sixth pass), the order rotated per round, the median round; " +
      "CPU µs per request from /proc (the server process, and the PostgreSQL backends of its pool), warm-up included.",
    tables: [
      {
        columns: ["case", "µs per call", "ratio"],
        rows: [
          ["`SELECT 1` round trip", fmt(times.select1.us, 1), "1.00×"],
          [`the store's token statement alone (no Portcullis), ${fmt(SIZES[0])} tokens`, fmt(times.raw.us, 1), ratio(times.raw.ns / times.select1.ns)],
          [`token check, ${fmt(SIZES[0])} tokens`, fmt(times.small.us, 1), ratio(checkRatio)],
          [`token check, ${fmt(SIZES[1])} tokens`, fmt(times.large.us, 1), ratio(times.large.ns / times.select1.ns)],
        ],
      },
      {
        columns: ["HTTP app", "req/s", "ratio (median round)", "Node CPU µs/request", "PostgreSQL CPU µs/request", "total CPU µs/request", "× `SELECT 1` (CPU)"],
        rows: [
          ["one `SELECT 1` per request", "select1"],
          ["the store's token statement in the handler (no Portcullis)", "statement"],
          ["token-protected route (postgresStore)", "token"],
        ].map(([label, name]) => {
          const app = web.apps[name];
          const total = app.nodeUs + app.pgUs;
          const floor = web.apps.select1.nodeUs + web.apps.select1.pgUs;
          return [label, fmt(app.rps), ratio(median(app.ratios)), fmt(app.nodeUs, 1), fmt(app.pgUs, 1), fmt(total, 1), ratio(total / floor)];
        }),
      },
    ],
    targets: [
      target(`token check ≤ 1.2× a bare \`SELECT 1\`, in ${RUNS} runs out of ${RUNS}`, listed(checkRatios), worstCheck <= 1.2),
      target("token check at 1,000,000 tokens ≤ 1.5× at 1,000", ratio(scaleRatio), scaleRatio <= 1.5),
      target(`Hono token route req/s ≥ 0.8× one \`SELECT 1\` per request, in ${web.ratios.length} rounds out of ${web.ratios.length}`, listed(web.ratios), web.worst >= 0.8),
    ],
  };
  printResult(writeResult("postgres", result));
}
