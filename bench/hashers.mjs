/**
 * Section: the cost of ONE `verifyPassword` per Django hasher at Django 5.2's default parameters, on Node, Deno and
 * workerd (Miniflare), each set against `pbkdf2_sha256` on the same runtime. Every runtime runs the same `measure`
 * function on the built `@portcullis/core` (`dist`): Node in this process, Deno from a temporary directory outside
 * the repository (Deno 2.9 would otherwise edit the root package.json), workerd as a Worker bundled as wrangler
 * bundles it (with `bcryptjs`). The `pbkdf2_sha256` "JS fallback" row refuses WebCrypto's PBKDF2 above 100,000
 * iterations, as Cloudflare's production Workers do (local workerd does not), so `@noble/hashes` derives instead.
 * Run alone with `node bench/hashers.mjs` after `pnpm build`; prints a markdown table and writes
 * `bench/results/hashers.json` for `run.mjs`.
 * @module
 */
import { execFileSync, spawn } from "node:child_process";
import { pbkdf2Sync, scryptSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { COMPATIBILITY_DATE, bundleWorker } from "./_workerd.mjs";
import { Miniflare } from "miniflare";
import { verifyPassword } from "@portcullis/core";
import { BENCH_DIR, fmt, median, progress, ratio, writeResult } from "./_lib.mjs";

const RUNS = 5; // timed runs per hasher per runtime, after one warm-up round
const SLOW_RUNS = 3; // for the hashers that take seconds (argon2, the JS fallback), to stay within run.mjs's timeout
const ROOT = join(BENCH_DIR, "..");
const CORE_DIST = pathToFileURL(join(ROOT, "packages/core/dist/index.js")).href;
const DENO = join(ROOT, "packages/adapters/node_modules/.bin/deno");
const DENO_TIMEOUT_MS = 120_000;
const PASSWORD = "correct horse battery staple";

const vectors = JSON.parse(readFileSync(join(ROOT, "packages/core/test/vectors/django-password-hashes.json"), "utf8"));

/** Django's own vector whose hash matches `pattern` (one with Django's default parameters). */
function vector(pattern) {
  const row = vectors.find((v) => pattern.test(v.encoded));
  if (row === undefined) throw new Error(`no vector matches ${pattern}`);
  return { password: row.password, encoded: row.encoded };
}

/** `pbkdf2_sha1` at 1,000,000 iterations, computed with `node:crypto` (Django's vectors stop at 600,000/1,200,000). */
function pbkdf2Sha1Row() {
  const salt = "BenchSaltPbkdf2Sha1xyz";
  const hash = pbkdf2Sync(PASSWORD, salt, 1_000_000, 20, "sha1").toString("base64");
  return { password: PASSWORD, encoded: `pbkdf2_sha1$1000000$${salt}$${hash}` };
}

/** `scrypt` at Django's defaults (N = 2^14, r = 8, p = 5, 64 bytes), computed with `node:crypto`. */
function scryptRow() {
  const salt = "BenchSaltScryptDefault";
  const hash = scryptSync(PASSWORD, salt, 64, { N: 2 ** 14, r: 8, p: 5, maxmem: 64 * 2 ** 20 }).toString("base64");
  return { password: PASSWORD, encoded: `scrypt$16384$${salt}$8$5$${hash}` };
}

/**
 * The hashers, in the table's order. `n` verifications make one timed sample (the legacy digests take
 * microseconds), `runs` samples are taken; `fallback` refuses WebCrypto's PBKDF2 above 100,000 iterations.
 */
function hashers() {
  const pbkdf2 = vector(/^pbkdf2_sha256\$1000000\$/);
  return [
    { name: "pbkdf2_sha256", params: "1,000,000 iterations (WebCrypto)", ...pbkdf2, n: 1, runs: RUNS },
    {
      name: "pbkdf2_sha256, JS fallback",
      params: "1,000,000 iterations, `@noble/hashes` (as on production Workers)",
      ...pbkdf2,
      n: 1,
      runs: SLOW_RUNS,
      fallback: true,
    },
    { name: "pbkdf2_sha1", params: "1,000,000 iterations (WebCrypto)", ...pbkdf2Sha1Row(), n: 1, runs: RUNS },
    { name: "argon2 (argon2id)", params: "m=102400 KiB, t=2, p=8", ...vector(/^argon2\$argon2id\$v=19\$m=102400,t=2,p=8\$/), n: 1, runs: SLOW_RUNS },
    { name: "scrypt", params: "N=2^14, r=8, p=5", ...scryptRow(), n: 1, runs: RUNS },
    { name: "bcrypt_sha256", params: "cost 12 (`bcryptjs`)", ...vector(/^bcrypt_sha256\$\$2b\$12\$/), n: 1, runs: RUNS },
    { name: "bcrypt", params: "cost 12 (`bcryptjs`)", ...vector(/^bcrypt\$\$2b\$12\$/), n: 1, runs: RUNS },
    { name: "md5", params: "salted, legacy", ...vector(/^md5\$seasalt\$/), n: 1000, runs: RUNS },
    { name: "sha1", params: "salted, legacy", ...vector(/^sha1\$seasalt\$/), n: 1000, runs: RUNS },
    { name: "unsalted_md5", params: "legacy", ...vector(/^[0-9a-f]{32}$/), n: 1000, runs: RUNS },
    { name: "unsalted_sha1", params: "legacy", ...vector(/^sha1\$\$/), n: 1000, runs: RUNS },
  ];
}

/**
 * Times the cases in interleaved rounds after a warm-up round (a case sits out the rounds beyond its `runs`);
 * answers milliseconds per verification, per case, and how often WebCrypto was refused. Runs unchanged in Node, Deno and workerd (it is serialised
 * into their scripts), so it closes over nothing.
 */
async function measure(verifyPassword, cases) {
  const subtle = globalThis.crypto.subtle;
  const original = subtle.deriveBits;
  let refused = 0;
  const refusing = (params, ...rest) => {
    if (params && params.iterations > 100_000) {
      refused++;
      return Promise.reject(new DOMException("PBKDF2 above 100000 iterations", "NotSupportedError"));
    }
    return original.call(subtle, params, ...rest);
  };
  const once = async ({ name, password, encoded, n, fallback }) => {
    if (fallback) Object.defineProperty(subtle, "deriveBits", { configurable: true, writable: true, value: refusing });
    try {
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        if (!(await verifyPassword(password, encoded)).valid) throw new Error(`${name}: the password did not verify`);
      }
      return (performance.now() - start) / n;
    } finally {
      if (fallback) delete subtle.deriveBits; // back to the prototype's method
    }
  };
  const ms = cases.map(() => []);
  const rounds = Math.max(...cases.map((c) => c.runs));
  for (let round = 0; round <= rounds; round++) {
    for (const [index, c] of cases.entries()) {
      if (round > c.runs) continue;
      const elapsed = await once(c);
      if (round > 0) ms[index].push(elapsed);
    }
  }
  return { ms, refused };
}

