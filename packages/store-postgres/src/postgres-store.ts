/**
 * `postgresStore(client, options?)`: a Portcullis `Store` on PostgreSQL, through the application's own client
 * (postgres.js, node-postgres or PGlite). Every method is one SQL statement (one round trip) with bound
 * parameters; counters and `maxPerUser` are atomic. Django mode serves a Django database's own `auth_user` and
 * DRF `authtoken_token` rows, live.
 * @module
 */
import {
  preloadPermissions,
  type AccountStore,
  type ApiKeyStore,
  type OAuth2TokenStore,
  type CounterStore,
  type JwtBlacklistStore,
  type KnoxTokenStore,
  type PermissionAdminStore,
  type PermissionStore,
  type SessionStore,
  type Store,
  type TokenStore,
  type UserStore,
} from "@portcullis/core";
import type { DjangoSessionTable, DjangoUserSource } from "@portcullis/core/sessions";
import { toSqlClient, type PostgresClient, type SqlClient } from "./client.js";
import { attempt, lookup, toStoreError } from "./_errors.js";
import { accountStore } from "./_accounts.js";
import { apiKeyStore } from "./_api-keys.js";
import { hit, purgeCounters, releaseHit } from "./_counters.js";
import * as django from "./_django-users.js";
import { djangoJwtBlacklistStore } from "./_django-jwt.js";
import { djangoSessionSource } from "./_django-sessions.js";
import { djangoOAuth2Store } from "./_django-oauth2.js";
import { jwtBlacklistStore } from "./_jwt-blacklist.js";
import { knoxTokenStore } from "./_knox.js";
import { sessionStore } from "./_sessions.js";
import * as djangoTokens from "./_django-tokens.js";
import * as perms from "./_permissions.js";
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
   * tokens Portcullis issues are kept hashed in `portcullis_django_tokens`; the JWT blacklist is simplejwt's own
   * `token_blacklist_*` tables; Django's `django_session` rows are served to `djangoSessionReader`; django-oauth-toolkit's
   * access tokens are read (never written) for `oauth2Auth` when its tables exist. Apply
   * `migrate(client, { django: true })` after Django's own migrations. Default `false`: Portcullis's own tables.
   */
  readonly django?: boolean;
  /**
   * Read the user's permissions in the token lookup itself (one statement, no second round trip for
   * `djangoModelPermissions` or `hasPerm` on that request's user), at the cost of a heavier lookup on every
   * token-authenticated request. Default `false`. Behind `tokenCache`, permissions then follow its `maxStalenessMs`.
   */
  readonly permissionsWithUser?: boolean;
}

type FindToken = (db: SqlClient, digest: string, withPermissions?: boolean) => Promise<tokens.FoundToken | null>;

/** `findToken` that, with `preload`, attaches the permissions read in the same statement to the user it answers. */
function finder(db: SqlClient, find: FindToken, preload: PermissionStore | null): TokenStore["findToken"] {
  if (preload === null) {
    // Every token-authenticated request's path: `lookup`'s rules (no query for a NUL, driver errors translated)
    // without its two extra async layers.
    return (digest) =>
      typeof digest === "string" && digest.includes("\0")
        ? Promise.resolve(null)
        : find(db, digest, false).catch((error: unknown) => {
            throw toStoreError("findToken", error);
          });
  }
  return (digest) =>
    lookup("findToken", [digest], null, async () => {
      const found = await find(db, digest, preload !== null);
      if (found === null) return null;
      if (preload !== null && found.permissions) preloadPermissions(preload, found.user, found.permissions);
      return { token: found.token, user: found.user };
    });
}

/** `postgresStore` on Portcullis's own tables: every capability, sessions and the JWT blacklist included. */
export type PostgresStore = Store & SessionStore & JwtBlacklistStore & PermissionStore & PermissionAdminStore & ApiKeyStore & AccountStore & KnoxTokenStore;

/**
 * `postgresStore` in Django mode: users, tokens, counters and simplejwt's blacklist, plus Django's `django_session`
 * and users for `djangoSessions({ secretKey, backend: store, users: store })`, accounts on `auth_user`'s own
 * `email`, `first_name`, `last_name` and `last_login` (dj-rest-auth's endpoints), and django-rest-knox's own
 * `knox_authtoken` rows (`KnoxTokenStore`) when knox is installed.
 */
export type PostgresDjangoStore = Store & JwtBlacklistStore & DjangoSessionTable & DjangoUserSource & PermissionStore & ApiKeyStore & AccountStore & OAuth2TokenStore & KnoxTokenStore;

