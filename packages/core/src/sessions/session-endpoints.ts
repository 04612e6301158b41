/**
 * `sessionLoginHandler` and `sessionLogoutHandler`: Django's login and logout for a browser front-end, as JSON,
 * form or multipart `POST`s. Login checks the password behind brute-force protection, deletes the request's old
 * session and creates a new one (Django's `cycle_key`), rotates the CSRF secret (`rotate_token`) and sets the
 * `sessionid` and `csrftoken` cookies; logout deletes the session and clears its cookie.
 * @module
 */
import { nowOf, type AuthContext } from "../context.js";
import { permissionDenied, throttled } from "../auth-error.js";
import { ConfigError } from "../errors.js";
import { parseBody } from "../endpoints/body.js";
import { validateCredentials } from "../endpoints/fields.js";
import { guardedHandler, methodNotAllowed } from "../endpoints/http.js";
import type { Handler } from "../endpoints/obtain-token.js";
import { checkStoreCredentials, throttledLogin } from "../login/credentials.js";
import { passwordHashersOf, type PasswordHashers } from "../passwords/index.js";
import type { BruteForceOptions } from "../login/login-throttle.js";
import { hasLoginCounters, loginThrottle } from "../login/login-throttle.js";
import { randomHex } from "../internal/random.js";
import { jsonResponse, toResponse } from "../response.js";
import type { CounterStore, SessionStore, User, UserStore } from "../store/types.js";
import { requestCookie } from "./cookies.js";
import { csrfConfig, csrfReason, type CsrfOptions } from "./csrf-check.js";
import { maskCsrfSecret, newCsrfSecret, randomAlphanumeric } from "./csrf-token.js";
import { SESSION_KEY, sessionAuth, sessionDigest } from "./session-auth.js";
import type { DjangoSessions } from "./django-session-writer.js";
import { clearSessionCookie, csrfCookie, sessionCookie, sessionCookieConfig, type SessionCookieOptions } from "./session-config.js";

/** Options of `sessionLoginHandler`. */
export interface SessionLoginOptions {
  /** Where users are checked and sessions stored (sessions only without `django`). */
  readonly store: Pick<UserStore, "getUserByUsername" | "setPasswordHash"> & Partial<Pick<SessionStore, "createSession" | "findSession" | "deleteSession">>;
  /** Write Django's own database sessions instead (`djangoSessions(...)`), which Django's middleware accepts. */
  readonly django?: DjangoSessions;
  /** Where brute-force counters live. Default: `store`, when it is also a counter store. */
  readonly counters?: Pick<CounterStore, "hit" | "releaseHit">;
  /** Failed logins per username (default 5/min) and per client IP (default 20/min); `false` turns it off. */
  readonly bruteForce?: BruteForceOptions | false;
  /** The `sessionid` cookie and the session's lifetime (Django's defaults). */
  readonly cookie?: SessionCookieOptions;
  /** Django's CSRF settings; the login itself is CSRF-checked (as Django's `LoginView`) unless `csrfCheck: false`. */
  readonly csrf?: CsrfOptions;
  /** Check CSRF on the login request (login CSRF). Default `true`. */
  readonly csrfCheck?: boolean;
  /** After a successful login, answer 302 to this URL (for HTML forms) instead of 200 JSON. */
  readonly redirectTo?: string;
  /**
   * Django's release and `PASSWORD_HASHERS` (`passwordHashers({ compat, hashers })`): which hashes verify and when a
   * successful login rewrites one. Default Django 5.2's `pbkdf2_sha256` at 1,000,000 iterations.
   */
  readonly passwordHashers?: PasswordHashers;
}

/** Options of `sessionLogoutHandler`. */
export interface SessionLogoutOptions {
  /** Portcullis's own sessions; at least one of `sessions` and `django` is required. */
  readonly sessions?: Pick<SessionStore, "findSession" | "deleteSession">;
  /** Django's own database sessions (`djangoSessions(...)`): logging out deletes the row, for both halves. */
  readonly django?: DjangoSessions;
  readonly cookie?: SessionCookieOptions;
  readonly csrf?: CsrfOptions;
  /** After logout, answer 302 to this URL instead of 204. */
  readonly redirectTo?: string;
}

const BAD_CREDENTIALS = { non_field_errors: ["Unable to log in with provided credentials."] };
const KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

function validateRedirect(redirectTo: unknown): void {
  if (redirectTo !== undefined && (typeof redirectTo !== "string" || !/^\/(?![/\\])\S*$/.test(redirectTo))) {
    throw new ConfigError("redirectTo", "must be a local path such as \"/\"");
  }
}

