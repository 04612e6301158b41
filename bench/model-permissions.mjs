/**
 * Section: model permissions on PostgreSQL (`@portcullis/store-postgres` own tables on postgres.js, the real server
 * of PORTCULLIS_PG_URL; a database of its own, created and dropped here). A token-authenticated POST through
 * `guard()` with `djangoModelPermissions` (one more statement: the user's row, own and group permissions), and the
 * same with `permissionsWithUser` (read in the token lookup), against the same request with `isAuthenticated` only,
 * alternated call by call in one process. 1,000 users with 1,000 tokens, each
 * holding a direct permission and three through a group. Without PORTCULLIS_PG_URL the section reports itself
 * skipped. Run alone with `node bench/model-permissions.mjs` after `pnpm build`.
 * @module
 */
import { createHash } from "node:crypto";
import { djangoModelPermissions, guard, isAuthenticated, tokenAuth } from "@portcullis/core";
import { migrate, postgresStore } from "@portcullis/store-postgres";
import postgres from "postgres";
import { fmt, median, printResult, progress, ratio, target, writeResult } from "./_lib.mjs";

const URL_ = process.env.PORTCULLIS_PG_URL ?? "";
const USERS = 1_000;
const PICKS = 1024;
const TITLE = "Model permissions (djangoModelPermissions on PostgreSQL)";
const DB = "portcullis_bench_perms";
const ROUNDS = 4_000;
const WARMUP = 500;

const keyOf = (i) => createHash("sha256").update(`portcullis-perm-bench-${i}`).digest("hex").slice(0, 40);

async function fill(sql) {
  await migrate(sql);
  await sql.unsafe(`INSERT INTO portcullis_users (id, username, password_hash) SELECT 'u' || g, 'user' || g, '!' FROM generate_series(0, ${USERS - 1}) AS g`);
  await sql.unsafe(`INSERT INTO portcullis_tokens (id, digest, user_id, created_at)
    SELECT 't' || g, encode(sha256(convert_to(left(encode(sha256(convert_to('portcullis-perm-bench-' || g, 'UTF8')), 'hex'), 40), 'UTF8')), 'hex'),
      'u' || g, 0 FROM generate_series(0, ${USERS - 1}) AS g`);
  await sql.unsafe(`INSERT INTO portcullis_group_permissions (group_name, permission)
    VALUES ('editors', 'blog.add_article'), ('editors', 'blog.change_article'), ('editors', 'blog.delete_article')`);
  await sql.unsafe(`INSERT INTO portcullis_user_groups (user_id, group_name) SELECT 'u' || g, 'editors' FROM generate_series(0, ${USERS - 1}) AS g`);
  await sql.unsafe(`INSERT INTO portcullis_user_permissions (user_id, permission) SELECT 'u' || g, 'blog.view_article' FROM generate_series(0, ${USERS - 1}) AS g`);
  await sql.unsafe("ANALYZE");
}

function checker(store, permission) {
  const check = guard({ schemes: [tokenAuth({ store })], permissions: [permission] });
  const keys = Array.from({ length: PICKS }, (_, i) => keyOf((i * 7919) % USERS));
  return async (i) => {
    // A new Request per call, as in a server: the permission cache lives per request and never carries over.
    const request = new Request("http://bench/articles/", { method: "POST", headers: { Authorization: `Token ${keys[i & (PICKS - 1)]}` } });
    const decision = await check(request);
    if (!decision.allowed) throw new Error("a benchmark request was denied");
  };
}

/**
 * Alternates the cases call by call (A, B, C, A, B, C, ...) and answers each one's median µs per call: on a
 * machine whose load moves from second to second, every case sees the same moments (rounds of 400 ms did not).
 */
async function alternate(cases) {
  const samples = cases.map(() => []);
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    for (const [index, { fn }] of cases.entries()) {
      const start = process.hrtime.bigint();
      await fn(i);
      if (i >= WARMUP) samples[index].push(Number(process.hrtime.bigint() - start) / 1000);
    }
  }
  return Object.fromEntries(cases.map(({ name }, index) => [name, { us: median(samples[index]) }]));
}

async function measure(url) {
  const sql = postgres(url, { max: 4, onnotice: () => undefined });
  try {
    progress(`model-permissions: filling ${fmt(USERS)} users, tokens and permissions`);
    await fill(sql);
    const store = postgresStore(sql);
    const preloading = postgresStore(sql, { permissionsWithUser: true });
    return await alternate([
      { name: "authenticated", fn: checker(store, isAuthenticated) },
      { name: "model", fn: checker(store, djangoModelPermissions({ store, model: "blog.article" })) },
      { name: "withUser", fn: checker(preloading, djangoModelPermissions({ store: preloading, model: "blog.article" })) },
    ]);
  } finally {
    await sql.end();
  }
}

async function withDatabase(fn) {
  const admin = postgres(URL_, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE "${DB}"`);
  const url = new URL(URL_);
  url.pathname = `/${DB}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
    await admin.end();
  }
}

if (URL_ === "") {
  const result = { title: TITLE, description: "Skipped: PORTCULLIS_PG_URL is not set (the section needs a real PostgreSQL server).", tables: [], targets: [] };
  printResult(writeResult("model-permissions", result));
} else {
  const times = await withDatabase(measure);
  const throughput = times.authenticated.us / times.model.us;
  const preloaded = times.authenticated.us / times.withUser.us;
  const result = {
    title: TITLE,
    description:
      "postgres.js 3.4 on the local PostgreSQL server (PORTCULLIS_PG_URL), sequential awaited `guard()` calls on a new " +
      `Request each, the three policies alternated call by call, median of ${fmt(ROUNDS)} calls each. ` +
      "Every policy authenticates with `tokenAuth` on `postgresStore` (one statement); " +
      "`djangoModelPermissions` adds one statement for a POST (user row, own and group permissions), or none with " +
      "`permissionsWithUser` (the token lookup reads them). Throughput ratio = " +
      "time with isAuthenticated / time with djangoModelPermissions.",
    tables: [
      {
        columns: ["POST /articles/ policy", "µs per request", "throughput ratio"],
        rows: [
          ["`isAuthenticated`", fmt(times.authenticated.us, 1), "1.00×"],
          ["`djangoModelPermissions({ model: \"blog.article\" })`, one more statement", fmt(times.model.us, 1), ratio(throughput)],
          ["the same with `postgresStore(sql, { permissionsWithUser: true })` (no extra statement)", fmt(times.withUser.us, 1), ratio(preloaded)],
        ],
      },
    ],
    targets: [
      target("djangoModelPermissions route ≥ 0.8× the isAuthenticated route (permissionsWithUser)", ratio(preloaded), preloaded >= 0.8),
      target("djangoModelPermissions route ≥ 0.8× the isAuthenticated route (separate statement)", ratio(throughput), throughput >= 0.8),
    ],
  };
  printResult(writeResult("model-permissions", result));
}