/** The user capability on `db`. */
function userStore(db: SqlClient, isDjango: boolean): UserStore {
  const impl = isDjango ? django : users;
  return {
    createUser: (user) => attempt("createUser", () => impl.createUser(db, user)),
    getUserByUsername: (username) => lookup("getUserByUsername", [username], null, () => impl.getUserByUsername(db, username)),
    getUserById: (id) => lookup("getUserById", [id], null, () => impl.getUserById(db, id)),
    setPasswordHash: (userId, hash) => lookup("setPasswordHash", [userId], undefined, () => impl.setPasswordHash(db, userId, hash)),
  };
}

/** The token capability on `db`, in Portcullis's own tables. */
function tokenStore(db: SqlClient, preload: PermissionStore | null): TokenStore {
  return {
    createToken: (token, options) => attempt("createToken", () => tokens.createToken(db, token, options)),
    findToken: finder(db, tokens.findToken, preload),
    listTokens: (userId) => lookup("listTokens", [userId], [], () => tokens.listTokens(db, userId)),
    deleteToken: (id) => lookup("deleteToken", [id], false, async () => (await tokens.deleteWhere(db, "id = $1", id)) > 0),
    deleteUserTokens: (userId) => lookup("deleteUserTokens", [userId], 0, () => tokens.deleteWhere(db, "user_id = $1", userId)),
    deleteExpiredTokens: (now) =>
      attempt("deleteExpiredTokens", () => tokens.deleteWhere(db, "expires_at IS NOT NULL AND expires_at <= $1::float8", now)),
  };
}

/** The token capability on `db` in Django mode: Portcullis's hashed tokens and DRF's own. */
function djangoTokenStore(db: SqlClient, preload: PermissionStore | null): TokenStore {
  return {
    createToken: (token, options) => attempt("createToken", () => djangoTokens.createToken(db, token, options)),
    findToken: finder(db, djangoTokens.findToken, preload),
    listTokens: (userId) => lookup("listTokens", [userId], [], () => djangoTokens.listTokens(db, userId)),
    deleteToken: (id) => lookup("deleteToken", [id], false, () => djangoTokens.deleteToken(db, id)),
    deleteUserTokens: (userId) => lookup("deleteUserTokens", [userId], 0, () => djangoTokens.deleteUserTokens(db, userId)),
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

/** The permission capability on `db`: Django's five auth tables (read only) or Portcullis's own. */
function permissionStore(db: SqlClient, isDjango: boolean): PermissionStore {
  const read = isDjango ? perms.djangoPermissions : perms.permissions;
  return { getPermissions: (userId) => attempt("getPermissions", () => read(db, userId)) };
}

/** Writing permissions and groups in Portcullis's own tables (`PermissionAdminStore`). */
function permissionAdminStore(db: SqlClient): PermissionAdminStore {
  return {
    grantPermission: (subject, name) => attempt("grantPermission", () => perms.grant(db, subject, name)),
    revokePermission: (subject, name) => attempt("revokePermission", () => perms.revoke(db, subject, name)),
    addUserToGroup: (userId, group) => attempt("addUserToGroup", () => perms.join(db, userId, group)),
    removeUserFromGroup: (userId, group) => attempt("removeUserFromGroup", () => perms.leave(db, userId, group)),
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
export function postgresStore(client: PostgresClient, options?: PostgresStoreOptions & { readonly django?: false }): PostgresStore;
export function postgresStore(client: PostgresClient, options: PostgresStoreOptions & { readonly django: true }): PostgresDjangoStore;
export function postgresStore(client: PostgresClient, options?: PostgresStoreOptions): PostgresStore | PostgresDjangoStore;
export function postgresStore(client: PostgresClient, options: PostgresStoreOptions = {}): PostgresStore | PostgresDjangoStore {
  const db = toSqlClient(client);
  const isDjango = options?.django === true;
  // The store object itself is what permission checks name (`djangoModelPermissions({ store })`): preloads are
  // attached for it, so a permission asked of another store never takes them.
  const store = { ...permissionStore(db, isDjango) } as PostgresStore & PostgresDjangoStore;
  const preload = options?.permissionsWithUser === true ? store : null;
  if (isDjango) {
    return Object.assign(store, userStore(db, true), djangoTokenStore(db, preload), counterStore(db), djangoJwtBlacklistStore(db), djangoSessionSource(db), apiKeyStore(db), djangoOAuth2Store(db), knoxTokenStore(db, true), accountStore(db, true));
  }
  return Object.assign(store, userStore(db, false), tokenStore(db, preload), counterStore(db), sessionStore(db), jwtBlacklistStore(db), permissionAdminStore(db), apiKeyStore(db), knoxTokenStore(db, false), accountStore(db, false));
}
