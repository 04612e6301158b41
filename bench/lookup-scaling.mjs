/**
 * Section 4: token lookup scaling. Time per token check (`authenticate()` with `tokenAuth`) with 1,000 vs
 * 1,000,000 tokens in the memory store (both alive in this process, timed interleaved), and with 1,000 vs
 * 100,000 tokens in D1 (Miniflare: the checks run inside workerd, next to the database, timed interleaved).
 * Every check picks a pseudo-random token of the whole table. Run alone with
 * `node --expose-gc bench/lookup-scaling.mjs` (without the flag the set-up's garbage may be collected while timing).
 * @module
 */
import { join } from "node:path";
import { authenticate, tokenAuth } from "@portcullis/core";
import { memoryStore } from "@portcullis/store-memory";
import { Miniflare } from "miniflare";
import { BENCH_DIR, compare, elapsedNs, fmt, median, printResult, progress, ratio, target, writeResult } from "./_lib.mjs";
import { COMPATIBILITY_DATE, bundleWorker, digestOf, fillD1, keyOf, prng } from "./_workerd.mjs";

const MEMORY_SIZES = [1_000, 1_000_000];
const D1_SIZES = [1_000, 100_000];
const USERS = 1_000;
const MEMORY_ROUNDS = 6;
const PICKS = 4096;
const D1_CHECKS = 300;
const D1_ROUNDS = 4;
const TARGET_RATIO = 1.5;

/** `PICKS` token indexes spread over a table of `size`, the same every run. */
function picks(size) {
  const random = prng(size);
  return Array.from({ length: PICKS }, () => Math.floor(random() * size));
}

async function memoryFixture(size) {
  const store = memoryStore();
  for (let u = 0; u < Math.min(USERS, size); u++) {
    await store.createUser({ id: `u${u}`, username: `user${u}`, passwordHash: "!unusable" });
  }
  const users = Math.min(USERS, size);
  for (let i = 0; i < size; i++) {
    const token = { id: `t${i}`, digest: digestOf(i), userId: `u${i % users}`, name: null, createdAt: 0, expiresAt: null };
    await store.createToken(token, { now: 0 });
  }
  const requests = picks(size).map((i) => new Request("http://bench/", { headers: { Authorization: `Token ${keyOf(i)}` } }));
  const schemes = [tokenAuth({ store })];
  for (const request of requests) {
    if ((await authenticate(request, schemes)).status !== "authenticated") throw new Error("a benchmark token failed");
  }
  return { schemes, requests };
}

async function memoryScaling() {
  const [small, large] = MEMORY_SIZES;
  progress(`lookup-scaling: filling memory stores with ${fmt(small)} and ${fmt(large)} tokens`);
  const start = process.hrtime.bigint();
  const fixtures = { small: await memoryFixture(small), large: await memoryFixture(large) };
  const setupSec = elapsedNs(start) / 1e9;
  globalThis.gc?.(); // the set-up's garbage (a 1,000,000-token fill) is not the lookup's cost
  const check = ({ schemes, requests }) => (i) => authenticate(requests[i & (PICKS - 1)], schemes);
  const cases = [
    { name: "small", fn: check(fixtures.small) },
    { name: "large", fn: check(fixtures.large) },
  ];
  // Rounds of one interleaved pair each: the ratio is the median of per-round ratios (noise hits both sides).
  await compare(cases, { rounds: 1, roundMs: 300 });
  const rounds = [];
  for (let round = 0; round < MEMORY_ROUNDS; round++) {
    rounds.push(await compare(cases, { rounds: 1, roundMs: 300, warmupRounds: 0 }));
  }
  return {
    small: median(rounds.map((r) => r.small.us)),
    large: median(rounds.map((r) => r.large.us)),
    ratio: median(rounds.map((r) => r.large.ns / r.small.ns)),
    setupSec,
  };
}

