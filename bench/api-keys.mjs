/**
 * Section: API keys. (1) Memory store: an API-key check (`apiKeyAuth` lookup + `perKeyRateThrottle`) against a
 * token check with a user throttle (`tokenAuth` + `userRateThrottle`), both through `guard()`, interleaved.
 * (2) PostgreSQL (PORTCULLIS_PG_URL; a database of its own, created and dropped here): the same API-key check with
 * keys and counters on `postgresStore` against a bare `SELECT 1` round trip followed by the counter's own round
 * trip (`store.hit`). The clock advances 20 ms per call against a 100/s limit, so no request is throttled and
 * every log stays short. Run alone with `node bench/api-keys.mjs` after `pnpm build`.
 * @module
 */
import { guard, issueToken, tokenAuth, userRateThrottle } from "@portcullis/core";
import { apiKeyAuth, issueApiKey, perKeyRateThrottle } from "@portcullis/core/api-keys";
import { memoryStore } from "@portcullis/store-memory";
import { migrate, postgresStore } from "@portcullis/store-postgres";
import postgres from "postgres";
import { compare, fmt, printResult, progress, ratio, target, writeResult } from "./_lib.mjs";

const URL_ = process.env.PORTCULLIS_PG_URL ?? "";
const TITLE = "API keys (apiKeyAuth + perKeyRateThrottle)";
const RATE = { limit: 100, windowMs: 1000 };

/** A clock that moves 20 ms per call: at most 50 hits live in any 1 s window, under the limit of 100. */
function clock() {
  let now = 1_700_000_000_000;
  return { now: () => (now += 20) };
}

async function check(decide, request, ctx) {
  const decision = await decide(request, ctx);
  if (!decision.allowed) throw new Error(`a benchmark request was refused: ${decision.error.detail}`);
}

async function memoryCases() {
  const store = memoryStore();
  const user = await store.createUser({ username: "bench", passwordHash: "!" });
  const { key: token } = await issueToken(store, user.id);
  const { key } = await issueApiKey(store, { ownerId: user.id, scopes: ["read"] });
  const byToken = guard({ schemes: [tokenAuth({ store })], throttles: [userRateThrottle(RATE, { store })] });
  const byKey = guard({ schemes: [apiKeyAuth({ store })], throttles: [perKeyRateThrottle(RATE, { store })] });
  const tokenRequest = new Request("http://bench/", { headers: { authorization: `Token ${token}` } });
  const keyRequest = new Request("http://bench/", { headers: { authorization: `Bearer ${key}` } });
  const [tokenCtx, keyCtx] = [clock(), clock()];
  return compare([
    { name: "token", fn: () => check(byToken, tokenRequest, tokenCtx) },
    { name: "apiKey", fn: () => check(byKey, keyRequest, keyCtx) },
  ], { rounds: 5, roundMs: 300 });
}

async function postgresCases() {
  const name = "portcullis_bench_api_keys";
  const admin = postgres(URL_, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(URL_);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 4, onnotice: () => undefined });
  try {
    await migrate(sql);
    const store = postgresStore(sql);
    const { key } = await issueApiKey(store, { ownerId: "org", scopes: ["read"] });
    const byKey = guard({ schemes: [apiKeyAuth({ store })], throttles: [perKeyRateThrottle(RATE, { store })] });
    const keyRequest = new Request("http://bench/", { headers: { authorization: `Bearer ${key}` } });
    const [keyCtx, baseCtx] = [clock(), clock()];
    const baseline = async () => {
      await sql.unsafe("SELECT 1", [], { prepare: true });
      await store.hit("bench:baseline", { ...RATE, now: baseCtx.now() });
    };
    return await compare([
      { name: "baseline", fn: baseline },
      { name: "apiKey", fn: () => check(byKey, keyRequest, keyCtx) },
    ], { rounds: 5, roundMs: 400 });
  } finally {
    await sql.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

progress("api-keys: memory store");
const memory = await memoryCases();
const memoryRatio = memory.apiKey.ns / memory.token.ns;
const tables = [
  {
    columns: ["memory store, through guard()", "µs per call", "ratio"],
    rows: [
      ["token check + userRateThrottle", fmt(memory.token.us, 2), "1.00×"],
      ["API-key check + perKeyRateThrottle", fmt(memory.apiKey.us, 2), ratio(memoryRatio)],
    ],
  },
];
const targets = [target("API-key check + per-key throttle on memory ≤ 1.5× a token check + user throttle", ratio(memoryRatio), memoryRatio <= 1.5)];
let description =
  "Sequential awaited calls, interleaved rounds (median). Memory: `memoryStore()` for keys, tokens and counters.";
if (URL_ === "") {
  description += " PostgreSQL part skipped: PORTCULLIS_PG_URL is not set.";
} else {
  progress("api-keys: PostgreSQL");
  const pg = await postgresCases();
  const pgRatio = pg.apiKey.ns / pg.baseline.ns;
  description += " PostgreSQL: postgres.js 3.4 on the local server, keys and counters on `postgresStore` (two statements per check: the key by id, the counter's hit).";
  tables.push({
    columns: ["PostgreSQL", "µs per call", "ratio"],
    rows: [
      ["`SELECT 1` + `store.hit` (two round trips)", fmt(pg.baseline.us, 1), "1.00×"],
      ["API-key check + perKeyRateThrottle", fmt(pg.apiKey.us, 1), ratio(pgRatio)],
    ],
  });
  targets.push(target("API-key check + per-key throttle on PostgreSQL ≤ 1.2× `SELECT 1` + the counter's round trip", ratio(pgRatio), pgRatio <= 1.2));
}
printResult(writeResult("api-keys", { title: TITLE, description, tables, targets }));
