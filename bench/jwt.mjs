/**
 * Section 6: JWT (HS256 access token, stateless user) on Hono. Portcullis `jwtAuth` against Hono's own `jwt()`
 * middleware and a header-only floor, on the same token: over HTTP on Node (a server process on
 * `@hono/node-server`, autocannon in another process, 50 connections), in one Node process through `app.fetch`,
 * and the per-request cost of the same apps in Deno and in workerd (Miniflare). The apps are `jwt-apps.mjs`.
 * Run alone with `node bench/jwt.mjs` after `pnpm build`.
 * @module
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { Miniflare } from "miniflare";
import { BENCH_DIR, fmt, median, printResult, progress, ratio, runNode, target, writeResult } from "./_lib.mjs";
import { COMPATIBILITY_DATE, bundleWorker } from "./_workerd.mjs";
import { JWT_VARIANTS, buildApps, timeApps } from "./jwt-apps.mjs";

const CONNECTIONS = 50;
const WARMUP_SEC = 0.5;
const DURATION_SEC = 2.5;
const ROUNDS = 3;
const DENO = join(BENCH_DIR, "..", "packages/adapters/node_modules/.bin/deno");
const APPS_URL = pathToFileURL(join(BENCH_DIR, "jwt-apps.mjs")).href;

async function startServer() {
  const child = spawn(process.execPath, [join(BENCH_DIR, "http-server.mjs"), "./jwt-apps.mjs"], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = await once(createInterface({ input: child.stdout }), "line");
  return { child, ...JSON.parse(line) };
}

/** Every variant answers 200 with the token and 401 without it before any load. */
async function sanityCheck(ports, token) {
  for (const [name] of JWT_VARIANTS) {
    const url = `http://127.0.0.1:${ports[name]}/api/me`;
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    const anonymous = await fetch(url);
    await Promise.all([ok.text(), anonymous.text()]);
    if (ok.status !== 200 || anonymous.status !== 401) throw new Error(`${name}: expected 200/401, got ${ok.status}/${anonymous.status}`);
  }
}

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/** CPU seconds a process has used so far (user + system, from /proc), or null off Linux. */
function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SEC;
  } catch {
    return null;
  }
}

/** One autocannon run, with the server process's CPU µs per request served (warm-up included). */
async function loadOnce(port, token, pid) {
  const cpuBefore = cpuSecondsOf(pid);
  const options = {
    url: `http://127.0.0.1:${port}/api/me`,
    connections: CONNECTIONS,
    warmupSec: WARMUP_SEC,
    durationSec: DURATION_SEC,
    headers: { authorization: `Bearer ${token}` },
  };
  const result = JSON.parse(await runNode(join(BENCH_DIR, "http-load.mjs"), [JSON.stringify(options)], { timeoutMs: 60_000 }));
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`load on port ${port}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const cpuAfter = cpuSecondsOf(pid);
  const served = result.total + result.warmupTotal;
  return { ...result, cpuUsPerRequest: cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1e6) / served };
}

async function overHttp() {
  const server = await startServer();
  const samples = Object.fromEntries(JWT_VARIANTS.map(([name]) => [name, []]));
  try {
    await sanityCheck(server.ports, server.key);
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [name] of JWT_VARIANTS) {
        const result = await loadOnce(server.ports[name], server.key, server.child.pid);
        if (round > 0) samples[name].push(result); // round 0 warms every variant's code up (JIT) and is dropped
      }
    }
  } finally {
    server.child.stdin.end();
  }
  return Object.fromEntries(
    JWT_VARIANTS.map(([name]) => [
      name,
      {
        requestsPerSec: median(samples[name].map((s) => s.requestsPerSec)),
        p99Ms: median(samples[name].map((s) => s.p99Ms)),
        cpuUs: median(samples[name].map((s) => s.cpuUsPerRequest ?? Number.NaN)),
      },
    ]),
  );
}

/** Deno: a script in a temporary directory (Deno 2.9 would otherwise edit the root package.json) importing the apps. */
async function onDeno() {
  const dir = mkdtempSync(join(os.tmpdir(), "portcullis-bench-jwt-deno-"));
  try {
    writeFileSync(join(dir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual", lock: false }));
    const script = `import { buildApps, timeApps } from ${JSON.stringify(APPS_URL)};
const { apps, key } = await buildApps();
console.log(JSON.stringify(await timeApps(apps, key)));
`;
    writeFileSync(join(dir, "bench.mjs"), script);
    const env = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(BENCH_DIR, "..", "packages/adapters/node_modules/.cache/deno") };
    const out = await collect(DENO, ["run", "--config", "deno.json", "--allow-read", "--allow-env", "bench.mjs"], { cwd: dir, env });
    return JSON.parse(out.trim().split("\n").at(-1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * workerd: the same module bundled as wrangler would (no nodejs_compat: the portable HMAC and SHA-256). Its clock
 * advances in whole milliseconds, so its rounds are 1,000 requests long.
 */
async function onWorkerd() {
  const contents = `import { buildApps, timeApps } from "./jwt-apps.mjs";
export default { async fetch() { const { apps, key } = await buildApps(); return Response.json(await timeApps(apps, key, { rounds: 9, perRound: 1000 })); } };
`;
  const script = await bundleWorker({ contents, resolveDir: BENCH_DIR });
  const mf = new Miniflare({ modules: true, script, compatibilityDate: COMPATIBILITY_DATE });
  try {
    const res = await mf.dispatchFetch("https://bench.test/");
    if (res.status !== 200) throw new Error(`the Worker answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
    return await res.json();
  } finally {
    await mf.dispose();
  }
}

