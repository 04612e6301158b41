/**
 * `djangoSessions`: Django's database sessions (`django_session`) as both halves' sessions. It reads them as
 * `djangoSessionReader` does and, given to `sessionLoginHandler` / `sessionLogoutHandler`, writes them as Django's
 * `login()` and `logout()` do: a row keyed by Django's own raw session key (as Django stores it), whose
 * `session_data` is Django's signed JSON of `_auth_user_id`, `_auth_user_backend` and `_auth_user_hash` (the
 * user's CURRENT password hash, so a password change on either side ends the other sessions, as Django does),
 * with `expire_date` now + `SESSION_COOKIE_AGE`. Django's `SessionMiddleware` + `AuthenticationMiddleware`
 * accept it; a logout on either side deletes the one row both halves read.
 * @module
 */
import { nowOf, type AuthContext } from "../context.js";
import { ConfigError, StoreError } from "../errors.js";
import type { User } from "../store/types.js";
import { djangoSessionAuthHash, djangoSessionReader, type DjangoSessionReaderOptions, type DjangoSessionSource } from "./django-session.js";
import { djangoDumps } from "./django-signing.js";
import { randomAlphanumeric } from "./csrf-token.js";
import type { DjangoSessionReader } from "./session-auth.js";

/** Django's `django_session` table, read and written row by row. */
export interface DjangoSessionTable extends DjangoSessionSource {
  /** Inserts a row (`expireDate` epoch ms); answers `false`, writing nothing, when the key is taken. */
  createSessionData(sessionKey: string, sessionData: string, expireDate: number): Promise<boolean>;
  /** Deletes the row of this key; answers whether it existed. */
  deleteSessionData(sessionKey: string): Promise<boolean>;
}

/** Options of `djangoSessions`: those of `djangoSessionReader`, with the table as `backend`. */
export interface DjangoSessionsOptions extends Omit<DjangoSessionReaderOptions, "backend"> {
  readonly backend: DjangoSessionTable;
}

/** Django's sessions, read and written (see the module). */
export interface DjangoSessions extends DjangoSessionReader {
  /** Django's `login()`: a new session for `user`, lasting `ageSeconds`; answers its key. */
  start(user: User, ctx: AuthContext, ageSeconds: number): Promise<string>;
  /** Django's `logout()` (`flush`): deletes the session of this key; answers whether it existed. */
  end(sessionKey: string): Promise<boolean>;
}

const DB_SALT = "django.contrib.sessions.SessionStore";
const KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
const DB_KEY = /^[a-z0-9]{8,40}$/;

/**
 * Django's database sessions for both halves (`sessionAuth({ django })`, `sessionLoginHandler({ django })`).
 * @example
 * const django = djangoSessions({ secretKey: env.DJANGO_SECRET_KEY, backend: store, users: store, compat: compat({ django: "4.2" }) });
 * const session = sessionAuth({ django });
 */
export function djangoSessions(options: DjangoSessionsOptions): DjangoSessions {
  const reader = djangoSessionReader(options);
  const { backend, users, secretKey, authenticationBackends } = options;
  if (typeof backend?.createSessionData !== "function" || typeof backend.deleteSessionData !== "function") {
    throw new ConfigError("backend", "must be Django's session table (a DjangoSessionTable, e.g. postgresStore in Django mode)");
  }
  const userBackend = authenticationBackends?.[0] ?? "django.contrib.auth.backends.ModelBackend";
  return {
    read: (sessionKey, ctx) => reader.read(sessionKey, ctx),
    async start(user, ctx, ageSeconds) {
      const found = await users.getUserCredentialsById(user.id);
      if (found === null) throw new ConfigError("users", "must hold the user who logged in");
      const now = nowOf(ctx);
      const data = { _auth_user_id: user.id, _auth_user_backend: userBackend, _auth_user_hash: djangoSessionAuthHash(found.passwordHash, secretKey) };
      const sessionData = djangoDumps(data, { secretKey, salt: DB_SALT, now });
      // Django's _get_new_session_key: 32 characters of [a-z0-9], retried while taken (a few times: 36^32 keys).
      for (let attempt = 0; attempt < 4; attempt++) {
        const key = randomAlphanumeric(32, KEY_CHARS);
        if (await backend.createSessionData(key, sessionData, now + ageSeconds * 1000)) return key;
      }
      throw new StoreError("django_session refused four new session keys");
    },
    end: async (sessionKey) => DB_KEY.test(sessionKey) && (await backend.deleteSessionData(sessionKey)),
  };
}
