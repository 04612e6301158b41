/**
 * `memoryStore()`: a Portcullis `Store` held in the memory of one process.
 * @module
 */
import {
  ConfigError,
  StoreError,
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
import { ApiKeys } from "./_api-keys.js";
import { oauth2Methods, type MemoryOAuth2Store } from "./_oauth2.js";
import { Counters } from "./_counters.js";
import { JwtBlacklist } from "./_jwt-blacklist.js";
import { KnoxTokens } from "./_knox.js";
import { Permissions } from "./_permissions.js";
import { Sessions, sessionRecordOf } from "./_sessions.js";
import { Tokens, recordOf } from "./_tokens.js";
import { Users } from "./_users.js";

/**
 * Options of `memoryStore`.
 * @example
 * ```ts
 * const store = memoryStore({ sweepEveryHits: 10_000 });
 * ```
 */
export interface MemoryStoreOptions {
  /** Sweep expired counters (as `purgeCounters` does) once every this many recorded hits. Defaults to 1000. */
  readonly sweepEveryHits?: number;
}

/** Validates the options once; never mutates the caller's object. */
function sweepEveryHitsOf(options: MemoryStoreOptions): number {
  const value = options.sweepEveryHits ?? 1000;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError("sweepEveryHits", "must be a positive integer");
  }
  return value;
}

/**
 * A `Store` kept in a `Map` per table. Every operation is synchronous under the hood, so counters and
 * `maxPerUser` are atomic within the process; state is lost on restart and not shared between processes or
 * isolates. Counter state per key is bounded by its limit; expired counters are swept every
 * `sweepEveryHits` hits and by `purgeCounters`. It also has the session capability (`SessionStore`), the
 * permission capability (`PermissionStore`, `PermissionAdminStore`), the account capability (`AccountStore`) and
 * API keys (`ApiKeyStore`), knox tokens (`KnoxTokenStore`), and OAuth2 access tokens for a resource server
 * (`OAuth2TokenStore`, seeded with `putOAuth2AccessToken`).
 * @param options see `MemoryStoreOptions`.
 * @throws ConfigError when `sweepEveryHits` is not a positive integer.
 * @example
 * ```ts
 * import { hashPassword, tokenAuth, basicAuth } from "@portcullis/core";
 * import { memoryStore } from "@portcullis/store-memory";
 *
 * const store = memoryStore();
 * await store.createUser({ username: "alice", passwordHash: await hashPassword("s3cret") });
 * const schemes = [tokenAuth({ store }), basicAuth({ users: store })];
 * ```
 */
export function memoryStore(
  options: MemoryStoreOptions = {},
): Store & JwtBlacklistStore & SessionStore & PermissionStore & PermissionAdminStore & AccountStore & ApiKeyStore & MemoryOAuth2Store & KnoxTokenStore {
  const users = new Users();
  const tokens = new Tokens();
  const counters = new Counters(sweepEveryHitsOf(options));
  const sessions = new Sessions();
  return {
    createUser: async (user) => users.create(user),
    getUserByUsername: async (username) => users.byUsername(username),
    getUserById: async (id) => users.byId(id),
    setPasswordHash: async (userId, passwordHash) => users.setPasswordHash(userId, passwordHash),
    createToken: async (token, createOptions) => {
      // Mirrors the foreign key of SQL stores: a token always belongs to an existing user.
      if (!users.has(token.userId)) throw new StoreError("createToken: the token's user does not exist");
      return tokens.create(token, createOptions);
    },
    // Answered directly, without a promise: `tokenAuth` and `authenticate()` then check a token in one promise.
    findToken: (digest) => {
      const token = tokens.byDigest(digest);
      const user = token && users.byId(token.userId);
      return token && user ? { token: recordOf(token), user } : null;
    },
    listTokens: async (userId) => tokens.list(userId),
    deleteToken: async (tokenId) => tokens.delete(tokenId),
    deleteUserTokens: async (userId) => tokens.deleteOfUser(userId),
    deleteExpiredTokens: async (now) => tokens.deleteExpired(now),
    hit: async (key, hitOptions) => counters.hit(key, hitOptions),
    releaseHit: async (key, { at }) => counters.release(key, at),
    purgeCounters: async (now) => counters.purge(now),
    ...new JwtBlacklist().methods(),
    createSession: async (session) => {
      if (!users.has(session.userId)) throw new StoreError("createSession: the session's user does not exist");
      sessions.create(session);
    },
    findSession: async (digest) => {
      const session = sessions.byDigest(digest);
      const user = session && users.byId(session.userId);
      return session && user ? { session: sessionRecordOf(session), user } : null;
    },
    deleteSession: async (sessionId) => sessions.delete(sessionId),
    deleteUserSessions: async (userId) => sessions.deleteWhere((session) => session.userId === userId),
    deleteExpiredSessions: async (now) => sessions.deleteWhere((session) => session.expiresAt <= now),
    ...new Permissions(users).methods(),
    ...accountMethods(users),
    ...new ApiKeys().methods(),
    ...oauth2Methods(users),
    ...new KnoxTokens(users).methods(),
  };
}
