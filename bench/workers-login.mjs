/**
 * Section: login CPU on Workers. One `verifyPassword` per hasher at each Django release's defaults (from core's
 * `compat`), in workerd (Miniflare) with WebCrypto's PBKDF2 refusing above 100,000 iterations as Cloudflare's
 * production Workers do: `pbkdf2_sha256` on the WebAssembly core (`usePbkdf2Wasm` with the built
 * `pbkdf2-sha256.wasm`, as a Worker imports it) and, for comparison, in JavaScript (`@noble/hashes`, no core
 * registered); argon2 and scrypt at Django's parameters. Each is set against native `node:crypto` PBKDF2 at the
 * same iteration count, in this process. A check's time is a request's round trip minus an empty request's.
 * Run alone with `node bench/workers-login.mjs` after `pnpm build`.
 * @module
 */
import { pbkdf2Sync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { DJANGO_RELEASES, compat, hashPassword } from "@portcullis/core";
import { BENCH_DIR, fmt, median, progress, ratio, target, writeResult, printResult } from "./_lib.mjs";
import { COMPATIBILITY_DATE } from "./_workerd.mjs";

const ROOT = join(BENCH_DIR, "..");
const RUNS = 3;
const TARGET_RATIO = 2.5;
const PASSWORD = "correct horse battery staple";
const vectors = JSON.parse(readFileSync(join(ROOT, "packages/core/test/vectors/django-password-hashes.json"), "utf8"));
const vector = (prefix) => vectors.find((v) => v.encoded.startsWith(prefix));

const WORKER = `
import { usePbkdf2Wasm, verifyPassword } from "@portcullis/core";
import pbkdf2Wasm from "@portcullis/core/pbkdf2-sha256.wasm";
const subtle = crypto.subtle;
const deriveBits = subtle.deriveBits.bind(subtle);
subtle.deriveBits = async (algorithm, key, length) => {
  if (algorithm.iterations > 100000) throw new DOMException("iteration counts above 100000 are not supported", "NotSupportedError");
  return deriveBits(algorithm, key, length);
};
export default {
  async fetch(request, env) {
    if (env.WASM === "1") usePbkdf2Wasm(pbkdf2Wasm);
    const body = await request.json();
    if (body.password === undefined) return new Response("{}");
    const { valid } = await verifyPassword(body.password, body.encoded);
    return Response.json({ valid });
  },
};`;

async function bundle() {
  let wasmPath = "";
  const result = await build({
    stdin: { contents: WORKER, resolveDir: BENCH_DIR, loader: "js" },
    tsconfigRaw: {},
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    write: false,
    logLevel: "silent",
    plugins: [{
      name: "wasm-modules",
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, async (args) => {
          if (args.pluginData === "inner") return undefined;
          wasmPath = (await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: "inner" })).path;
          return { path: "./pbkdf2-sha256.wasm", external: true };
        });
      },
    }],
  });
  return { code: result.outputFiles[0].text, wasm: readFileSync(wasmPath) };
}

/**
 * Median ms of a check in the worker, minus an empty request's median; with `native`, that is run back to back
 * with each check and the answer also holds the median of the per-run ratios (the load moves both together).
 */
