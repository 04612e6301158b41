/**
 * `d1Store(db)`: a Portcullis `Store` on Cloudflare D1. Every method is one SQL statement (one round trip);
 * counters and `maxPerUser` are atomic because each is a single statement.
 * @module
 */
import {
  ConfigError,
  type AccountStore,
  type ApiKeyStore,
  type JwtBlacklistStore,
  type KnoxTokenStore,
  type PermissionAdminStore,
  type PermissionStore,
  type SessionStore,
  type Store,
} from "@portcullis/core";
import { accountMethods } from "./_accounts.js";
import { apiKeyMethods } from "./_api-keys.js";
import type { D1DatabaseLike } from "./d1-types.js";
import { attempt } from "./_errors.js";
import { hit, purgeCounters, releaseHit } from "./_counters.js";
import { jwtBlacklistMethods } from "./_jwt-blacklist.js";
import { knoxMethods } from "./_knox.js";
import { permissionMethods } from "./_permissions.js";
import { createSession, deleteSessionsWhere, findSession } from "./_sessions.js";
import { createToken, deleteWhere, findToken, listTokens } from "./_tokens.js";
import { createUser, getUserById, getUserByUsername, setPasswordHash } from "./_users.js";

/**
 * A `Store` with the session (`SessionStore`), API key (`ApiKeyStore`) and knox (`KnoxTokenStore`) capabilities on a D1 database whose schema is `migrations/`
 * (apply it with `wrangler d1 migrations apply` or `migrate(db)`). D1 failures throw `StoreError` (with D1's error as `cause`); a taken username, id or
 * digest throws `ConflictError`. Creating a token for an unknown user is a foreign-key failure (`StoreError`).
 * @param db the D1 binding (`env.DB`) or a session of it.
 * @throws ConfigError when `db` is not a D1 database.
 * @example
 * ```ts
 * import { guard, toResponse, tokenAuth } from "@portcullis/core";
 * import { d1Store } from "@portcullis/store-d1";
 *
 * export default {
 *   async fetch(request: Request, env: { DB: D1Database }) {
 *     const store = d1Store(env.DB);
 *     const decision = await guard({ schemes: [tokenAuth({ store })] })(request);
 *     return decision.allowed ? new Response(`Hello ${decision.user.username}`) : toResponse(decision.error);
 *   },
 * };
 * ```
 */
export function d1Store(db: D1DatabaseLike): Store & JwtBlacklistStore & SessionStore & PermissionStore & PermissionAdminStore & ApiKeyStore & KnoxTokenStore & AccountStore {
  if (typeof db?.prepare !== "function" || typeof db.batch !== "function") {
    throw new ConfigError("db", "must be a D1 database binding (such as env.DB)");
  }
  return {
    createUser: (user) => attempt("createUser", () => createUser(db, user)),
    getUserByUsername: (username) => attempt("getUserByUsername", () => getUserByUsername(db, username)),
    getUserById: (id) => attempt("getUserById", () => getUserById(db, id)),
    setPasswordHash: (userId, hash) => attempt("setPasswordHash", () => setPasswordHash(db, userId, hash)),
    createToken: (token, options) => attempt("createToken", () => createToken(db, token, options)),
    findToken: (digest) => attempt("findToken", () => findToken(db, digest)),
    listTokens: (userId) => attempt("listTokens", () => listTokens(db, userId)),
    deleteToken: (tokenId) => attempt("deleteToken", async () => (await deleteWhere(db, "id = ?1", tokenId)) > 0),
    deleteUserTokens: (userId) => attempt("deleteUserTokens", () => deleteWhere(db, "user_id = ?1", userId)),
    deleteExpiredTokens: (now) =>
      attempt("deleteExpiredTokens", () => deleteWhere(db, "expires_at IS NOT NULL AND expires_at <= ?1", now)),
    hit: (key, options) => attempt("hit", () => hit(db, key, options)),
    releaseHit: (key, { at }) => attempt("releaseHit", () => releaseHit(db, key, at)),
    purgeCounters: (now) => attempt("purgeCounters", () => purgeCounters(db, now)),
    ...jwtBlacklistMethods(db, attempt),
    createSession: (session) => attempt("createSession", () => createSession(db, session)),
    findSession: (digest) => attempt("findSession", () => findSession(db, digest)),
    deleteSession: (id) => attempt("deleteSession", async () => (await deleteSessionsWhere(db, "id = ?1", id)) > 0),
    deleteUserSessions: (userId) => attempt("deleteUserSessions", () => deleteSessionsWhere(db, "user_id = ?1", userId)),
    deleteExpiredSessions: (now) => attempt("deleteExpiredSessions", () => deleteSessionsWhere(db, "expires_at <= ?1", now)),
    ...permissionMethods(db, attempt),
    ...apiKeyMethods(db, attempt),
    ...knoxMethods(db, attempt),
    ...accountMethods(db, attempt),
  };
}
