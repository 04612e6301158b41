/**
 * Section: knox. (1) Memory store: a knox token check (`knoxAuth`: token_key lookup + SHA-512 + constant-time
 * compare) against a DRF-style token check (`tokenAuth`: SHA-256 digest lookup), both through `guard()`, interleaved.
 * (2) PostgreSQL (PORTCULLIS_PG_URL; a database of its own, created and dropped here): the same knox check on
 * `postgresStore` (one statement: the rows of the token_key joined with the user) against a bare `SELECT 1` round
 * trip. Run alone with `node bench/knox.mjs` after `pnpm build`.
 * @module
 */
import { guard, issueToken, tokenAuth } from "@portcullis/core";
import { issueKnoxToken, knoxAuth } from "@portcullis/core/knox";
import { memoryStore } from "@portcullis/store-memory";
import { migrate, postgresStore } from "@portcullis/store-postgres";
import postgres from "postgres";
import { compare, fmt, printResult, progress, ratio, writeResult } from "./_lib.mjs";

const URL_ = process.env.PORTCULLIS_PG_URL ?? "";
const NOW = 1_700_000_000_000;
const ctx = { now: () => NOW };

async function check(decide, request) {
  const decision = await decide(request, ctx);
  if (!decision.allowed) throw new Error(`a benchmark request was refused: ${decision.error.detail}`);
}

async function memoryCases() {
  const store = memoryStore();
  const user = await store.createUser({ username: "bench", passwordHash: "!" });
  const { key } = await issueToken(store, user.id);
  const { token } = await issueKnoxToken(store, user.id, { now: NOW });
  const byToken = guard({ schemes: [tokenAuth({ store })] });
  const byKnox = guard({ schemes: [knoxAuth({ store })] });
  const tokenRequest = new Request("http://bench/", { headers: { authorization: `Token ${key}` } });
  const knoxRequest = new Request("http://bench/", { headers: { authorization: `Token ${token}` } });
  return compare([
    { name: "token", fn: () => check(byToken, tokenRequest) },
    { name: "knox", fn: () => check(byKnox, knoxRequest) },
  ], { rounds: 5, roundMs: 300 });
}

async function postgresCases() {
  const name = "portcullis_bench_knox";
  const admin = postgres(URL_, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(URL_);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 4, onnotice: () => undefined });
  try {
    await migrate(sql);
    const store = postgresStore(sql);
    const user = await store.createUser({ username: "bench", passwordHash: "!" });
    const { token } = await issueKnoxToken(store, user.id, { now: NOW });
    const byKnox = guard({ schemes: [knoxAuth({ store })] });
    const request = new Request("http://bench/", { headers: { authorization: `Token ${token}` } });
    return await compare([
      { name: "baseline", fn: () => sql.unsafe("SELECT 1", [], { prepare: true }) },
      { name: "knox", fn: () => check(byKnox, request) },
    ], { rounds: 5, roundMs: 400 });
  } finally {
    await sql.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

progress("knox: memory store");
const memory = await memoryCases();
const memoryRatio = memory.knox.ns / memory.token.ns;
const tables = [{
  columns: ["memory store, through guard()", "µs per call", "ratio"],
  rows: [
    ["tokenAuth check (SHA-256 digest lookup)", fmt(memory.token.us, 2), "1.00×"],
    ["knoxAuth check (token_key lookup, SHA-512, constant-time compare)", fmt(memory.knox.us, 2), ratio(memoryRatio)],
  ],
}];
let description = "Sequential awaited calls, interleaved rounds (median).";
if (URL_ === "") {
  description += " PostgreSQL part skipped: PORTCULLIS_PG_URL is not set.";
} else {
  progress("knox: PostgreSQL");
  const pg = await postgresCases();
  description += " PostgreSQL: postgres.js on the local server, Portcullis's own knox table (one statement per check).";
  tables.push({
    columns: ["PostgreSQL", "µs per call", "ratio"],
    rows: [
      ["`SELECT 1`", fmt(pg.baseline.us, 1), "1.00×"],
      ["knoxAuth check", fmt(pg.knox.us, 1), ratio(pg.knox.ns / pg.baseline.ns)],
    ],
  });
}
printResult(writeResult("knox", { title: "knox (knoxAuth)", description, tables, targets: [] }));
