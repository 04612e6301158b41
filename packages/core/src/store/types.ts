/**
 * The storage interfaces, one per capability: `UserStore` (users and password hashes), `TokenStore` (hashed API
 * tokens, joined with their users) and `CounterStore` (atomic sliding-log counters for throttles and brute-force
 * protection). `Store` is all three. A scheme, throttle or endpoint asks for exactly the capabilities it uses, so a
 * deployment may keep users and tokens in one backend and counters in another.
 *
 * Stores persist and fetch; they never hash, compare or decide. Every method answers a promise (`findToken`, the
 * token check's one read, may also answer its value directly: see `Awaitable`), "not found" is `null`, and a
 * backend failure throws `StoreError` (with `cause`), synchronously or as a rejection. Each capability has one conformance suite
 * (`@portcullis/testing`); every store runs the suites of the capabilities it implements.
 * @module
 */

/**
 * A value, or a promise of it. What an in-process store or scheme may answer where the caller is on the hot path
 * (`TokenStore.findToken`, `Scheme.authenticate`): the caller awaits only a promise, so a direct answer costs no
 * microtask. Callers that simply `await` it work with both.
 * @example
 * const answer = store.findToken(digest); // Awaitable<{ token: TokenRecord; user: User } | null>
 * const found = await answer;              // a value or a promise alike
 */
export type Awaitable<T> = T | Promise<T>;

/** A user as Portcullis sees it. Ids are strings (Django's integer ids are kept as their decimal text). */
export interface User {
  readonly id: string;
  readonly username: string;
  readonly isActive: boolean;
  readonly isStaff: boolean;
  /**
   * Django's `is_superuser`: `true` for a superuser, absent otherwise (stores leave it out rather than write
   * `false`). Informational: permission checks
   * (`djangoModelPermissions`, `hasPerm`) ask the `PermissionStore`, which reads the flag from the row itself.
   */
  readonly isSuperuser?: boolean;
}

/** What `UserStore.getUserByUsername` answers: the user, and apart from it the Django-format password hash. */
export interface UserCredentials {
  readonly user: User;
  readonly passwordHash: string;
}

/** Input of `UserStore.createUser`. */
export interface NewUser {
  readonly username: string;
  /** A Django-format hash (`hashPassword(...)`), or an unusable one (starting with `!`). */
  readonly passwordHash: string;
  /** Defaults to `true`. */
  readonly isActive?: boolean;
  /** Defaults to `false`. */
  readonly isStaff?: boolean;
  /** Defaults to `false`. Stores with a permission capability make an active superuser hold every permission. */
  readonly isSuperuser?: boolean;
  /** Defaults to a new random id. Imports from Django pass the old id here. */
  readonly id?: string;
}

/**
 * A token record: what `issueToken` returns as `token`, what `listTokens` lists and what a token-authenticated
 * request carries as `auth`. It never holds the key or its digest. Times are epoch milliseconds.
 */
export interface TokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly name: string | null;
  readonly createdAt: number;
  /** `null` for a token that never expires. */
  readonly expiresAt: number | null;
}

/** A token as stored: the record plus the SHA-256 digest (lowercase hex) of its key. */
export interface StoredToken extends TokenRecord {
  readonly digest: string;
}

/** Options of `TokenStore.createToken`. */
export interface CreateTokenOptions {
  /** Refuse (answer `false`) when the user already holds this many unexpired tokens; checked atomically. */
  readonly maxPerUser?: number;
  /** The clock used to tell expired tokens from live ones for `maxPerUser`. */
  readonly now: number;
}

/** Options of `CounterStore.hit`: one sliding-log counter. */
export interface HitOptions {
  /** At most this many recorded hits live in any window. */
  readonly limit: number;
  readonly windowMs: number;
  /** The current time, epoch ms (from `ctx.now`). */
  readonly now: number;
  /** Only look: answer as if hitting, but record nothing. */
  readonly dryRun?: boolean;
}

/**
 * The answer of `CounterStore.hit`. `allowed` is true when fewer than `limit` hits lie in `(now - windowMs, now]`;
 * then (unless `dryRun`) the hit at `now` was recorded. `oldest` is the earliest live hit after the call
 * (epoch ms), `null` when there is none; `count` is the number of live hits after the call.
 */
export interface HitResult {
  readonly allowed: boolean;
  readonly count: number;
  readonly oldest: number | null;
}

