/**
 * Section 2: HTTP on Node. A server process (`http-server.mjs`, Hono on `@hono/node-server`) and a separate
 * load process (`http-load.mjs`, autocannon, 50 connections over 127.0.0.1) per run. Variants: plain Hono, a
 * middleware that only reads `Authorization` (the floor for any auth), Hono's `bearerAuth` with a static token,
 * Portcullis `auth({ schemes: [tokenAuth({ store, keyword: "Bearer" })] })` on the memory store, and the same
 * policy through core's `guard()` in a hand-written middleware (what the adapter adds). A second, identical floor
 * app shows how far two runs of the same code land apart in one run (the resolution of the section's ratios).
 * Run alone with `node bench/http.mjs` after `pnpm build`.
 * @module
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { BENCH_DIR, compare, fmt, median, printResult, progress, ratio, runNode, target, writeResult } from "./_lib.mjs";
import { VARIANTS, buildApps } from "./http-apps.mjs";

const CONNECTIONS = 50;
const WARMUP_SEC = 0.5;
const DURATION_SEC = 2.5;
const ROUNDS = 4;

async function startServer() {
  const child = spawn(process.execPath, [join(BENCH_DIR, "http-server.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
  const [line] = await once(createInterface({ input: child.stdout }), "line");
  return { child, ...JSON.parse(line) };
}

/** Every variant answers 200 with the token (and the guarded ones 401 without it) before any load. */
async function sanityCheck(ports, key) {
  for (const [name] of VARIANTS) {
    const url = `http://127.0.0.1:${ports[name]}/api/me`;
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
    const anonymous = await fetch(url);
    await Promise.all([ok.text(), anonymous.text()]);
    if (ok.status !== 200 || (name !== "plain" && anonymous.status !== 401)) {
      throw new Error(`${name}: expected 200/401, got ${ok.status}/${anonymous.status}`);
    }
  }
}

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/** CPU seconds a process has used so far (user + system, from /proc), or null off Linux (as in jwt.mjs). */
function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SEC;
  } catch {
    return null;
  }
}

