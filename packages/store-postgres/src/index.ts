/**
 * @portcullis/store-postgres: a Portcullis `Store` on PostgreSQL (postgres.js, node-postgres or PGlite), with a
 * Django mode that serves a Django database's own users and DRF tokens; its migrations, `migrate(client)` and
 * `connect(url)`.
 * @module
 */
export { postgresStore, type PostgresDjangoStore, type PostgresStore, type PostgresStoreOptions } from "./postgres-store.js";
export { migrate, type MigrateOptions } from "./migrate.js";
export { djangoIndexes, type DjangoIndex } from "./django-indexes.js";
export { migrations, type Migration } from "./migrations.js";
export {
  fromPg,
  fromPostgresJs,
  toSqlClient,
  type PgLike,
  type PgPreparedLike,
  type FromPgOptions,
  type PostgresClient,
  type PostgresJsLike,
  type SqlClient,
  type SqlParam,
  type SqlResult,
  type SqlRow,
} from "./client.js";
export { connect, type ConnectOptions, type PostgresConnection } from "./connect.js";
export { guardianObjectPermissions, type GuardianOptions } from "./guardian.js";
