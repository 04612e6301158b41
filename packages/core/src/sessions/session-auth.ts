/**
 * `sessionAuth`: DRF's `SessionAuthentication`. A request without a valid session for an active user is not this
 * scheme's (skip, and no CSRF check); a request with one is authenticated, and when its method is unsafe Django's
 * CSRF check runs first: a failure answers 403 `{"detail": "CSRF Failed: <Django's reason>"}` and stops the
 * chain. The scheme has no challenge, so a policy that lists it first answers 403 rather than 401, as DRF does.
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { permissionDenied } from "../auth-error.js";
import { ConfigError } from "../errors.js";
import { sha256Hex } from "../internal/sha256.js";
import type { Awaitable, SessionStore, User } from "../store/types.js";
import type { Scheme, SchemeResult } from "../schemes/types.js";
import { SKIP } from "../schemes/types.js";
import { requestCookie } from "./cookies.js";
import { csrfConfig, csrfReason, type CsrfConfig, type CsrfOptions } from "./csrf-check.js";

/** The `auth` of a session-authenticated request. Never holds the session key or its digest. */
export interface SessionAuthInfo {
  /** `"portcullis"` for sessions of a `SessionStore`, `"django"` for sessions that Django issued. */
  readonly source: "portcullis" | "django";
  /** The stored session's id (`null` for Django's sessions, whose key is the only id). */
  readonly id: string | null;
  readonly userId: string;
  /** Epoch ms; `null` when unknown (Django's sessions). */
  readonly expiresAt: number | null;
}

/** Reads sessions that Django issued (see `djangoSessionReader`): the active or inactive user, or `null`. */
export interface DjangoSessionReader {
  read(sessionKey: string, ctx: AuthContext): Promise<User | null>;
}

/** Options of `sessionAuth`. At least one of `sessions` and `django` is required. */
export interface SessionAuthOptions {
  /** Portcullis's own sessions (made by `sessionLoginHandler`). */
  readonly sessions?: Pick<SessionStore, "findSession" | "deleteSession">;
  /** Sessions that Django issued, read-only, during a migration (tried after `sessions`). */
  readonly django?: DjangoSessionReader;
  /** `SESSION_COOKIE_NAME`, default `"sessionid"`. */
  readonly cookieName?: string;
  /** Django's CSRF settings (trusted origins, cookie and header names). */
  readonly csrf?: CsrfOptions;
  /** Reported as `scheme`; default `"session"`. */
  readonly name?: string;
}

/** The keys Portcullis issues: 32 characters of `[a-z0-9]`, as Django's. */
export const SESSION_KEY = /^[a-z0-9]{32}$/;

/**
 * The digest under which a session key is stored (SHA-256, lowercase hex).
 * @example
 * await store.findSession(sessionDigest(cookieValue));
 */
export function sessionDigest(key: string): string {
  return sha256Hex(key);
}

/** The user of a request's session (native first, then Django's), or `null`; the `auth` for it. */
async function findUser(
  options: SessionAuthOptions,
  key: string,
  ctx: AuthContext,
): Promise<{ user: User; auth: SessionAuthInfo } | null> {
  const { sessions, django } = options;
  if (sessions && SESSION_KEY.test(key)) {
    const found = await sessions.findSession(sessionDigest(key));
    if (found !== null && found.session.expiresAt > nowOf(ctx)) {
      const { id, userId, expiresAt } = found.session;
      return { user: found.user, auth: { source: "portcullis", id, userId, expiresAt } };
    }
    if (found !== null) ctx.waitUntil?.(sessions.deleteSession(found.session.id).catch(() => false));
  }
  const user = django ? await django.read(key, ctx) : null;
  return user === null ? null : { user, auth: { source: "django", id: null, userId: user.id, expiresAt: null } };
}

/**
 * Session authentication with Django's CSRF protection.
 * @example
 * const session = sessionAuth({ sessions: store, csrf: { trustedOrigins: ["https://*.example.com"] } });
 * const policy = routePolicies({ schemes: [tokenAuth({ store }), session] }); // Token first: see the README
 */
export function sessionAuth(options: SessionAuthOptions): Scheme<User, SessionAuthInfo> {
  const { sessions, django, cookieName = "sessionid", name = "session" } = options ?? {};
  if (sessions === undefined && django === undefined) throw new ConfigError("sessions", "pass a session store, a Django reader, or both");
  if (sessions !== undefined && typeof sessions?.findSession !== "function") throw new ConfigError("sessions", "must be a Portcullis session store");
  if (django !== undefined && typeof django?.read !== "function") throw new ConfigError("django", "must be a djangoSessionReader(...)");
  if (typeof cookieName !== "string" || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(cookieName)) throw new ConfigError("cookieName", "must be a cookie name");
  const csrf: CsrfConfig = csrfConfig(options.csrf);

  // No session cookie (a token-authenticated request) is answered without a promise.
  function authenticate(request: Request, ctx: AuthContext): Awaitable<SchemeResult<User, SessionAuthInfo>> {
    const key = requestCookie(request, cookieName);
    if (key === null || key === "") return SKIP;
    return withSession(request, key, ctx);
  }

  async function withSession(request: Request, key: string, ctx: AuthContext): Promise<SchemeResult<User, SessionAuthInfo>> {
    const found = await findUser(options, key, ctx);
    // DRF: no user, or an inactive one, is "unauthenticated, CSRF validation not required".
    if (found === null || !found.user.isActive) return SKIP;
    const reason = await csrfReason(request, csrf);
    if (reason !== null) {
      const detail = `CSRF Failed: ${reason}`;
      return { type: "failure", detail, error: permissionDenied(detail) };
    }
    return { type: "success", user: found.user, auth: found.auth };
  }

  return { name, authenticate };
}
