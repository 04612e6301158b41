/**
 * Shared helpers of the benchmarks (internal): timing loops, child processes, formatting and the JSON result
 * that every section writes for `run.mjs`.
 * @module
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const RESULTS_DIR = join(BENCH_DIR, "results");

/** Keeps results alive so that the engine cannot drop the work that made them. */
export let sink = 0;

/** Nanoseconds from a `process.hrtime.bigint()` start. */
export function elapsedNs(start) {
  return Number(process.hrtime.bigint() - start);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `fn(i)` `n` times (awaiting each call unless `sync`), answering nanoseconds per call. */
async function batch(fn, n, sync) {
  const start = process.hrtime.bigint();
  if (sync) {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += fn(i) ? 1 : 0;
    sink += acc;
  } else {
    for (let i = 0; i < n; i++) await fn(i);
  }
  return elapsedNs(start) / n;
}

/** A batch size that takes about `targetMs`. */
async function calibrate(fn, sync, targetMs) {
  let n = 16;
  for (;;) {
    const nsPerOp = await batch(fn, n, sync);
    if (nsPerOp * n >= 5e6 || n >= 1 << 24) return Math.max(1, Math.round((targetMs * 1e6) / nsPerOp));
    n *= 4;
  }
}

/**
 * Times cases against each other, interleaved: every round runs each case for `roundMs` in batches of about
 * 20 ms, after `warmupRounds` (1) warm-up rounds. A case is `{ name, fn, sync? }`; the answer per case is the median
 * nanoseconds per call over all batches, and its ops/s.
 */
export async function compare(cases, { rounds = 3, roundMs = 400, batchMs = 20, warmupRounds = 1 } = {}) {
  const sizes = [];
  for (const c of cases) sizes.push(await calibrate(c.fn, c.sync, batchMs));
  const samples = cases.map(() => []);
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (const [index, c] of cases.entries()) {
      const until = performance.now() + roundMs;
      do {
        const nsPerOp = await batch(c.fn, sizes[index], c.sync);
        if (round >= warmupRounds) samples[index].push(nsPerOp);
      } while (performance.now() < until);
    }
  }
  return Object.fromEntries(
    cases.map((c, index) => {
      const ns = median(samples[index]);
      return [c.name, { ns, us: ns / 1000, opsPerSec: 1e9 / ns, batches: samples[index].length }];
    }),
  );
}

export { median };

/** Spawns `node [nodeArgs] file args`, collecting stdout; rejects on a non-zero exit or after `timeoutMs`. */
export function runNode(file, args = [], { timeoutMs = 120_000, nodeArgs = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, file, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${file} exited with ${signal ?? code}`));
    });
  });
}

/** Formats a number with thousands separators and `digits` decimals. */
export function fmt(value, digits = 0) {
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A ratio as `1.23×`. */
export function ratio(value) {
  return `${value.toFixed(2)}×`;
}

/** A target verdict for the report: `{ target, measured, met }`. */
export function target(name, measured, met) {
  return { target: name, measured, met };
}

/** Writes a section's result to `bench/results/<name>.json` (read by `run.mjs`) and answers it. */
export function writeResult(name, result) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), JSON.stringify(result, null, 2));
  return result;
}

/** Prints a section's tables to the terminal (benchmarks are run by hand too). */
export function printResult(result) {
  const lines = [`\n## ${result.title}`];
  for (const table of result.tables) {
    if (table.caption) lines.push(table.caption);
    lines.push(table.columns.join(" | "));
    for (const row of table.rows) lines.push(row.join(" | "));
  }
  for (const t of result.targets) lines.push(`${t.met ? "met   " : "MISSED"}  ${t.target}: ${t.measured}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** Progress on stderr (stdout is for results). */
export function progress(message) {
  process.stderr.write(`[bench] ${message}\n`);
}
