/**
 * Section: OAuth2 (django-oauth-toolkit) access tokens. (1) Memory store: `oauth2Auth` + `tokenHasScope` against a
 * DRF token check (`tokenAuth` + `isAuthenticated`), both through `guard()`, interleaved. (2) PostgreSQL
 * (PORTCULLIS_PG_URL; a database of its own with DOT's three tables as DOT 3.0.1 creates them, reduced to the
 * columns read): the `oauth2Auth` check on `postgresStore(sql, { django: true })` against a bare `SELECT 1` round
 * trip. No targets: the figures are for the record. Run alone with `node bench/oauth2.mjs` after `pnpm build`.
 * @module
 */
import { createHash } from "node:crypto";
import { guard, isAuthenticated, issueToken, tokenAuth } from "@portcullis/core";
import { oauth2Auth, tokenHasScope } from "@portcullis/core/oauth2";
import { memoryStore } from "@portcullis/store-memory";
import { postgresStore } from "@portcullis/store-postgres";
import postgres from "postgres";
import { compare, fmt, printResult, progress, ratio, writeResult } from "./_lib.mjs";

const URL_ = process.env.PORTCULLIS_PG_URL ?? "";
const TOKEN = "bench-dot-access-token-0123456789";
const checksum = createHash("sha256").update(TOKEN).digest("hex");

async function check(decide, request) {
  const decision = await decide(request);
  if (!decision.allowed) throw new Error(`a benchmark request was refused: ${decision.error.detail}`);
}

async function memoryCases() {
  const store = memoryStore();
  const user = await store.createUser({ username: "bench", passwordHash: "!" });
  const { key } = await issueToken(store, user.id);
  await store.putOAuth2AccessToken(checksum, { id: "1", scope: "read music", expiresAt: Date.now() + 3_600_000, applicationId: "1", clientId: "app", userId: user.id });
  const byToken = guard({ schemes: [tokenAuth({ store })], permissions: [isAuthenticated] });
  const byOAuth2 = guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasScope(["music"])] });
  const tokenRequest = new Request("http://bench/", { headers: { authorization: `Token ${key}` } });
  const oauth2Request = new Request("http://bench/", { headers: { authorization: `Bearer ${TOKEN}` } });
  return compare([
    { name: "token", fn: () => check(byToken, tokenRequest) },
    { name: "oauth2", fn: () => check(byOAuth2, oauth2Request) },
  ], { rounds: 5, roundMs: 300 });
}

const DOT_TABLES = `
CREATE TABLE auth_user (id serial PRIMARY KEY, username varchar(150) UNIQUE NOT NULL, is_active boolean NOT NULL,
  is_staff boolean NOT NULL, is_superuser boolean NOT NULL);
CREATE TABLE oauth2_provider_application (id bigserial PRIMARY KEY, client_id varchar(100) UNIQUE NOT NULL);
CREATE TABLE oauth2_provider_accesstoken (id bigserial PRIMARY KEY, token text NOT NULL,
  token_checksum varchar(64) UNIQUE NOT NULL, expires timestamptz NOT NULL, scope text NOT NULL,
  application_id bigint REFERENCES oauth2_provider_application, user_id integer REFERENCES auth_user);`;

async function postgresCases() {
  const name = "portcullis_bench_oauth2";
  const admin = postgres(URL_, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(URL_);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 4, onnotice: () => undefined });
  try {
    await sql.unsafe(DOT_TABLES);
    await sql.unsafe(`INSERT INTO auth_user (username, is_active, is_staff, is_superuser) VALUES ('bench', true, false, false);
      INSERT INTO oauth2_provider_application (client_id) VALUES ('app');`);
    await sql.unsafe("INSERT INTO oauth2_provider_accesstoken (token, token_checksum, expires, scope, application_id, user_id) VALUES ($1, $2, now() + interval '1 hour', 'read music', 1, 1)", [TOKEN, checksum]);
    const store = postgresStore(sql, { django: true });
    const byOAuth2 = guard({ schemes: [oauth2Auth({ store })], permissions: [tokenHasScope(["music"])] });
    const request = new Request("http://bench/", { headers: { authorization: `Bearer ${TOKEN}` } });
    return await compare([
      { name: "baseline", fn: () => sql.unsafe("SELECT 1", [], { prepare: true }) },
      { name: "oauth2", fn: () => check(byOAuth2, request) },
    ], { rounds: 5, roundMs: 400 });
  } finally {
    await sql.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

progress("oauth2: memory store");
const memory = await memoryCases();
const tables = [{
  columns: ["memory store, through guard()", "µs per call", "ratio"],
  rows: [
    ["DRF token check (tokenAuth + isAuthenticated)", fmt(memory.token.us, 2), "1.00×"],
    ["DOT access token (oauth2Auth + tokenHasScope)", fmt(memory.oauth2.us, 2), ratio(memory.oauth2.ns / memory.token.ns)],
  ],
}];
let description = "Sequential awaited calls, interleaved rounds (median).";
if (URL_ === "") {
  description += " PostgreSQL part skipped: PORTCULLIS_PG_URL is not set.";
} else {
  progress("oauth2: PostgreSQL");
  const pg = await postgresCases();
  description += " PostgreSQL: postgres.js on the local server; one statement per check (token, application and user joined).";
  tables.push({
    columns: ["PostgreSQL", "µs per call", "ratio"],
    rows: [
      ["`SELECT 1`", fmt(pg.baseline.us, 1), "1.00×"],
      ["DOT access token (oauth2Auth + tokenHasScope)", fmt(pg.oauth2.us, 1), ratio(pg.oauth2.ns / pg.baseline.ns)],
    ],
  });
}
printResult(writeResult("oauth2", { title: "OAuth2 access tokens (django-oauth-toolkit)", description, tables, targets: [] }));