async function d1Scaling() {
  const [small, large] = D1_SIZES;
  progress(`lookup-scaling: filling D1 (Miniflare) with ${fmt(small)} and ${fmt(large)} tokens`);
  const start = process.hrtime.bigint();
  const script = await bundleWorker(join(BENCH_DIR, "lookup-worker.mjs"));
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: COMPATIBILITY_DATE,
    d1Databases: ["SMALL", "LARGE"],
  });
  try {
    await fillD1(await mf.getD1Database("SMALL"), { users: Math.min(USERS, small), tokens: small });
    await fillD1(await mf.getD1Database("LARGE"), { users: USERS, tokens: large });
    const setupSec = elapsedNs(start) / 1e9;
    const keys = { SMALL: picks(small).map(keyOf), LARGE: picks(large).map(keyOf) };
    const checkOnce = async (db, n, baseline = false) => {
      const query = `db=${db}&n=${n}${baseline ? "&baseline=1" : ""}`;
      const response = await mf.dispatchFetch(`http://bench/check?${query}`, { method: "POST", body: JSON.stringify(keys[db]) });
      const result = await response.json();
      if (result.authenticated !== n) throw new Error(`D1 ${db}: ${result.authenticated}/${n} checks authenticated`);
      return (result.ms * 1000) / n;
    };
    await checkOnce("SMALL", 200); // warm-up
    await checkOnce("LARGE", 200);
    const us = { SMALL: [], LARGE: [], baseline: [] };
    for (let round = 0; round < D1_ROUNDS; round++) {
      const order = round % 2 === 0 ? ["SMALL", "LARGE"] : ["LARGE", "SMALL"]; // neither always goes first
      for (const db of order) us[db].push(await checkOnce(db, D1_CHECKS));
      us.baseline.push(await checkOnce(order[0], D1_CHECKS, true));
    }
    const ratios = us.SMALL.map((small, i) => us.LARGE[i] / small);
    return { small: median(us.SMALL), large: median(us.LARGE), ratio: median(ratios), baseline: median(us.baseline), setupSec, samples: us };
  } finally {
    await mf.dispose();
  }
}

export async function run() {
  const memory = await memoryScaling();
  const d1 = await d1Scaling();
  const memoryRatio = memory.ratio;
  const d1Ratio = d1.ratio;
  const rows = [
    ["memory store", `${fmt(MEMORY_SIZES[0])} → ${fmt(MEMORY_SIZES[1])}`, fmt(memory.small, 3), fmt(memory.large, 3), ratio(memoryRatio), fmt(memory.setupSec, 1)],
    ["D1 (Miniflare, in workerd)", `${fmt(D1_SIZES[0])} → ${fmt(D1_SIZES[1])}`, fmt(d1.small, 1), fmt(d1.large, 1), ratio(d1Ratio), fmt(d1.setupSec, 1)],
  ];
  const baselineRows = [
    ["D1 `SELECT 1` (one round trip, same worker)", fmt(d1.baseline, 1), "1.00×"],
    ["D1 token check, 1,000 tokens", fmt(d1.small, 1), ratio(d1.small / d1.baseline)],
    ["D1 token check, 100,000 tokens", fmt(d1.large, 1), ratio(d1.large / d1.baseline)],
  ];
  return {
    name: "lookup-scaling",
    title: "4. Token lookup scaling",
    description:
      `Time per token check, \`authenticate()\` with \`tokenAuth\`, each check on a pseudo-random one of ${fmt(PICKS)} ` +
      `tokens picked over the whole table (${fmt(USERS)} users). Memory: both stores alive in one process, the ` +
      `set-up's garbage collected, then ${MEMORY_ROUNDS} rounds of 0.3 s per size, interleaved, after a warm-up ` +
      "round (median of ~20 ms batches per round). D1: the loop runs inside workerd next to Miniflare's D1 (no " +
      `Node round trip per check), ${fmt(D1_CHECKS)} checks per run, ${D1_ROUNDS} rounds in alternating order. Figures are ` +
      "medians; the ratio is the median of the per-round ratios. Tables are filled in SQL (D1) or through " +
      "`createToken` (memory) with precomputed digests; D1 inserts are multi-row INSERTs inside `db.batch`.",
    tables: [
      { columns: ["store", "tokens", "µs/check (small)", "µs/check (large)", "large ÷ small", "setup s"], rows },
      { caption: "D1 checks against the bare round trip:", columns: ["D1 case", "µs/query", "× `SELECT 1`"], rows: baselineRows },
    ],
    targets: [
      target(`memory: 1,000,000 ÷ 1,000 tokens ≤ ${TARGET_RATIO}`, ratio(memoryRatio), memoryRatio <= TARGET_RATIO),
      target(`D1: 100,000 ÷ 1,000 tokens ≤ ${TARGET_RATIO}`, ratio(d1Ratio), d1Ratio <= TARGET_RATIO),
    ],
    raw: { memory, d1 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = writeResult("lookup-scaling", await run());
  printResult(result);
}