/** The user capability: users and their password hashes. */
export interface UserStore {
  /** Creates a user; throws `ConflictError` when the username (or the given id) is taken. */
  createUser(user: NewUser): Promise<User>;
  /** The user with this exact username (case-sensitive, as Django), and apart from it its password hash. */
  getUserByUsername(username: string): Promise<UserCredentials | null>;
  getUserById(id: string): Promise<User | null>;
  /** Replaces a user's password hash (used to upgrade outdated hashes after a login). */
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;
}

/**
 * The token capability: hashed API tokens. Tokens belong to users of the same backend (`findToken` joins them in
 * one round trip), so a `TokenStore` is always paired with a `UserStore` of the same database.
 */
export interface TokenStore {
  /**
   * Stores a token. Answers `false`, storing nothing, when `maxPerUser` is set and reached (atomically).
   * Throws `ConflictError` when the digest or id already exists.
   */
  createToken(token: StoredToken, options: CreateTokenOptions): Promise<boolean>;
  /**
   * The token with this digest joined with its user, in one round trip; expired tokens are still returned. An
   * in-process store may answer directly instead of with a promise (the memory store does); a failure is a
   * `StoreError`, thrown or rejected alike.
   */
  findToken(digest: string): Awaitable<{ token: TokenRecord; user: User } | null>;
  /** The user's tokens, oldest first, without digests. */
  listTokens(userId: string): Promise<TokenRecord[]>;
  /** Deletes one token; answers whether it existed. */
  deleteToken(tokenId: string): Promise<boolean>;
  /** Deletes every token of a user; answers how many. */
  deleteUserTokens(userId: string): Promise<number>;
  /** Deletes tokens whose `expiresAt <= now`; answers how many. */
  deleteExpiredTokens(now: number): Promise<number>;
}

/** The counter capability: atomic sliding-log counters (throttles, brute-force protection). */
export interface CounterStore {
  /** One atomic sliding-log step on the counter `key` (see `HitOptions`). State per key never exceeds `limit`. */
  hit(key: string, options: HitOptions): Promise<HitResult>;
  /**
   * Takes back one recorded hit: removes, atomically, ONE entry of the counter `key` whose timestamp is exactly
   * `at` (the most recent such entry), so that its slot is free again; answers whether one was removed. An
   * unknown key or timestamp changes nothing and answers `false`. `at` is the `now` of that hit, exactly. Used
   * to reserve a slot with `hit` before slow work and give it back when the work should not count (a
   * successful login).
   */
  releaseHit(key: string, options: { readonly at: number }): Promise<boolean>;
  /**
   * Deletes every counter whose newest hit has left its window (`newest <= now - windowMs`, with the window of
   * that counter's last `hit`); answers how many. Stores may also purge on their own.
   */
  purgeCounters(now: number): Promise<number>;
}

/** Every capability in one backend: what `memoryStore()` and `d1Store()` answer. */
export interface Store extends UserStore, TokenStore, CounterStore {}

/**
 * An outstanding refresh (or sliding) token as the JWT blacklist keeps it: simplejwt's `OutstandingToken` row
 * without the token itself (only its `jti`). `family` ties the refresh tokens of one login together through their
 * rotations (the `jti` of the first one). Times are epoch milliseconds.
 */