/** The response of a successful login or logout: JSON or a redirect, with the cookies. */
function answer(body: unknown, status: number, cookies: readonly string[], redirectTo: string | undefined): Response {
  const response = redirectTo
    ? new Response(null, { status: 302, headers: { Location: redirectTo } })
    : body === null ? new Response(null, { status }) : jsonResponse(body, status);
  for (const cookie of cookies) response.headers.append("Set-Cookie", cookie);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

/**
 * The login endpoint. 200 `{"user": {"id", "username"}, "csrfToken": <masked token>}` with the `sessionid` and
 * `csrftoken` cookies (or 302 to `redirectTo`); 400 with DRF's field errors or `Unable to log in with provided
 * credentials.`; 403 `CSRF Failed: …`; 429 when brute-force protection blocks; 405, 413, 415; 503 on a store failure.
 * @example
 * const login = sessionLoginHandler({ store, csrf: { trustedOrigins: ["https://app.example.com"] } });
 * app.post("/api/auth/login/", (c) => login(c.req.raw));
 */
export function sessionLoginHandler(options: SessionLoginOptions): Handler {
  const { store, django, csrfCheck = true, redirectTo } = options ?? ({} as SessionLoginOptions);
  if (django !== undefined && typeof django?.start !== "function") throw new ConfigError("django", "must be djangoSessions(...)");
  if (typeof store?.getUserByUsername !== "function" || (django === undefined && typeof store.createSession !== "function")) {
    throw new ConfigError("store", "must be a Portcullis store with users and sessions");
  }
  validateRedirect(redirectTo);
  const cookie = sessionCookieConfig(options.cookie);
  const csrf = csrfConfig(options.csrf);
  const throttle = loginThrottle(options.bruteForce, options.counters ?? (hasLoginCounters(store) ? store : undefined));
  const hashers = passwordHashersOf(options.passwordHashers);

  /** Creates the new session and answers the cookies and body; the request's old session is deleted first. */
  async function startSession(request: Request, user: User, ctx: AuthContext): Promise<Response> {
    const old = requestCookie(request, cookie.name);
    const now = nowOf(ctx);
    let key: string;
    if (django !== undefined) {
      if (old !== null) await django.end(old);
      key = await django.start(user, ctx, cookie.ageSeconds);
    } else {
      if (old !== null && SESSION_KEY.test(old)) {
        const found = await store.findSession!(sessionDigest(old));
        if (found !== null) await store.deleteSession!(found.session.id);
      }
      key = randomAlphanumeric(32, KEY_CHARS);
      await store.createSession!({ id: randomHex(16), digest: sessionDigest(key), userId: user.id, createdAt: now, expiresAt: now + cookie.ageSeconds * 1000 });
    }
    const secret = newCsrfSecret();
    const cookies = [sessionCookie(request, cookie, key, now), csrfCookie(request, csrf, cookie.secure, secret, now)];
    return answer({ user: { id: user.id, username: user.username }, csrfToken: maskCsrfSecret(secret) }, 200, cookies, redirectTo);
  }

  return guardedHandler(async (request, ctx) => {
    if (request.method !== "POST") return methodNotAllowed(request.method);
    const reason = csrfCheck ? await csrfReason(request, csrf) : null;
    if (reason !== null) return toResponse(permissionDenied(`CSRF Failed: ${reason}`));
    const body = await parseBody(request);
    if (!body.ok) return jsonResponse(body.body, body.status);
    const credentials = validateCredentials(body.data);
    if (!credentials.ok) return jsonResponse(credentials.errors, 400);
    const { username, password } = credentials;
    const { user, blockedForMs } = await throttledLogin(throttle, username, ctx, () => checkStoreCredentials(store, username, password, ctx, hashers));
    if (user === null) return blockedForMs ? toResponse(throttled(blockedForMs / 1000)) : jsonResponse(BAD_CREDENTIALS, 400);
    return startSession(request, user, ctx);
  });
}

/**
 * The logout endpoint (`POST`): a request with a valid session must pass the CSRF check (403 otherwise, and the
 * session stays); its session is deleted, whatever its user's state (a deactivated user's session too, as Django's
 * `flush`). The session cookie is cleared in every other case too; 204 (or 302 to `redirectTo`). A Django session
 * (`django: djangoSessions(...)`) is deleted from Django's table, for both halves.
 * @example
 * app.post("/api/auth/logout/", (c) => sessionLogoutHandler({ sessions: store })(c.req.raw));
 */
export function sessionLogoutHandler(options: SessionLogoutOptions): Handler {
  const { sessions, django, redirectTo } = options ?? ({} as SessionLogoutOptions);
  if (sessions !== undefined && typeof sessions?.deleteSession !== "function") throw new ConfigError("sessions", "must be a Portcullis session store");
  if (django !== undefined && typeof django?.end !== "function") throw new ConfigError("django", "must be djangoSessions(...)");
  validateRedirect(redirectTo);
  const cookie = sessionCookieConfig(options.cookie);
  const scheme = sessionAuth({ sessions, django, cookieName: cookie.name, csrf: options.csrf });
  const csrf = csrfConfig(options.csrf);
  return guardedHandler(async (request, ctx) => {
    if (request.method !== "POST") return methodNotAllowed(request.method);
    const result = await scheme.authenticate(request, ctx);
    if (result.type === "failure") return toResponse(result.error ?? permissionDenied(result.detail));
    if (result.type === "success" && result.auth.id !== null) await sessions?.deleteSession(result.auth.id);
    if (result.type === "success" && result.auth.source === "django") await django?.end(requestCookie(request, cookie.name) ?? "");
    if (result.type === "skip") {
      // Django's logout flushes the session whatever the user's state: a deactivated (or expired) session is
      // deleted too, after the CSRF check Django's middleware runs on every POST, so reactivation revives nothing.
      const key = requestCookie(request, cookie.name);
      const found = sessions !== undefined && key !== null && SESSION_KEY.test(key) ? await sessions.findSession(sessionDigest(key)) : null;
      const reason = key === null ? null : await csrfReason(request, csrf);
      if (found !== null) {
        if (reason !== null) return toResponse(permissionDenied(`CSRF Failed: ${reason}`));
        await sessions?.deleteSession(found.session.id);
      }
      if (django !== undefined && key !== null && reason === null) await django.end(key);
    }
    return answer(null, 204, [clearSessionCookie(request, cookie)], redirectTo);
  });
}
