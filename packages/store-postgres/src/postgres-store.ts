/**
 * `postgresStore(client, options?)`: a Portcullis `Store` on PostgreSQL, through the application's own client
 * (postgres.js, node-postgres or PGlite). Every method is one SQL statement (one round trip) with bound
 * parameters; counters and `maxPerUser` are atomic. Django mode serves a Django database's own `auth_user` and
 * DRF `authtoken_token` rows, live.
 * @module
 */
import type { ApiKeyStore, CounterStore, Store, TokenStore, UserStore } from "@portcullis/core";
import { toSqlClient, type PostgresClient, type SqlClient } from "./client.js";
import { apiKeyStore } from "./_api-keys.js";
import { attempt } from "./_errors.js";
import { hit, purgeCounters, releaseHit } from "./_counters.js";
import * as django from "./_django-users.js";
import * as djangoTokens from "./_django-tokens.js";
import * as tokens from "./_tokens.js";
import * as users from "./_users.js";

/**
 * Options of `postgresStore`.
 * @example
 * ```ts
 * const store = postgresStore(sql, { django: true });
 * ```
 */
export interface PostgresStoreOptions {
  /**
   * Django mode: users are Django's `auth_user` rows and DRF's `authtoken_token` keys authenticate, live;
   * tokens Portcullis issues are kept hashed in `portcullis_django_tokens`. Apply `migrate(client, { django: true })`
   * after Django's own migrations. Default `false`: Portcullis's own `portcullis_users` and `portcullis_tokens`.
   */
  readonly django?: boolean;
}

/** The user capability on `db`. */
function userStore(db: SqlClient, isDjango: boolean): UserStore {
  const impl = isDjango ? django : users;
  return {
    createUser: (user) => attempt("createUser", () => impl.createUser(db, user)),
    getUserByUsername: (username) => attempt("getUserByUsername", () => impl.getUserByUsername(db, username)),
    getUserById: (id) => attempt("getUserById", () => impl.getUserById(db, id)),
    setPasswordHash: (userId, hash) => attempt("setPasswordHash", () => impl.setPasswordHash(db, userId, hash)),
  };
}

/** The token capability on `db`, in Portcullis's own tables. */
function tokenStore(db: SqlClient): TokenStore {
  return {
    createToken: (token, options) => attempt("createToken", () => tokens.createToken(db, token, options)),
    findToken: (digest) => attempt("findToken", () => tokens.findToken(db, digest)),
    listTokens: (userId) => attempt("listTokens", () => tokens.listTokens(db, userId)),
    deleteToken: (id) => attempt("deleteToken", async () => (await tokens.deleteWhere(db, "id = $1", id)) > 0),
    deleteUserTokens: (userId) => attempt("deleteUserTokens", () => tokens.deleteWhere(db, "user_id = $1", userId)),
    deleteExpiredTokens: (now) =>
      attempt("deleteExpiredTokens", () => tokens.deleteWhere(db, "expires_at IS NOT NULL AND expires_at <= $1::float8", now)),
  };
}

/** The token capability on `db` in Django mode: Portcullis's hashed tokens and DRF's own. */
function djangoTokenStore(db: SqlClient): TokenStore {
  return {
    createToken: (token, options) => attempt("createToken", () => djangoTokens.createToken(db, token, options)),
    findToken: (digest) => attempt("findToken", () => djangoTokens.findToken(db, digest)),
    listTokens: (userId) => attempt("listTokens", () => djangoTokens.listTokens(db, userId)),
    deleteToken: (id) => attempt("deleteToken", () => djangoTokens.deleteToken(db, id)),
    deleteUserTokens: (userId) => attempt("deleteUserTokens", () => djangoTokens.deleteUserTokens(db, userId)),
    deleteExpiredTokens: (now) => attempt("deleteExpiredTokens", () => djangoTokens.deleteExpiredTokens(db, now)),
  };
}

/** The counter capability on `db` (the same table in both modes). */
function counterStore(db: SqlClient): CounterStore {
  return {
    hit: (key, options) => attempt("hit", () => hit(db, key, options)),
    releaseHit: (key, { at }) => attempt("releaseHit", () => releaseHit(db, key, at)),
    purgeCounters: (now) => attempt("purgeCounters", () => purgeCounters(db, now)),
  };
}

/**
 * A `Store` with API keys (`ApiKeyStore`, in both modes) on a PostgreSQL database migrated with `migrate(client, options)`. PostgreSQL failures (connection
 * refused, statement timeout, a missing table) throw `StoreError` with the driver's error as `cause`, so adapters
 * answer 503; a taken username, id or digest throws `ConflictError`. Messages never carry a value.
 * @param client the application's own client: `postgres(url)` (postgres.js 3.4+), a `pg.Pool` or `pg.Client`
 *   (node-postgres 8), a PGlite instance, or a `SqlClient`.
 * @param options see `PostgresStoreOptions`.
 * @throws ConfigError (`client`) when `client` is none of these.
 * @example
 * ```ts
 * import postgres from "postgres";
 * import { basicAuth, tokenAuth } from "@portcullis/core";
 * import { migrate, postgresStore } from "@portcullis/store-postgres";
 *
 * const sql = postgres(process.env.DATABASE_URL!);
 * await migrate(sql);
 * const store = postgresStore(sql);
 * const schemes = [tokenAuth({ store }), basicAuth({ users: store })];
 * ```
 */
export function postgresStore(client: PostgresClient, options: PostgresStoreOptions = {}): Store & ApiKeyStore {
  const db = toSqlClient(client);
  const isDjango = options?.django === true;
  return {
    ...userStore(db, isDjango),
    ...(isDjango ? djangoTokenStore(db) : tokenStore(db)),
    ...counterStore(db),
    ...apiKeyStore(db),
  };
}
