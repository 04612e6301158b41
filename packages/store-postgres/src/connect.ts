/**
 * `connect(url)`: a store from a database URL, for tools that have a URL rather than a client (the `portcullis`
 * CLI's `--database-url`, scripts, one-off jobs). It opens a postgres.js client (the optional peer dependency
 * `postgres`), so it runs on Node, Deno and Bun; applications normally pass their own client to `postgresStore`.
 * @module
 */
import { ConfigError, type ApiKeyStore, type PermissionAdminStore, type PermissionStore, type Store } from "@portcullis/core";
import { toSqlClient, type SqlClient } from "./client.js";
import { migrate } from "./migrate.js";
import { postgresStore, type PostgresStoreOptions } from "./postgres-store.js";

/** Options of `connect`: the store's, and the size of the connection pool. */
export interface ConnectOptions extends PostgresStoreOptions {
  /** Connections in the pool. Default 4. */
  readonly max?: number;
  /**
   * How long opening one connection may take, ms (rounded up to whole seconds, postgres.js's unit): an
   * unreachable or silent server fails the query with a `StoreError` then, instead of hanging. Default 10,000.
   */
  readonly connectTimeoutMs?: number;
}

/** An open connection: its store, its client, `migrate()` for the store's mode, and `close()`. */
export interface PostgresConnection {
  /** The store; in Django mode it has no `PermissionAdminStore` methods (Django's admin owns those tables). */
  readonly store: Store & ApiKeyStore & PermissionStore & Partial<PermissionAdminStore>;
  readonly client: SqlClient;
  /** Applies the migrations of this connection's mode (`migrate(client, { django })`). */
  migrate(): Promise<string[]>;
  /** Closes every connection of the pool (waiting for running queries). */
  close(): Promise<void>;
}

/**
 * Opens a postgres.js pool on `url` (`postgres://` or `postgresql://`; libpq parameters such as `sslmode` work)
 * and answers its store. Nothing connects until the first query; a refused connection is then a `StoreError`.
 * The URL (it may hold a password) is never part of an error message.
 * @throws ConfigError (`url`) for anything but a PostgreSQL URL; (`postgres`) when the `postgres` package is missing.
 * @example
 * ```ts
 * import { connect } from "@portcullis/store-postgres";
 *
 * const db = await connect(process.env.DATABASE_URL!, { django: true });
 * await db.migrate();
 * console.log(await db.store.getUserByUsername("alice"));
 * await db.close();
 * ```
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<PostgresConnection> {
  if (typeof url !== "string" || !/^postgres(?:ql)?:\/\//.test(url)) {
    throw new ConfigError("url", "must be a postgres:// or postgresql:// URL");
  }
  const { max = 4, django = false, connectTimeoutMs = 10_000 } = options;
  if (!(Number.isSafeInteger(max) && max > 0)) throw new ConfigError("max", "must be a positive integer");
  if (!(Number.isSafeInteger(connectTimeoutMs) && connectTimeoutMs > 0 && connectTimeoutMs <= 600_000)) {
    throw new ConfigError("connectTimeoutMs", "must be an integer from 1 to 600,000 (ms)");
  }
  const postgres = await import("postgres").then(
    (module) => module.default,
    () => {
      throw new ConfigError("postgres", "connect() needs the postgres package (npm install postgres)");
    },
  );
  const sql = postgres(url, { max, onnotice: () => undefined, connect_timeout: Math.ceil(connectTimeoutMs / 1000) });
  return {
    store: postgresStore(sql, { django }),
    client: toSqlClient(sql),
    migrate: () => migrate(sql, { django }),
    close: () => sql.end(),
  };
}