export interface OutstandingJwt {
  readonly jti: string;
  /** The user's id; `null` when unknown (simplejwt's `user_id` is nullable). */
  readonly userId: string | null;
  readonly family: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** The outcome of `JwtBlacklistStore.rotateJwt`. */
export type JwtRotation =
  /** The old token was live and is now spent; the new one is outstanding in the same family. */
  | "rotated"
  /** The old token was already spent by an earlier rotation: every token of its family is now blacklisted. */
  | "reused"
  /** The old token is blacklisted; nothing changed. */
  | "blacklisted";

/**
 * The JWT blacklist capability (simplejwt's `token_blacklist` app): outstanding refresh tokens, blacklisted `jti`s,
 * and atomic rotation with reuse detection.
 */
export interface JwtBlacklistStore {
  /** Records an outstanding token (a login). Throws `ConflictError` when the `jti` exists. */
  addOutstandingJwt(token: OutstandingJwt): Promise<void>;
  /** Whether this `jti` is blacklisted. */
  isJwtBlacklisted(jti: string): Promise<boolean>;
  /**
   * Blacklists a token, recording it as outstanding first when it is unknown (simplejwt's `get_or_create` of both
   * rows); answers whether it was newly blacklisted. When the token was already spent by a rotation, every token
   * of its family is blacklisted too (a thief may hold the successor), whatever the answer.
   */
  blacklistJwt(token: OutstandingJwt, now: number): Promise<boolean>;
  /**
   * One atomic rotation step. If `old` is live (recorded first when unknown), it is marked spent (and blacklisted
   * when `blacklistOld`), and `next` becomes outstanding in `old`'s family: `"rotated"`. If `old` was already
   * spent, the whole family is blacklisted: `"reused"`. If it is blacklisted: `"blacklisted"`. Of any number of
   * concurrent rotations of one token, exactly one answers `"rotated"`.
   */
  rotateJwt(old: OutstandingJwt, next: OutstandingJwt, options: { readonly now: number; readonly blacklistOld: boolean }): Promise<JwtRotation>;
  /** Blacklists every unexpired outstanding token of a user (logout everywhere); answers how many. */
  blacklistUserJwts(userId: string, now: number): Promise<number>;
  /** Deletes outstanding tokens (and their blacklist entries) with `expiresAt <= now`; answers how many. */
  deleteExpiredJwts(now: number): Promise<number>;
}
/**
 * A login session as Portcullis stores it: what a session-authenticated request carries as `auth`, without the
 * session key or its digest. Times are epoch milliseconds.
 */
export interface SessionRecord {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** A session as stored: the record plus the SHA-256 digest (lowercase hex) of its key (the `sessionid` cookie). */
export interface StoredSession extends SessionRecord {
  readonly digest: string;
}

/**
 * The session capability: login sessions of `sessionAuth`, stored by the digest of their key (never the key).
 * Sessions belong to users of the same backend (`findSession` joins them in one round trip).
 */
export interface SessionStore {
  /** Stores a session; throws `ConflictError` when its digest or id exists. Its user must exist (else `StoreError`). */
  createSession(session: StoredSession): Promise<void>;
  /** The session with this digest joined with its user; expired sessions are still returned. */
  findSession(digest: string): Promise<{ session: SessionRecord; user: User } | null>;
  /** Deletes one session; answers whether it existed. */
  deleteSession(sessionId: string): Promise<boolean>;
  /** Deletes every session of a user (e.g. after a password change); answers how many. */
  deleteUserSessions(userId: string): Promise<number>;
  /** Deletes sessions whose `expiresAt <= now`; answers how many. */
  deleteExpiredSessions(now: number): Promise<number>;
}

/**
 * What `PermissionStore.getPermissions` answers, as Django's `ModelBackend.get_all_permissions` does: the user's
 * own and group permissions as `"app_label.codename"` strings. An active superuser holds every permission, even
 * ones that exist nowhere (Django's `has_perm` answers `True` before asking a backend): `all` is then `true` and
 * `names` is empty, so "all" never lists anything. An inactive or unknown user holds none.
 */
export interface UserPermissions {
  readonly all: boolean;
  readonly names: ReadonlySet<string>;
}

/**
 * The permission capability (Django's `auth_permission`, `auth_group`, `auth_group_permissions`,
 * `auth_user_groups`, `auth_user_user_permissions` and `is_superuser`), read in ONE round trip per call.
 */
export interface PermissionStore {
  /** The user's permissions (see `UserPermissions`), read live: a change shows on the next call. */
  getPermissions(userId: string): Promise<UserPermissions>;
}

/** Whom a permission is granted to: a user (by id) or a group (by its unique name). */
export type PermissionSubject = { readonly userId: string } | { readonly group: string };

/**
 * Writing permissions and groups, for stores with their own tables (memory, D1, PostgreSQL own tables; Django
 * mode is read-only: Django's admin owns those tables). Permission names are `"app_label.codename"`, checked by
 * the caller (`isPermissionName`). A group is created by its first grant or member.
 */
export interface PermissionAdminStore {
  /** Grants a permission; answers whether it was new. A user subject must exist (else `StoreError`). */
  grantPermission(subject: PermissionSubject, permission: string): Promise<boolean>;
  /** Revokes a permission; answers whether it was held. */
  revokePermission(subject: PermissionSubject, permission: string): Promise<boolean>;
  /** Adds a user (who must exist, else `StoreError`) to a group; answers whether they were not in it yet. */
  addUserToGroup(userId: string, group: string): Promise<boolean>;
  /** Removes a user from a group; answers whether they were in it. */
  removeUserFromGroup(userId: string, group: string): Promise<boolean>;
}

/**
 * A user's account: the fields of Django's `auth_user` beyond `User` that password reset (`email`, `last_login`,
 * the password hash) and dj-rest-auth's `user/` endpoint (`first_name`, `last_name`) need. Times are epoch ms.
 */
export interface UserAccount {
  readonly user: User;
  readonly passwordHash: string;
  /** `""` when none (Django's default). */
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  /** `null` for never. */
  readonly lastLogin: number | null;
}

/** The fields `AccountStore.updateAccount` may change; omitted fields stay. */
export interface AccountUpdate {
  readonly username?: string;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
}

/**
 * The account capability (password reset and dj-rest-auth): a user's e-mail, names and last login. Paired with a
 * `UserStore` of the same backend; a new user has `""` for e-mail and names and `null` for `lastLogin`.
 */
export interface AccountStore {
  /** The account of a user id, or `null`. */
  getAccount(userId: string): Promise<UserAccount | null>;
  /**
   * The accounts of ACTIVE users whose e-mail equals `email` case-insensitively (Django's `email__iexact`,
   * `is_active=True`), at most `limit` of them (default 10), in id order.
   */
  findAccountsByEmail(email: string, options?: { readonly limit?: number }): Promise<UserAccount[]>;
  /** Changes the given fields; throws `ConflictError` when the new username is taken. Unknown user: no change. */
  updateAccount(userId: string, update: AccountUpdate): Promise<void>;
  /** Records a login (Django's `update_last_login`). */
  setLastLogin(userId: string, at: number): Promise<void>;
}

// ---- API keys (issue #26) -------------------------------------------------------------------------------------

/**
 * An API key as `apiKeyAuth` hands it to the app (`auth`) and `listApiKeys` lists it: never the key or its digest.
 * `id` is the key's public lookup part. `ownerId` is a user's or an organisation's id (no foreign key: owners may
 * live elsewhere). Times are epoch milliseconds.
 */
export interface ApiKeyRecord {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string | null;
  /** Scopes granted to the key (`hasScope` reads them), in the order they were given. */
  readonly scopes: readonly string[];
  readonly createdAt: number;
  /** `null` for a key that never expires. A rotated key gets its grace-period end here. */
  readonly expiresAt: number | null;
  /** When the key last authenticated, written at most once per interval; `null` when never. */
  readonly lastUsedAt: number | null;
}

/** An API key as stored: the record plus the SHA-256 digest (lowercase hex) of the whole key. */
export interface StoredApiKey extends ApiKeyRecord {
  readonly digest: string;
}

/** What `ApiKeyStore.rotateApiKey` answers. */
export type ApiKeyRotation = "rotated" | "conflict" | "missing";

/** The API key capability: keys looked up by their public id, their secret kept only as a digest. */
export interface ApiKeyStore {
  /** Stores a key; throws `ConflictError` when its id or digest exists. */
  createApiKey(key: StoredApiKey): Promise<void>;
  /** The key with this id, digest included (the scheme compares it in constant time); expired keys too. */
  findApiKey(id: string): Promise<StoredApiKey | null>;
  /** The owner's keys, oldest first, without digests. */
  listApiKeys(ownerId: string): Promise<ApiKeyRecord[]>;
  /**
   * Moves a key's expiry to `expiresAt` unless it already expires earlier (never extends it); answers whether the
   * key exists. Used by rotation for the grace period.
   */
  expireApiKey(id: string, expiresAt: number): Promise<boolean>;
  /**
   * Rotates key `id` atomically: when it exists, has not expired at `now` and has not been rotated before, marks it
   * rotated, moves its expiry to `expiresAt` (never later) and stores `replacement`, all or nothing, and answers
   * `"rotated"`. Otherwise it changes nothing and answers `"conflict"` (already rotated, still in its grace period)
   * or `"missing"` (no such key, or it has expired). Of any number of concurrent rotations exactly one answers
   * `"rotated"`; a rotation racing `deleteApiKey` never leaves a replacement of a deleted key.
   */
  rotateApiKey(id: string, replacement: StoredApiKey, expiresAt: number, now: number): Promise<ApiKeyRotation>;
  /**
   * Sets `lastUsedAt = at` only when it is `null` or `<= at - minIntervalMs` (one conditional statement, so
   * concurrent requests write it once); answers whether it wrote.
   */
  touchApiKey(id: string, at: number, minIntervalMs: number): Promise<boolean>;
  /** Deletes one key; answers whether it existed. */
  deleteApiKey(id: string): Promise<boolean>;
  /** Deletes keys whose `expiresAt <= now`; answers how many. */
  deleteExpiredApiKeys(now: number): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------------------
// OAuth2 access tokens (django-oauth-toolkit's `oauth2_provider_accesstoken`), read by a resource server.

/**
 * An OAuth2 access token as a store (or an introspection answer) hands it to `oauth2Auth`: never the token itself.
 * `user` is `null` for a client-credentials token (DOT's `request.user` is then `None`).
 */
export interface StoredOAuth2AccessToken {
  /** The row id (DOT's `id`), or `introspection` for a token answered by an introspection endpoint. */
  readonly id: string;
  /** The granted scopes, space-separated, as DOT's `scope` column holds them. */
  readonly scope: string;
  /** Expiry, epoch ms; DOT treats a missing expiry as expired, so `null` is expired too. */
  readonly expiresAt: number | null;
  /** DOT's `application_id` (`null` for an introspected token or a token without an application). */
  readonly applicationId: string | null;
  /** The application's public `client_id`, when known. */
  readonly clientId: string | null;
  /** The token's user, joined in the same lookup; `null` for a client-credentials token. */
  readonly user: User | null;
}

/** The OAuth2 token capability: a resource server's read of access tokens by `token_checksum` (SHA-256 hex). */
export interface OAuth2TokenStore {
  /** The access token whose `token_checksum` is `checksum` (64 lowercase hex), its user joined; expired ones too. */
  findOAuth2AccessToken(checksum: string): Promise<StoredOAuth2AccessToken | null>;
}

/**
 * A django-rest-knox 5 token as knox's `knox_authtoken` holds it: `digest` is the SHA-512 hex of the whole token
 * (knox's primary key; the token itself is never stored), `tokenKey` its first 15 characters (knox's indexed
 * `token_key`, used only to find candidates). Times are epoch milliseconds; `expiresAt` is `null` for no expiry.
 */
export interface KnoxTokenRecord {
  readonly digest: string;
  readonly tokenKey: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
}

/** What `KnoxTokenStore.findKnoxTokens` answers per candidate: the token, its user, and knox's cleanup hint. */
export interface FoundKnoxToken {
  readonly token: KnoxTokenRecord;
  readonly user: User;
  /** Whether the user holds a token with `expiresAt < now` (knox deletes those on every check). */
  readonly userHasExpired: boolean;
}

/** The knox capability: knox's token rows, found by `tokenKey` (several may share one) and joined with the user. */
export interface KnoxTokenStore {
  /**
   * Stores a token. With `maxPerUser`, answers `false` (storing nothing) when the user already holds that many
   * tokens with `expiresAt > now` (knox's `TOKEN_LIMIT_PER_USER` count: tokens without expiry do not count), checked
   * atomically. Throws `ConflictError` when the digest exists.
   */
  createKnoxToken(token: KnoxTokenRecord, options: { readonly maxPerUser?: number; readonly now: number }): Promise<boolean>;
  /** Every token whose `tokenKey` is exactly this, each joined with its user, in one round trip (expired ones too). */
  findKnoxTokens(tokenKey: string, now: number): Promise<FoundKnoxToken[]>;
  /** Deletes the user's tokens with `expiresAt < now` (knox's `_cleanup_token`); answers how many. */
  deleteExpiredKnoxTokens(userId: string, now: number): Promise<number>;
  /** Sets a token's expiry (knox's `AUTO_REFRESH` save); answers whether it exists. */
  renewKnoxToken(digest: string, expiresAt: number): Promise<boolean>;
  /** Deletes one token (knox's `LogoutView`); answers whether it existed. */
  deleteKnoxToken(digest: string): Promise<boolean>;
  /** Deletes every token of a user (knox's `LogoutAllView`); answers how many. */
  deleteUserKnoxTokens(userId: string): Promise<number>;
}