/** One autocannon run, with the server process's CPU µs per request served (warm-up included). */
async function loadOnce(port, key, pid) {
  const cpuBefore = cpuSecondsOf(pid);
  const options = {
    url: `http://127.0.0.1:${port}/api/me`,
    connections: CONNECTIONS,
    warmupSec: WARMUP_SEC,
    durationSec: DURATION_SEC,
    headers: { authorization: `Bearer ${key}` },
  };
  const result = JSON.parse(await runNode(join(BENCH_DIR, "http-load.mjs"), [JSON.stringify(options)], { timeoutMs: 60_000 }));
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`load on port ${port}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  const cpuAfter = cpuSecondsOf(pid);
  const served = result.total + result.warmupTotal;
  return { ...result, cpuUsPerRequest: cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1e6) / served };
}

/** The same apps in this process through `app.fetch` (no sockets): CPU per request, free of network noise. */
async function inProcess() {
  const { apps, key } = await buildApps();
  const env = { incoming: { socket: { remoteAddress: "127.0.0.1" } } }; // what @hono/node-server passes
  const cases = VARIANTS.map(([name]) => ({
    name,
    fn: async () => {
      const request = new Request("http://127.0.0.1/api/me", { headers: { authorization: `Bearer ${key}` } });
      const response = await apps[name].fetch(request, env);
      if (response.status !== 200) throw new Error(`${name}: ${response.status} in process`);
      await response.text();
    },
  }));
  return compare(cases, { rounds: 5, roundMs: 300 });
}

export async function run() {
  progress(`http: ${VARIANTS.length} variants x ${ROUNDS} rounds x (${WARMUP_SEC}+${DURATION_SEC}) s, ${CONNECTIONS} connections`);
  const server = await startServer();
  const samples = Object.fromEntries(VARIANTS.map(([name]) => [name, []]));
  try {
    await sanityCheck(server.ports, server.key);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name] of VARIANTS) samples[name].push(await loadOnce(server.ports[name], server.key, server.child.pid));
    }
  } finally {
    server.child.stdin.end();
  }
  const stats = Object.fromEntries(
    VARIANTS.map(([name]) => [
      name,
      {
        requestsPerSec: median(samples[name].map((s) => s.requestsPerSec)),
        p99Ms: median(samples[name].map((s) => s.p99Ms)),
        cpuUs: median(samples[name].map((s) => s.cpuUsPerRequest ?? Number.NaN)),
      },
    ]),
  );
  const floor = stats.header.requestsPerSec;
  const rows = VARIANTS.map(([name, label]) => [
    label,
    fmt(stats[name].requestsPerSec),
    fmt(stats[name].p99Ms),
    ratio(stats[name].requestsPerSec / floor),
    ratio(stats[name].requestsPerSec / stats.bearerAuth.requestsPerSec),
    fmt(stats[name].cpuUs, 1),
    ratio(stats.header.cpuUs / stats[name].cpuUs),
  ]);
  progress("http: the same apps in process through app.fetch");
  const cpu = await inProcess();
  const inProcessRows = VARIANTS.map(([name, label]) => [
    label,
    fmt(cpu[name].us, 1),
    fmt(cpu[name].us - cpu.header.us, 1),
    ratio(cpu.header.ns / cpu[name].ns),
  ]);
  const vsFloor = stats.portcullis.requestsPerSec / floor;
  const vsBearer = stats.portcullis.requestsPerSec / stats.bearerAuth.requestsPerSec;
  return {
    name: "http",
    title: "2. HTTP on Node (`@hono/node-server`, autocannon in another process)",
    description:
      `GET /api/me with \`Authorization: Bearer <key>\`, ${CONNECTIONS} connections over 127.0.0.1, one server ` +
      `process and one load process per run. Each run: ${WARMUP_SEC} s warm-up, then ${DURATION_SEC} s measured; ` +
      `${ROUNDS} rounds, the variants interleaved; the median run is reported. Every measured response was a 2xx. ` +
      `The lower-bound row is what any check of a stored token digest must add to the floor: it ran at ${ratio(stats.lower.requestsPerSec / floor)} ` +
      `the floor's req/s (${ratio(cpu.header.ns / cpu.lower.ns)} in process), and Portcullis at ${ratio(stats.portcullis.requestsPerSec / stats.lower.requestsPerSec)} ` +
      `the lower bound's req/s (${ratio(cpu.lower.ns / cpu.portcullis.ns)} in process). The second floor app runs the ` +
      `floor's own middleware: it ran at ${ratio(stats.header2.requestsPerSec / floor)} the floor's req/s, so ratios closer ` +
      `than that are within this run's noise.`,
    tables: [
      {
        caption:
          "req/s is what autocannon saw; server CPU µs/request is the server process's CPU time (user + system, " +
          "/proc) over each run divided by the requests it served (as in the JWT section), steadier on a shared machine:",
        columns: ["variant", "req/s", "p99 ms", "× header-only floor", "× bearerAuth", "server CPU µs/request", "× floor (CPU)"],
        rows,
      },
      {
        caption:
          "The same apps in one process through `app.fetch`, a fresh `Request` each call (no " +
          "sockets; median of ~20 ms batches over 5 interleaved rounds). CPU per request, what the HTTP figures hide:",
        columns: ["variant", "µs/request", "µs over the floor", "throughput × floor"],
        rows: inProcessRows,
      },
    ],
    targets: [
      target("Portcullis ≥ 0.90× the header-only floor (req/s)", ratio(vsFloor), vsFloor >= 0.9),
      target("Portcullis ≥ 3× Hono's `bearerAuth` (req/s)", ratio(vsBearer), vsBearer >= 3),
    ],
    raw: { stats, samples, inProcess: cpu },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = writeResult("http", await run());
  printResult(result);
}