function collect(binary, args, { cwd, env }) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let [out, err] = ["", ""];
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${binary} exited with ${signal ?? code}:\n${err}${out}`));
    });
  });
}

/** One row per variant of an in-runtime timing: µs/request, throughput × floor, × Hono `jwt()`. */
function runtimeRows(label, timing) {
  return JWT_VARIANTS.map(([name, variant]) => [
    label,
    timing.clock,
    variant,
    fmt(timing.us[name], 1),
    ratio(1 / timing.vsFloor[name]),
    ratio(timing.vsFloor.honoJwt / timing.vsFloor[name]),
  ]);
}

export async function run() {
  progress(`jwt: ${JWT_VARIANTS.length} variants x ${ROUNDS + 1} rounds x (${WARMUP_SEC}+${DURATION_SEC}) s over HTTP`);
  const http = await overHttp();
  progress("jwt: in process (Node), then Deno and workerd");
  const { apps, key } = await buildApps();
  const timings = [["Node (in process)", await timeApps(apps, key)], ["Deno", await onDeno()], ["workerd (Miniflare)", await onWorkerd()]];
  const floor = http.header.requestsPerSec;
  const httpRows = JWT_VARIANTS.map(([name, label]) => [
    label,
    fmt(http[name].requestsPerSec),
    fmt(http[name].p99Ms),
    ratio(http[name].requestsPerSec / floor),
    ratio(http[name].requestsPerSec / http.honoJwt.requestsPerSec),
    fmt(http[name].cpuUs, 1),
    ratio(http.header.cpuUs / http[name].cpuUs),
  ]);
  const node = timings[0][1];
  const httpFloor = http.portcullis.requestsPerSec / floor;
  const httpHono = http.portcullis.requestsPerSec / http.honoJwt.requestsPerSec;
  const cpuFloor = 1 / node.vsFloor.portcullis;
  const cpuHono = node.vsFloor.honoJwt / node.vsFloor.portcullis;
  const workerdCached = 1 / timings[2][1].vsFloor.portcullis;
  return {
    name: "jwt",
    title: "6. JWT: `jwtAuth` (HS256, stateless user) against Hono's `jwt()` (Node over HTTP and in process, Deno, workerd)",
    description:
      "GET /api/me with `Authorization: Bearer <HS256 access token>` (simplejwt's claims, minted by Portcullis), " +
      "the same token for every variant and request. HTTP: one server process on `@hono/node-server`, autocannon in " +
      `another, ${CONNECTIONS} connections over 127.0.0.1, ${WARMUP_SEC} s warm-up then ${DURATION_SEC} s per run, ` +
      `${ROUNDS} interleaved rounds after a dropped warm-up round, the median run. In each runtime: \`app.fetch\` with a fresh \`Request\` per call, ` +
      "16 interleaved rounds of 400 requests (the first a warm-up) timed by the process's CPU time where the " +
      "runtime exposes it (Node, Deno) and by wall time in workerd; the median µs/request, and ratios as the median of " +
      "per-round ratios (workerd: 10 rounds of 1,000, its clock having 1 ms steps). workerd runs without `nodejs_compat` (the portable `@noble/hashes` HMAC and SHA-256); Node " +
      "and Deno reach `node:crypto` through `process.getBuiltinModule`. The cached rows meet the same token again and " +
      "again, as a client's requests do within its 5-minute access token; `cacheSize: 0` shows the cost of a first sight. " +
      `The lower-bound row is what any check of an already-verified token must add to the floor: over HTTP it ran at ${ratio(http.lower.requestsPerSec / floor)} ` +
      `the floor's req/s (server CPU ${ratio(http.header.cpuUs / http.lower.cpuUs)}), and Portcullis at ${ratio(http.portcullis.requestsPerSec / http.lower.requestsPerSec)} ` +
      `the lower bound's req/s (server CPU ${ratio(http.lower.cpuUs / http.portcullis.cpuUs)}).`,
    tables: [
      {
        caption:
          "Over HTTP (Node). req/s is what autocannon saw; server CPU µs/request is the server process's CPU time " +
          "(user + system, /proc) over each run divided by the requests it served, immune to other processes' load:",
        columns: ["variant", "req/s", "p99 ms", "× floor (req/s)", "× Hono `jwt()` (req/s)", "server CPU µs/request", "× floor (CPU)"],
        rows: httpRows,
      },
      {
        caption: "Per request, in one process of each runtime (throughput ratios are inverse cost ratios):",
        columns: ["runtime", "clock", "variant", "µs/request", "throughput × floor", "throughput × Hono `jwt()`"],
        rows: timings.flatMap(([label, timing]) => runtimeRows(label, timing)),
      },
    ],
    targets: [
      target("JWT over HTTP ≥ 0.90× the header-only floor (req/s)", ratio(httpFloor), httpFloor >= 0.9),
      target("JWT over HTTP ≥ 5× Hono's `jwt()` (req/s)", ratio(httpHono), httpHono >= 5),
      target("JWT in process ≥ 0.6× the header-only floor", ratio(cpuFloor), cpuFloor >= 0.6),
      target("JWT in process ≥ 5× Hono's `jwt()`", ratio(cpuHono), cpuHono >= 5),
      target("workerd: a cached JWT check ≥ 0.8× its header-only floor (throughput)", ratio(workerdCached), workerdCached >= 0.8),
    ],
    raw: { http, timings: Object.fromEntries(timings) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = writeResult("jwt", await run());
  printResult(result);
}
