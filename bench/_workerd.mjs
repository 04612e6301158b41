/**
 * Helpers of the workerd sections (internal): bundling a Worker with esbuild, deterministic token keys with
 * their digests, and filling a D1 database fast (multi-row INSERTs of literal values inside `db.batch`).
 * @module
 */
import { hash } from "node:crypto";
import { build } from "esbuild";
import { migrate } from "@portcullis/store-d1";

/** Today's compatibility date of the example Worker (examples/worker-d1/wrangler.jsonc). */
export const COMPATIBILITY_DATE = "2026-04-01";

/**
 * Bundles a Worker into one ES module, as wrangler would (browser platform, workerd conditions, the built dist):
 * from an entry file (TypeScript or JavaScript), or from source text `{ contents, resolveDir }`.
 */
export async function bundleWorker(input) {
  const source =
    typeof input === "string" ? { entryPoints: [input] } : { stdin: { contents: input.contents, resolveDir: input.resolveDir, loader: "js" } };
  const result = await build({
    ...source,
    tsconfigRaw: {}, // never the root tsconfig's `portcullis-source` condition
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"], // the runtime's own modules, as wrangler leaves them
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

/** The key of token `i`: 40 lowercase hex characters (DRF's format), random-looking and reproducible. */
export function keyOf(i) {
  return hash("sha1", `portcullis-bench-${i}`, "hex");
}

/** The digest under which token `i` is stored (what `issueToken` would store). */
export function digestOf(i) {
  return hash("sha256", keyOf(i), "hex");
}

const ROWS_PER_STATEMENT = 500;
const STATEMENTS_PER_BATCH = 20;

async function insertRows(db, head, count, rowOf) {
  let statements = [];
  for (let start = 0; start < count; start += ROWS_PER_STATEMENT) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + ROWS_PER_STATEMENT); i++) rows.push(rowOf(i));
    statements.push(db.prepare(`${head} VALUES ${rows.join(",")}`));
    if (statements.length === STATEMENTS_PER_BATCH) {
      await db.batch(statements);
      statements = [];
    }
  }
  if (statements.length > 0) await db.batch(statements);
}

/**
 * Migrates a D1 database and fills it with `users` users (`u0`...) and `tokens` tokens (`t0`..., token `i`
 * belongs to user `i % users`), written directly in SQL with precomputed digests.
 */
export async function fillD1(db, { users, tokens }) {
  await migrate(db);
  await insertRows(
    db,
    "INSERT INTO portcullis_users (id, username, password_hash, is_active, is_staff)",
    users,
    (i) => `('u${i}','user${i}','!unusable',1,0)`,
  );
  await insertRows(
    db,
    "INSERT INTO portcullis_tokens (id, digest, user_id, name, created_at, expires_at)",
    tokens,
    (i) => `('t${i}','${digestOf(i)}','u${i % users}',NULL,0,NULL)`,
  );
  const row = await db.prepare("SELECT count(*) AS n FROM portcullis_tokens").first();
  if (row.n !== tokens) throw new Error(`expected ${tokens} tokens in D1, found ${row.n}`);
}

/** A small deterministic PRNG (mulberry32), so every run picks the same tokens. */
export function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
