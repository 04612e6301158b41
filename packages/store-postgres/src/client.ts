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

/** A node-postgres `Pool` or `Client` as `fromPg(pool, { prepare: true })` calls it: with a named query config. */
export interface PgPreparedLike {
  query(config: { name: string; text: string; values: SqlParam[] }): Promise<{ rows: unknown[]; rowCount?: number | null }>;
}

/** Options of `fromPg`. */
export interface FromPgOptions {
  /**
   * Name every statement (node-postgres then parses and plans it once per connection, and binds it afterwards)
   * instead of sending it unnamed (parsed and planned by PostgreSQL on every call). Measured in `bench/NOTES.md`
   * (sixth pass): unnamed, the token lookup cost PostgreSQL 149–182 µs of CPU per request against 30–39 µs for
   * `SELECT 1`. Do not enable it behind PgBouncer in transaction mode (its prepared statements do not follow the
   * server connection), as for postgres.js's `prepare: false`. Default `false`.
   */
  readonly prepare?: boolean;
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
    // Not an async function: one `then` on the driver's query (every token check runs through here). A driver that
    // throws synchronously still answers a rejected promise, as an async function would.
    query(text, params) {
      try {
        return Promise.resolve(sql.unsafe(text, [...params], { prepare })).then(toSqlResult);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async script(text) {
      await sql.unsafe(text);
    },
  };
}

/** postgres.js answers its rows as an array (its `Result`); anything else array-like is copied into one. */
function toSqlResult(result: ArrayLike<unknown> & { count?: number | null }): SqlResult {
  const rows = (Array.isArray(result) ? result : Array.from(result)) as readonly SqlRow[];
  return { rows, rowCount: Number(result.count ?? 0) };
}

/**
 * A `SqlClient` on a node-postgres `Pool` or `Client` (or a PGlite instance, whose `query` has the same shape).
 * With `{ prepare: true }` (node-postgres only), statements are named and so prepared once per connection.
 * @example
 * ```ts
 * import pg from "pg";
 * const client = fromPg(new pg.Pool({ connectionString: process.env.DATABASE_URL }), { prepare: true });
 * ```
 */
export function fromPg(pool: PgLike, options: FromPgOptions = {}): SqlClient {
  if (options.prepare === true) {
    // node-postgres's `query` also takes a config object (PGlite's does not: `prepare` is for node-postgres).
    const prepared = pool as PgLike & PgPreparedLike;
    return {
      async query(text, params) {
        const result = await prepared.query({ name: statementName(text), text, values: [...params] });
        return { rows: result.rows as SqlRow[], rowCount: Number(result.rowCount ?? 0) };
      },
      async script(text) {
        await pool.query(text);
      },
    };
  }
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

/**
 * A statement's name for node-postgres: a function of its text alone (the same on every connection and in every
 * copy of this module loaded into one process): 32-bit FNV-1a of the text and its length, so that two of the
 * store's few dozen statements do not share one (and pg would refuse the second if they did: never silently).
 */
function statementName(text: string): string {
  let high = 0x811c;
  let low = 0x9dc5;
  for (let i = 0; i < text.length; i++) {
    low ^= text.charCodeAt(i);
    // 32-bit FNV-1a prime 16777619 = 2^24 + 403, on two 16-bit halves (exact in doubles).
    const lowProduct = low * 403;
    const highProduct = high * 403 + (low << 8) + (lowProduct >>> 16);
    low = lowProduct & 0xffff;
    high = highProduct & 0xffff;
  }
  return `portcullis_${high.toString(16).padStart(4, "0")}${low.toString(16).padStart(4, "0")}_${text.length.toString(36)}`;
}
