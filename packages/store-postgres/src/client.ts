/**
 * The small query interface `postgresStore` runs on (`SqlClient`), and the adapters that make one from the
 * application's own client: postgres.js (`postgres` 3.4.x), node-postgres (`pg` 8.x, a `Pool` or a `Client`) and
 * PGlite. `toSqlClient` picks the adapter by shape; `fromPostgresJs` and `fromPg` name it.
 * @module
 */
import { ConfigError } from "@portcullis/core";

/** A bound parameter: statements never splice values into SQL. */
export type SqlParam = string | number | boolean | null;

/** One row, column name → value as the driver decoded it (numbers may arrive as text; the store converts). */
export type SqlRow = Readonly<Record<string, unknown>>;

/** The answer of one statement: its rows and the number of rows it inserted, updated or deleted. */
export interface SqlResult {
  readonly rows: readonly SqlRow[];
  readonly rowCount: number;
}

/**
 * What the store needs from a PostgreSQL client: `query` runs ONE statement with bound parameters (`$1`, `$2`);
 * `script` runs several statements without parameters as one implicit transaction (PostgreSQL's simple query
 * protocol), all or nothing; only `migrate` uses it.
 * @example
 * ```ts
 * const client: SqlClient = {
 *   query: async (text, params) => { const r = await pool.query(text, [...params]); return { rows: r.rows, rowCount: r.rowCount ?? 0 }; },
 *   script: async (text) => { await pool.query(text); },
 * };
 * ```
 */
export interface SqlClient {
  query(text: string, params: readonly SqlParam[]): Promise<SqlResult>;
  script(text: string): Promise<void>;
}

/** The part of a postgres.js `Sql` instance (`postgres(url)`) that the store uses. */
export interface PostgresJsLike {
  unsafe(query: string, parameters?: SqlParam[], options?: { prepare?: boolean }): PromiseLike<ArrayLike<unknown> & { count?: number | null }>;
  readonly options?: { readonly prepare?: boolean };
}

/** The part of a node-postgres `Pool` or `Client` (or a PGlite instance) that the store uses. */
export interface PgLike {
  query(text: string, values?: SqlParam[]): Promise<{ rows: unknown[]; rowCount?: number | null; affectedRows?: number }>;
  /** PGlite's multi-statement `exec`; node-postgres runs scripts through `query` instead. */
  exec?(text: string): Promise<unknown>;
}

/** Every client `postgresStore` accepts. */
export type PostgresClient = SqlClient | PostgresJsLike | PgLike;

/**
 * A `SqlClient` on a postgres.js instance. Statements are prepared (named) unless the instance was created with
 * `prepare: false` (needed behind PgBouncer in transaction mode); scripts use the simple protocol.
 * @example
 * ```ts
 * import postgres from "postgres";
 * const client = fromPostgresJs(postgres(process.env.DATABASE_URL!));
 * ```
 */
export function fromPostgresJs(sql: PostgresJsLike): SqlClient {
  const prepare = sql.options?.prepare ?? true;
  return {
    async query(text, params) {
      const result = await sql.unsafe(text, [...params], { prepare });
      return { rows: Array.from(result as ArrayLike<SqlRow>), rowCount: Number(result.count ?? 0) };
    },
    async script(text) {
      await sql.unsafe(text);
    },
  };
}

/**
 * A `SqlClient` on a node-postgres `Pool` or `Client` (or a PGlite instance, whose `query` has the same shape).
 * @example
 * ```ts
 * import pg from "pg";
 * const client = fromPg(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 * ```
 */
export function fromPg(pool: PgLike): SqlClient {
  return {
    async query(text, params) {
      const result = await pool.query(text, [...params]);
      return { rows: result.rows as SqlRow[], rowCount: Number(result.rowCount ?? result.affectedRows ?? 0) };
    },
    async script(text) {
      await (pool.exec ? pool.exec(text) : pool.query(text));
    },
  };
}

/**
 * The `SqlClient` of any accepted client, chosen by shape: a postgres.js instance (a function with `unsafe`), a
 * `SqlClient` (with `query` and `script`), or a node-postgres `Pool`/`Client` or PGlite (with `query`).
 * @throws ConfigError (`client`) for anything else.
 * @example
 * ```ts
 * const client = toSqlClient(postgres(url)); // or new pg.Pool(...), or new PGlite()
 * ```
 */
export function toSqlClient(client: PostgresClient): SqlClient {
  const candidate = client as Partial<PostgresJsLike & PgLike & SqlClient> | null;
  if (candidate !== null && (typeof candidate === "function" || typeof candidate === "object")) {
    if (typeof candidate.unsafe === "function") return fromPostgresJs(client as PostgresJsLike);
    if (typeof candidate.query === "function" && typeof candidate.script === "function") return client as SqlClient;
    if (typeof candidate.query === "function") return fromPg(client as PgLike);
  }
  throw new ConfigError("client", "must be a postgres.js instance, a pg Pool or Client, a PGlite instance or a SqlClient");
}
