/**
 * Reading sessions that Django issued, read-only, during a migration: the database backend (a `django_session`
 * row's `session_data`, from a `DjangoSessionSource` such as the PostgreSQL store in Django mode) and the
 * `signed_cookies` backend (the cookie itself; no database). A session counts only if its `_auth_user_hash`
 * matches the user's CURRENT password hash (Django's `get_session_auth_hash`), so a password change still logs
 * other sessions out, and only if its `_auth_user_backend` is one of `authenticationBackends`.
 * @module
 */
import { compatOf, type Compat } from "../compat/compat.js";
import { nowOf, type AuthContext } from "../context.js";
import { ConfigError } from "../errors.js";
import { timingSafeEqualString } from "../internal/constant-time.js";
import type { User, UserCredentials } from "../store/types.js";
import { djangoLoads, saltedHmacSha256 } from "./django-signing.js";
import type { DjangoSessionReader } from "./session-auth.js";

/** Django's database session table, read-only: `session_data` of an unexpired `django_session` row. */
export interface DjangoSessionSource {
  /** `SELECT session_data FROM django_session WHERE session_key = $1 AND expire_date > $now`, or `null`. */
  getSessionData(sessionKey: string, now: number): Promise<string | null>;
}

/** Django's users with their current password hashes (`auth_user.password`), by primary key as text. */
export interface DjangoUserSource {
  getUserCredentialsById(id: string): Promise<UserCredentials | null>;
}

/** Options of `djangoSessionReader`. */
export interface DjangoSessionReaderOptions {
  /** Django's `SECRET_KEY`. */
  readonly secretKey: string;
  /** Django's `SECRET_KEY_FALLBACKS` (Django >= 4.1), tried after `secretKey`. */
  readonly secretKeyFallbacks?: readonly string[];
  /** `"signed_cookies"` (`SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"`) or the table. */
  readonly backend: "signed_cookies" | DjangoSessionSource;
  readonly users: DjangoUserSource;
  /** `SESSION_COOKIE_AGE` in seconds (the `max_age` of signed cookies), default 1,209,600. */
  readonly cookieAgeSeconds?: number;
  /** `AUTHENTICATION_BACKENDS`; default `["django.contrib.auth.backends.ModelBackend"]`. */
  readonly authenticationBackends?: readonly string[];
  /**
   * The releases the Django half runs (`compat({ django: "4.2" })`); default Django 5.2. `secretKeyFallbacks` are
   * tried only where that release tries them (`compat.sessions`: signed data from 4.1, `_auth_user_hash` 4.1.8).
   */
  readonly compat?: Compat;
}

/** The decoded session dictionary, or `null`. */
export type DjangoSessionData = Readonly<Record<string, unknown>>;

const DB_SALT = "django.contrib.sessions.SessionStore";
const COOKIE_SALT = "django.contrib.sessions.backends.signed_cookies";
const AUTH_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash";
/** Django's `VALID_KEY_CHARS` keys, at least 8 characters (`_validate_session_key`), at most the column's 40. */
const DB_KEY = /^[a-z0-9]{8,40}$/;

function asDict(value: unknown): DjangoSessionData | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as DjangoSessionData) : null;
}

/**
 * Decodes a `django_session.session_data` value (Django >= 3.1's signed format) with the secret keys.
 * @example
 * const data = await decodeDjangoSessionData(row.session_data, [SECRET_KEY]); // { _auth_user_id: "1", ... }
 */
export async function decodeDjangoSessionData(sessionData: string, keys: readonly string[]): Promise<DjangoSessionData | null> {
  return asDict(await djangoLoads(sessionData, { keys, salt: DB_SALT }));
}

/**
 * Decodes a `signed_cookies` session cookie; `null` when older than `maxAgeSeconds` (Django's `max_age`).
 * @example
 * const data = await decodeDjangoSignedCookie(cookie, [SECRET_KEY], 1_209_600, Date.now());
 */
