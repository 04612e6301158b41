/**
 * `migrate(db)`: applies the schema of `@portcullis/store-d1` from a Worker (or a test), recording each
 * migration in the same `d1_migrations` table that `wrangler d1 migrations apply` reads and writes, so the two
 * can be mixed freely.
 * @module
 */
import { ConfigError, StoreError } from "@portcullis/core";
import type { D1DatabaseLike } from "./d1-types.js";
import { migrations as allMigrations, type Migration } from "./migrations.js";
import { attempt } from "./_errors.js";
import { splitSql } from "./_split-sql.js";

/**
 * Options of `migrate`.
 * @example
 * ```ts
 * await migrate(env.DB, { migrationsTable: "schema_migrations" }); // wrangler's `migrations_table`
 * ```
 */
export interface MigrateOptions {
  /** The table that records applied migrations: wrangler's `migrations_table`. Defaults to `d1_migrations`. */
  readonly migrationsTable?: string;
  /** The migrations to apply, in order. Defaults to every migration of this package. */
  readonly migrations?: readonly Migration[];
}

/** Validates the table name once (it is spliced into SQL). */
function tableOf(options: MigrateOptions): string {
  const table = options.migrationsTable ?? "d1_migrations";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) {
    throw new ConfigError("migrationsTable", "must be a plain SQL identifier");
  }
  return table;
}

/** The names of the migrations already applied. */
async function appliedNames(db: D1DatabaseLike, table: string): Promise<Set<string>> {
  const { results } = await db.prepare(`SELECT name FROM ${table} ORDER BY id`).all<{ name: string }>();
  return new Set(results.map((row) => row.name));
}

/** Applies one migration and records it, in one transaction (`batch`): all of it or nothing. */
async function applyOne(db: D1DatabaseLike, table: string, migration: Migration): Promise<boolean> {
  const statements = splitSql(migration.sql).map((sql) => db.prepare(sql));
  statements.push(db.prepare(`INSERT INTO ${table} (name) VALUES (?1)`).bind(migration.name));
  try {
    await db.batch(statements);
    return true;
  } catch (error) {
    // A concurrent migrate() (or wrangler) may have applied it first; then our batch rolled back harmlessly.
    const applied = await appliedNames(db, table).catch(() => new Set<string>());
    if (applied.has(migration.name)) return false;
    throw new StoreError(`D1 migration ${migration.name} failed`, { cause: error });
  }
}

/**
 * Applies the migrations not yet recorded in `d1_migrations`, in order, each in one transaction; answers the
 * names it applied (none when the database is up to date, so calling it on every cold start is cheap: two
 * statements). The table has wrangler's exact definition, and names are the file names wrangler records.
 * @param db the D1 binding (`env.DB`).
 * @param options see `MigrateOptions`.
 * @throws StoreError when D1 fails or a migration does not apply (its `cause` is D1's error).
 * @example
 * ```ts
 * import { d1Store, migrate } from "@portcullis/store-d1";
 *
 * await migrate(env.DB); // ["0001_initial.sql"] the first time, [] afterwards
 * const store = d1Store(env.DB);
 * ```
 */
export async function migrate(db: D1DatabaseLike, options: MigrateOptions = {}): Promise<string[]> {
  const table = tableOf(options);
  const migrations = options.migrations ?? allMigrations;
  const applied = await attempt("migrate", async () => {
    await db
      .prepare(
        `CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, ` +
          "applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)",
      )
      .run();
    return appliedNames(db, table);
  });
  const done: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.name)) continue;
    if (await applyOne(db, table, migration)) done.push(migration.name);
  }
  return done;
}