/** Node: this process. */
async function onNode(cases) {
  return measure(verifyPassword, cases);
}

/** Deno: a script in a temporary directory, importing the built core by file URL (its own node_modules). */
async function onDeno(cases) {
  const dir = mkdtempSync(join(os.tmpdir(), "portcullis-bench-deno-"));
  try {
    writeFileSync(join(dir, "deno.json"), JSON.stringify({ nodeModulesDir: "manual", lock: false }));
    writeFileSync(join(dir, "cases.json"), JSON.stringify(cases));
    const script = `import { verifyPassword } from ${JSON.stringify(CORE_DIST)};
const measure = ${measure.toString()};
const cases = JSON.parse(await Deno.readTextFile("cases.json"));
console.log(JSON.stringify(await measure(verifyPassword, cases)));
`;
    writeFileSync(join(dir, "bench.mjs"), script);
    const env = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", DENO_DIR: join(ROOT, "packages/adapters/node_modules/.cache/deno") };
    const out = await spawnCollect(DENO, ["run", "--config", "deno.json", "--allow-read", "bench.mjs"], { cwd: dir, env });
    return JSON.parse(out.trim().split("\n").at(-1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** workerd: a Worker bundled as wrangler does (browser platform, workerd conditions, the built dist, bcryptjs). */
async function onWorkerd(cases) {
  const contents = `import { verifyPassword } from "@portcullis/core";
const measure = ${measure.toString()};
export default { async fetch(request) { return Response.json(await measure(verifyPassword, await request.json())); } };
`;
  const script = await bundleWorker({ contents, resolveDir: BENCH_DIR });
  const mf = new Miniflare({ modules: true, script, compatibilityDate: COMPATIBILITY_DATE });
  try {
    const res = await mf.dispatchFetch("https://bench.test/", { method: "POST", body: JSON.stringify(cases) });
    if (res.status !== 200) throw new Error(`the Worker answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
    return await res.json();
  } finally {
    await mf.dispose();
  }
}

/** Spawns a binary, answering its stdout; rejects with its output on a non-zero exit or after the timeout. */
function spawnCollect(binary, args, { cwd, env }) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let [out, err] = ["", ""];
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), DENO_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${binary} exited with ${signal ?? code}:\n${err}${out}`));
    });
  });
}