async function timeIn(mf, name, body, runs, native) {
  const call = async (payload) => {
    const start = process.hrtime.bigint();
    const res = await mf.dispatchFetch(`https://${name}.test/`, { method: "POST", body: JSON.stringify(payload), headers: { "MF-Route": name } });
    const answer = await res.json();
    if (payload.password !== undefined && answer.valid !== true) throw new Error(`${name}: the password did not verify`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  await call(body); // warm-up (and tier-up)
  const empty = [];
  const ms = [];
  const nativeRuns = [];
  for (let i = 0; i < runs; i++) {
    empty.push(await call({}));
    if (native) nativeRuns.push(native());
    ms.push(await call(body));
  }
  const base = median(empty);
  const checkMs = Math.max(0, median(ms) - base);
  if (!native) return checkMs;
  return { checkMs, nativeMs: median(nativeRuns), ratio: median(ms.map((m, i) => Math.max(0, m - base) / nativeRuns[i])) };
}

/** One native `node:crypto` PBKDF2 at `iterations`, in ms. */
function nativeMs(iterations) {
  const start = process.hrtime.bigint();
  pbkdf2Sync(PASSWORD, "saltsaltsaltsalt", iterations, 32, "sha256");
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function run() {
  progress("workers-login: verifyPassword per hasher and Django release in workerd, WebCrypto PBKDF2 refusing");
  const { code, wasm } = await bundle();
  const worker = (name, WASM) => ({
    name,
    modules: [
      { type: "ESModule", path: "worker.js", contents: code },
      { type: "CompiledWasm", path: "pbkdf2-sha256.wasm", contents: wasm },
    ],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { WASM },
    routes: [`${name}.test/*`],
  });
  const mf = new Miniflare({ workers: [worker("wasm", "1"), worker("js", "0")] });
  try {
    const byIterations = new Map();
    for (const release of DJANGO_RELEASES) {
      const iterations = compat({ django: release }).hashers.pbkdf2Iterations;
      if (!byIterations.has(iterations)) byIterations.set(iterations, []);
      byIterations.get(iterations).push(release);
    }
    const rows = [];
    const ratios = [];
    for (const [iterations, releases] of byIterations) {
      const encoded = await hashPassword(PASSWORD, { iterations });
      const timed = await timeIn(mf, "wasm", { password: PASSWORD, encoded }, RUNS, () => nativeMs(iterations));
      ratios.push({ iterations, value: timed.ratio });
      rows.push([`\`pbkdf2_sha256\` ${fmt(iterations)} (Django ${releases.join(", ")})`, "WebAssembly core", fmt(timed.checkMs, 0), fmt(timed.nativeMs, 0), ratio(timed.ratio), "< 1 MiB"]);
    }
    const million = await hashPassword(PASSWORD, { iterations: 1_000_000 });
    const js = await timeIn(mf, "js", { password: PASSWORD, encoded: million }, 1, () => nativeMs(1_000_000));
    rows.push(["`pbkdf2_sha256` 1,000,000 (Django 5.2)", "JavaScript (`@noble/hashes`, no core registered)", fmt(js.checkMs, 0), fmt(js.nativeMs, 0), ratio(js.ratio), "< 1 MiB"]);
    const argon2 = vector("argon2$argon2id$v=19$m=102400,t=2,p=8");
    rows.push(["`argon2` argon2id m=102400 KiB, t=2, p=8 (every release)", "as core verifies it", fmt(await timeIn(mf, "wasm", argon2, 1), 0), "", "", "100 MiB"]);
    for (const [prefix, label] of [["scrypt$16384$seasalt$8$1$", "Django 4.0–5.0"], ["scrypt$16384$ScryptEmptyPwSalt00001$8$5$", "Django 5.1+"]]) {
      const v = vector(prefix);
      const p = Number(v.encoded.split("$")[4]);
      rows.push([`\`scrypt\` N=16384, r=8, p=${p} (${label})`, "as core verifies it", fmt(await timeIn(mf, "wasm", v, RUNS), 0), "", "", "16 MiB"]);
    }
    const atDefault = ratios.find((r) => r.iterations === 1_000_000)?.value ?? Infinity;
    return {
      name: "workers-login",
      title: "10. Login CPU on Workers (WebCrypto PBKDF2 refused above 100,000 iterations)",
      description:
        "One correct password per check in workerd (Miniflare), WebCrypto refusing PBKDF2 above 100,000 iterations as " +
        `production Workers do; median of ${RUNS} checks (1 for the slow JavaScript and argon2 rows) minus an empty ` +
        "request's round trip, after a warm-up check. Native is `node:crypto` `pbkdf2Sync` at the same count in this " +
        "process, run back to back with each check; `× native` is the median of those per-run ratios. Peak memory is the hasher's working set by its parameters (a Worker has 128 MB). Recommendation for an " +
        "edge-first deployment: `pbkdf2_sha256` with the WebAssembly core registered (`usePbkdf2Wasm`); argon2's " +
        "100 MiB working set leaves a Worker little room and runs in JavaScript.",
      tables: [{ columns: ["hasher (Django release)", "how", "ms/check", "native ms", "× native", "peak memory"], rows }],
      targets: [
        target(`\`pbkdf2_sha256\` at Django's default (1,000,000) on the WebAssembly core ≤ ${TARGET_RATIO}× native`, ratio(atDefault), atDefault <= TARGET_RATIO),
      ],
      raw: { ratios },
    };
  } finally {
    await mf.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = writeResult("workers-login", await run());
  printResult(result);
}
