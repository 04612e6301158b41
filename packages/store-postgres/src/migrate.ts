/**
 * `migrate(client)`: applies the schema of `@portcullis/store-postgres`, recording each migration in
 * `portcullis_migrations`. Each migration runs as one transaction together with its record, serialized across
 * processes by an advisory lock, so concurrent cold starts apply it once.
 * @module
 */
import { ConfigError, StoreError } from "@portcullis/core";
import { toSqlClient, type PostgresClient, type SqlClient } from "./client.js";
import { migrations as allMigrations, type Migration } from "./migrations.js";
import { attempt } from "./_errors.js";

/**
 * Options of `migrate`.
 * @example
 * ```ts
 * await migrate(sql, { django: true }); // after Django's own `manage.py migrate`
 * ```
 */
export interface MigrateOptions {
  /** Django mode: Portcullis's token table referencing `auth_user` instead of Portcullis's own users. */
  readonly django?: boolean;
  /** The migrations to consider, in order. Defaults to every migration of this package. */
  readonly migrations?: readonly Migration[];
}

/** The advisory lock key of migrations (any constant; chosen to be unlikely to clash with an application's). */
const LOCK = "SELECT pg_advisory_xact_lock(7015260839427158473);";
const TABLE = `CREATE TABLE IF NOT EXISTS portcullis_migrations (
  name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());`;
const NAME = /^[0-9A-Za-z_.-]+$/;

/** The names of the migrations already applied. */
async function appliedNames(db: SqlClient): Promise<Set<string>> {
  const { rows } = await db.query("SELECT name FROM portcullis_migrations", []);
  return new Set(rows.map((row) => String(row.name)));
}

/** Applies one migration and records it in one transaction; `false` when a concurrent migrate() was first. */
async function applyOne(db: SqlClient, migration: Migration): Promise<boolean> {
  try {
    // One simple-protocol script is one implicit transaction: the lock, the record and the DDL commit together.
    await db.script(`${LOCK}\nINSERT INTO portcullis_migrations (name) VALUES ('${migration.name}');\n${migration.sql}`);
    return true;
  } catch (error) {
    const applied = await appliedNames(db).catch(() => new Set<string>());
    if (applied.has(migration.name)) return false;
    throw new StoreError(`PostgreSQL migration ${migration.name} failed`, { cause: error });
  }
}

/**
 * Applies the migrations of the chosen mode not yet recorded in `portcullis_migrations`, in order, each in one
 * transaction; answers the names it applied (none when the database is up to date, so calling it at every start
 * is cheap). In Django mode, run it after Django's `manage.py migrate`: it creates only Portcullis's own tables
 * (`portcullis_*`) and never alters Django's.
 * @param client a postgres.js instance, a pg `Pool`/`Client`, PGlite, or a `SqlClient`.
 * @param options see `MigrateOptions`.
 * @throws StoreError when PostgreSQL fails or a migration does not apply (its `cause` is the driver's error).
 * @example
 * ```ts
 * import postgres from "postgres";
 * import { migrate, postgresStore } from "@portcullis/store-postgres";
 *
 * const sql = postgres(process.env.DATABASE_URL!);
 * await migrate(sql); // ["0001_counters.sql", "0002_users_tokens.sql", "0007_api_keys.sql"] the first time, [] afterwards
 * const store = postgresStore(sql);
 * ```
 */
export async function migrate(client: PostgresClient, options: MigrateOptions = {}): Promise<string[]> {
  const db = toSqlClient(client);
  const mode = options.django === true ? "django" : "native";
  const wanted = (options.migrations ?? allMigrations).filter((m) => m.mode === "both" || m.mode === mode);
  for (const migration of wanted) {
    if (!NAME.test(migration.name)) throw new ConfigError("migrations", `invalid migration name ${JSON.stringify(migration.name)}`);
  }
  const applied = await attempt("migrate", async () => {
    await db.script(`${LOCK}\n${TABLE}`);
    return appliedNames(db);
  });
  const done: string[] = [];
  for (const migration of wanted) {
    if (applied.has(migration.name)) continue;
    if (await applyOne(db, migration)) done.push(migration.name);
  }
  return done;
}