function versions() {
  const fromMiniflare = createRequire(createRequire(import.meta.url).resolve("miniflare"));
  const workerd = JSON.parse(readFileSync(fromMiniflare.resolve("workerd/package.json"), "utf8")).version;
  const miniflare = JSON.parse(readFileSync(fromMiniflare.resolve("miniflare/package.json"), "utf8")).version;
  const deno = execFileSync(DENO, ["--version"], { encoding: "utf8" }).split("\n")[0].replace(/^deno /, "").split(" ")[0];
  return { node: process.version.slice(1), deno, workerd, miniflare };
}

/** Milliseconds with enough digits to read: 3 decimals under 1 ms, 1 decimal above. */
const ms = (value) => fmt(value, value < 1 ? 3 : 1);

/** A ratio as `1.23×`, or with two significant digits when it is tiny (`0.000031×`). */
const times = (value) => (value >= 0.01 ? ratio(value) : `${value.toPrecision(2)}×`);

const RUNTIMES = [
  ["Node", onNode],
  ["Deno", onDeno],
  ["workerd", onWorkerd],
];

export async function run() {
  const cases = hashers();
  const v = versions();
  const loadBefore = os.loadavg()[0];
  const medians = {};
  for (const [runtime, measureOn] of RUNTIMES) {
    const start = performance.now();
    const { ms: samples, refused } = await measureOn(cases);
    if (refused < SLOW_RUNS + 1) throw new Error(`${runtime}: the JS fallback was not exercised (WebCrypto refused ${refused} times)`);
    medians[runtime] = samples.map(median);
    progress(`hashers: ${runtime} in ${fmt((performance.now() - start) / 1000, 1)} s`);
  }
  const columns = ["hasher", "parameters"];
  for (const [runtime] of RUNTIMES) columns.push(`${runtime} ms`, `${runtime} × pbkdf2_sha256`);
  const rows = cases.map((c, index) => {
    const row = [c.name, c.params];
    for (const [runtime] of RUNTIMES) row.push(ms(medians[runtime][index]), times(medians[runtime][index] / medians[runtime][0]));
    return row;
  });
  const cpus = os.cpus();
  return {
    name: "hashers",
    title: "Password hashers: one `verifyPassword` at Django 5.2's defaults, per runtime",
    description:
      `The median of ${RUNS} runs (${SLOW_RUNS} for argon2 and the JS fallback; after a warm-up round, the hashers ` +
      "interleaved) of one verification with the right " +
      "password, in ms, and its ratio to `pbkdf2_sha256` on the same runtime; the legacy digests are timed over " +
      "1,000 verifications per run. Machine: " +
      `${cpus[0]?.model ?? "unknown"} × ${cpus.length}; Node ${v.node}, Deno ${v.deno}, workerd ${v.workerd} ` +
      `(Miniflare ${v.miniflare}). Local workerd accepts PBKDF2 above 100,000 iterations; production Workers do not, ` +
      "so there `pbkdf2_*` rows above that derive with `@noble/hashes` (the \"JS fallback\" row). A wrong password " +
      "costs the same, " +
      "except for the legacy digests, which then also spend a default `pbkdf2_sha256` check. Load average (1 min) " +
      `before / after: ${loadBefore.toFixed(2)} / ${os.loadavg()[0].toFixed(2)} (above ${cpus.length}, other processes ` +
      "inflate the absolute figures).",
    tables: [{ columns, rows }],
    targets: [],
    raw: { versions: v, medians, cases: cases.map(({ name, params, n, runs }) => ({ name, params, n, runs })) },
  };
}

/** The result as a markdown table. */
function markdown(result) {
  const [table] = result.tables;
  const lines = [`## ${result.title}`, "", result.description, ""];
  lines.push(`| ${table.columns.join(" | ")} |`, `|${table.columns.map((_, i) => (i < 2 ? " --- " : " ---: ")).join("|")}|`);
  for (const row of table.rows) lines.push(`| ${row.join(" | ")} |`);
  return `${lines.join("\n")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = writeResult("hashers", await run());
  process.stdout.write(markdown(result));
}
