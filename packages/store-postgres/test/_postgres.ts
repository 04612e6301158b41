/**
 * The PostgreSQL the tests run on (shared by every test file of this package). With `PORTCULLIS_PG_URL` set (CI's
 * `.ci/services/postgres.sh` sets it), each test file creates a database of its own on that real server and drops
 * it after. Without it, locally, the suites run on PGlite (PostgreSQL compiled to WASM, in process) and say so;
 * with `CI=true` a missing server is a failure, never a fallback. Tests that need the real server (Django, the
 * Hono app over the wire, workerd through Hyperdrive) skip locally with a line naming what to install.
 * @module
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import postgres from "postgres";
import { migrate, type PostgresClient } from "../src/index.js";

export const PG_URL = process.env.PORTCULLIS_PG_URL ?? "";
export const IS_CI = process.env.CI === "true";
export const HAS_SERVER = PG_URL !== "";
export const INSTALL_HINT =
  "install postgresql (apt-get install postgresql; pg_ctlcluster 15 main start) and set PORTCULLIS_PG_URL " +
  "(e.g. postgres://portcullis:portcullis@127.0.0.1:5432/portcullis_test)";

if (IS_CI && !HAS_SERVER) {
  throw new Error(`store-postgres: CI=true but PORTCULLIS_PG_URL is not set: ${INSTALL_HINT}`);
}

/** Warns once per file which PostgreSQL runs, or that a real-server test is skipped. */
export function announce(what: string, needsServer = false): void {
  if (HAS_SERVER) console.warn(`[store-postgres] ${what}: real PostgreSQL server (PORTCULLIS_PG_URL)`);
  else if (needsServer) console.warn(`[store-postgres] skipping ${what}: ${INSTALL_HINT}`);
  else console.warn(`[store-postgres] ${what}: PGlite (in-process WASM PostgreSQL; no PORTCULLIS_PG_URL set)`);
}

/** A database of one test file: its URL on the real server, and how to drop it. */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** Creates a uniquely named database on the real server (`PORTCULLIS_PG_URL`). */
export async function createDatabase(prefix = "portcullis_t"): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36)}`;
  const admin = postgres(PG_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const sql = postgres(PG_URL, { max: 1, onnotice: () => undefined });
      await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await sql.end();
    },
  };
}

/** One client of the database under test, and how to close it. */
export interface TestClient {
  readonly label: string;
  readonly client: PostgresClient;
  close(): Promise<void>;
}

/** A postgres.js client of `url` (notices silenced: `CREATE ... IF NOT EXISTS` prints them). */
export function postgresJsClient(url: string, options: postgres.Options<Record<string, never>> = {}): TestClient {
  const sql = postgres(url, { max: 10, onnotice: () => undefined, ...options });
  return { label: "postgres.js", client: sql, close: () => sql.end() };
}

/** A node-postgres pool of `url`. */
export function pgClient(url: string, options: pg.PoolConfig = {}): TestClient {
  const pool = new pg.Pool({ connectionString: url, max: 10, ...options });
  // An idle client whose backend goes away (the file's database dropped WITH (FORCE) while pool.end() is still
  // closing its sockets) is reported on the pool; without a listener that is an uncaught error in the test run.
  // Errors of queries still reach the store (and its StoreError) as before.
  pool.on("error", () => undefined);
  return { label: "pg", client: pool, close: () => pool.end() };
}

/** A fresh in-process PGlite database. */
export async function pgliteClient(): Promise<TestClient> {
  const db = await PGlite.create();
  return { label: "PGlite", client: db, close: () => db.close() };
}

/** Empties every Portcullis table (between conformance tests). */
export async function wipe(client: TestClient, tables: readonly string[]): Promise<void> {
  const { toSqlClient } = await import("../src/index.js");
  await toSqlClient(client.client).script(`TRUNCATE ${tables.join(", ")} CASCADE`);
}

export { migrate };
