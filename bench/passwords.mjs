/**
 * Section 3: password verification at Django's default (`pbkdf2_sha256`, 1,000,000 iterations). Portcullis
 * `verifyPassword` against `node:crypto` `pbkdf2` (the native limit) and the pure-JS `@noble/hashes` `pbkdf2Async`
 * (the fallback where WebCrypto refuses, as Cloudflare's production Workers do above 100,000 iterations), plus
 * `verifyPassword` with that refusal simulated (then SHA-256 runs on the WebAssembly core). Run alone with `node bench/passwords.mjs` after `pnpm build`.
 * @module
 */
import { pbkdf2 as nodePbkdf2 } from "node:crypto";
import { promisify } from "node:util";
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { hashPassword, verifyPassword } from "@portcullis/core";
import { fmt, median, printResult, progress, ratio, target, writeResult } from "./_lib.mjs";

const ITERATIONS = 1_000_000;
const ROUNDS = 5;
/** The pure-JS cases take seconds each: they run in the first rounds only. */
const JS_ROUNDS = 2;
const JS_CASES = new Set(["noble"]);
const TARGET_RATIO = 1.1;
const PASSWORD = "correct horse battery staple";
const derive = promisify(nodePbkdf2);

/** Runs `fn` with WebCrypto's PBKDF2 refusing, as production Workers do above 100,000 iterations. */
async function withWebCryptoRefusing(fn) {
  const subtle = globalThis.crypto.subtle;
  const original = subtle.deriveBits;
  Object.defineProperty(subtle, "deriveBits", {
    configurable: true,
    value: () => Promise.reject(new DOMException("iterations above 100000", "NotSupportedError")),
  });
  try {
    return await fn();
  } finally {
    Object.defineProperty(subtle, "deriveBits", { configurable: true, writable: true, value: original });
    delete subtle.deriveBits; // back to the prototype's method
  }
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function run() {
  progress(`passwords: pbkdf2_sha256 at ${fmt(ITERATIONS)} iterations, ${ROUNDS} interleaved rounds`);
  const encoded = await hashPassword(PASSWORD);
  const [, , salt, expected] = encoded.split("$");
  const checkValid = async (check) => {
    if (!(await check).valid) throw new Error("verifyPassword did not accept the password");
  };
  const cases = [
    ["native", "`node:crypto` `pbkdf2` (native limit)", async () => {
      const hash = await derive(PASSWORD, salt, ITERATIONS, 32, "sha256");
      if (hash.toString("base64") !== expected) throw new Error("node:crypto disagrees with hashPassword");
    }],
    ["portcullis", "Portcullis `verifyPassword` (WebCrypto)", () => checkValid(verifyPassword(PASSWORD, encoded))],
    ["noble", "`@noble/hashes` `pbkdf2Async` (pure JS)", () => pbkdf2Async(sha256, PASSWORD, salt, { c: ITERATIONS, dkLen: 32 })],
    ["fallback", "Portcullis `verifyPassword`, WebCrypto refusing (fallback: the WebAssembly core)", () =>
      withWebCryptoRefusing(() => checkValid(verifyPassword(PASSWORD, encoded)))],
  ];
  await timed(cases[0][2]); // warm-up: thread pool, WebCrypto, JIT
  await timed(cases[1][2]);
  const ms = Object.fromEntries(cases.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, , fn] of cases) {
      if (round < JS_ROUNDS || !JS_CASES.has(name)) ms[name].push(await timed(fn));
    }
  }
  const stats = Object.fromEntries(cases.map(([name]) => [name, { medianMs: median(ms[name]), bestMs: Math.min(...ms[name]) }]));
  const native = stats.native.medianMs;
  const rows = cases.map(([name, label]) => [
    label,
    fmt(stats[name].medianMs, 1),
    fmt(stats[name].bestMs, 1),
    String(ms[name].length),
    ratio(stats[name].medianMs / native),
  ]);
  // Native and Portcullis run back to back in every round: the verdict is the median of their per-round ratios.
  const vsNative = median(ms.portcullis.map((value, i) => value / ms.native[i]));
  return {
    name: "passwords",
    title: "3. Password verification, `pbkdf2_sha256` at 1,000,000 iterations",
    description:
      `One correct password per call, the cases interleaved over ${ROUNDS} rounds after a warm-up (the pure-JS ` +
      `cases in the first ${JS_ROUNDS} only); medians reported. The target compares \`verifyPassword\` with ` +
      "`node:crypto` run back to back in each round (median of the per-round ratios).",
    tables: [{ columns: ["case", "ms/check (median)", "ms (best)", "runs", "× native"], rows }],
    targets: [
      target(
        `\`verifyPassword\` ≤ ${TARGET_RATIO}× native \`node:crypto\` time`,
        `${ratio(vsNative)} (${fmt(stats.portcullis.medianMs, 1)} vs ${fmt(native, 1)} ms)`,
        vsNative <= TARGET_RATIO,
      ),
    ],
    raw: { ms, stats },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = writeResult("passwords", await run());
  printResult(result);
}