export async function decodeDjangoSignedCookie(cookie: string, keys: readonly string[], maxAgeSeconds: number, now: number): Promise<DjangoSessionData | null> {
  return asDict(await djangoLoads(cookie, { keys, salt: COOKIE_SALT, maxAgeSeconds, now }));
}

/**
 * Django's `AbstractBaseUser.get_session_auth_hash` (SHA-256, hex) of a password hash, with one secret key.
 * @example
 * djangoSessionAuthHash(user.password, SECRET_KEY) === session._auth_user_hash;
 */
export function djangoSessionAuthHash(passwordHash: string, secretKey: string): string {
  return Array.from(saltedHmacSha256(AUTH_HASH_SALT, passwordHash, secretKey), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The user of a decoded session, after Django's checks; `null` when any fails. */
async function userOf(data: DjangoSessionData, keys: readonly string[], options: DjangoSessionReaderOptions): Promise<User | null> {
  const { _auth_user_id: id, _auth_user_backend: backend, _auth_user_hash: hash } = data;
  const backends = options.authenticationBackends ?? ["django.contrib.auth.backends.ModelBackend"];
  if (typeof id !== "string" || typeof hash !== "string" || hash === "" || typeof backend !== "string" || !backends.includes(backend)) return null;
  const found = await options.users.getUserCredentialsById(id);
  if (found === null) return null;
  let verified = false;
  for (const key of keys) verified = timingSafeEqualString(hash, djangoSessionAuthHash(found.passwordHash, key)) || verified;
  return verified ? found.user : null;
}

/**
 * A reader of Django's sessions for `sessionAuth({ django })`. Read-only: it never writes Django's sessions.
 * @example
 * const django = djangoSessionReader({ secretKey: env.DJANGO_SECRET_KEY, backend: pg.djangoSessions, users: pg });
 * const session = sessionAuth({ sessions: store, django });
 */
export function djangoSessionReader(options: DjangoSessionReaderOptions): DjangoSessionReader {
  const { secretKey, secretKeyFallbacks = [], backend, users, cookieAgeSeconds = 1_209_600 } = options ?? ({} as DjangoSessionReaderOptions);
  if (typeof secretKey !== "string" || secretKey === "") throw new ConfigError("secretKey", "must be Django's SECRET_KEY");
  if (!Array.isArray(secretKeyFallbacks) || secretKeyFallbacks.some((k) => typeof k !== "string" || k === "")) {
    throw new ConfigError("secretKeyFallbacks", "must be an array of non-empty strings");
  }
  if (backend !== "signed_cookies" && typeof backend?.getSessionData !== "function") throw new ConfigError("backend", 'must be "signed_cookies" or a DjangoSessionSource');
  if (typeof users?.getUserCredentialsById !== "function") throw new ConfigError("users", "must be a DjangoUserSource");
  if (!Number.isSafeInteger(cookieAgeSeconds) || cookieAgeSeconds <= 0) throw new ConfigError("cookieAgeSeconds", "must be a positive integer");
  const { sessions } = compatOf(options.compat);
  const signingKeys = sessions.signingFallbacks ? [secretKey, ...secretKeyFallbacks] : [secretKey];
  const hashKeys = sessions.sessionHashFallbacks ? [secretKey, ...secretKeyFallbacks] : [secretKey];
  return {
    async read(sessionKey: string, ctx: AuthContext): Promise<User | null> {
      const now = nowOf(ctx);
      let data: DjangoSessionData | null;
      if (backend === "signed_cookies") {
        data = sessionKey.length <= 4096 ? await decodeDjangoSignedCookie(sessionKey, signingKeys, cookieAgeSeconds, now) : null;
      } else {
        const row = DB_KEY.test(sessionKey) ? await backend.getSessionData(sessionKey, now) : null;
        data = row === null ? null : await decodeDjangoSessionData(row, signingKeys);
      }
      return data === null ? null : userOf(data, hashKeys, options);
    },
  };
}
