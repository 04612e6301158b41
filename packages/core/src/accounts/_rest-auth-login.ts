/**
 * dj-rest-auth's `LoginView` and `LogoutView` in its three modes (internal; see `rest-auth.ts`).
 * @module
 */
import { nowOf, type AuthContext } from "../context.js";
import { throttled } from "../auth-error.js";
import { emitLogin, checkStoreCredentials, throttledLogin } from "../login/credentials.js";
import { hasLoginCounters, loginThrottle } from "../login/login-throttle.js";
import { randomHex } from "../internal/random.js";
import { jsonResponse, toResponse } from "../response.js";
import { issueToken } from "../tokens/tokens.js";
import { parseBody } from "../endpoints/body.js";
import { requestCookie } from "../sessions/cookies.js";
import { csrfConfig } from "../sessions/csrf-check.js";
import { newCsrfSecret, randomAlphanumeric } from "../sessions/csrf-token.js";
import { SESSION_KEY, sessionDigest } from "../sessions/session-auth.js";
import { clearSessionCookie, csrfCookie, sessionCookie, sessionCookieConfig } from "../sessions/session-config.js";
import { outstandingOf } from "../jwt/_endpoint.js";
import { jwtCookies, unsetJwtCookies } from "../jwt/jwt-cookies.js";
import { mintTokenPair } from "../jwt/mint.js";
import { verifyToken } from "../jwt/verify.js";
import type { JwtSettings } from "../jwt/settings.js";
import type { SessionStore, TokenRecord, TokenStore, User } from "../store/types.js";
import type { RestAuthConfig } from "./rest-auth.js";
import { isoDateTime, notAllowed, readValidated, userBody, withCookies } from "./_rest-auth-body.js";
import { loginSchema } from "./_fields.js";

const BAD_CREDENTIALS = { non_field_errors: ["Unable to log in with provided credentials."] };
const KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Django's `login()` for the session mode: a new session (the old one deleted), a new CSRF secret, 204. */
async function sessionLogin(config: RestAuthConfig, request: Request, user: User, ctx: AuthContext, now: number): Promise<Response> {
  const store = config.store as RestAuthConfig["store"] & SessionStore;
  const cookie = sessionCookieConfig(config.session);
  const old = requestCookie(request, cookie.name);
  let key: string;
  if (config.djangoSessions !== undefined) {
    // Django's login(): the old session row goes (flush or cycle_key), a new one holds the user.
    if (old !== null) await config.djangoSessions.end(old);
    key = await config.djangoSessions.start(user, ctx, cookie.ageSeconds);
  } else {
    if (old !== null && SESSION_KEY.test(old)) {
      const found = await store.findSession(sessionDigest(old));
      if (found !== null) await store.deleteSession(found.session.id);
    }
    key = randomAlphanumeric(32, KEY_CHARS);
    await store.createSession({ id: randomHex(16), digest: sessionDigest(key), userId: user.id, createdAt: now, expiresAt: now + cookie.ageSeconds * 1000 });
  }
  await store.setLastLogin(user.id, now);
  const csrf = csrfCookie(request, csrfConfig(config.csrf), cookie.secure, newCsrfSecret(), now);
  return withCookies(new Response(null, { status: 204 }), [csrf, sessionCookie(request, cookie, key, now)]);
}

/** The JWT mode's login body and cookies (`JWTSerializer`, `set_jwt_cookies`). */
async function jwtLogin(config: RestAuthConfig, request: Request, user: User, now: number): Promise<Response> {
  const jwt = config.jwt as JwtSettings;
  const account = await config.store.getAccount(user.id);
  if (account === null) return jsonResponse(BAD_CREDENTIALS, 400);
  const { refresh, access } = await mintTokenPair(jwt, { id: user.id, passwordHash: account.passwordHash }, { now });
  await config.blacklist?.addOutstandingJwt(outstandingOf(jwt, refresh.payload, now));
  const body: Record<string, unknown> = { access: access.token, refresh: config.cookies.httpOnly ? "" : refresh.token, user: userBody(account) };
  if (config.returnExpiration) {
    body.access_expiration = isoDateTime(now + jwt.accessTokenLifetimeMs);
    body.refresh_expiration = isoDateTime(now + jwt.refreshTokenLifetimeMs);
  }
  return withCookies(jsonResponse(body, 200), jwtCookies(request, config.cookies, jwt, { access: access.token, refresh: refresh.token }, now));
}

/** `LoginView.post`: username or e-mail and password, then the mode's answer. */
export function loginHandler(config: RestAuthConfig) {
  const { store } = config;
  const throttle = loginThrottle(config.bruteForce, hasLoginCounters(store) ? store : undefined);
  return async (request: Request, ctx: AuthContext): Promise<Response> => {
    const authed = await config.authenticate(request, ctx, false);
    if (authed instanceof Response) return authed;
    if (request.method !== "POST") return notAllowed(request.method, "POST, OPTIONS");
    const data = await readValidated(request, loginSchema);
    if (data instanceof Response) return data;
    let username = data.username ?? "";
    if (data.email) {
      const found = await store.findAccountsByEmail(data.email, { limit: 2 });
      if (found.length === 1) username = (found[0] as { user: User }).user.username;
    }
    const outcome = await throttledLogin(throttle, username, ctx, () => checkStoreCredentials(store, username, data.password, ctx, config.passwordHashers));
    emitLogin(ctx, "rest-auth-login", username, outcome);
    const { user, blockedForMs } = outcome;
    if (user === null || username === "") return blockedForMs ? toResponse(throttled(blockedForMs / 1000)) : jsonResponse(BAD_CREDENTIALS, 400);
    const now = nowOf(ctx);
    if (config.mode === "session") return sessionLogin(config, request, user, ctx, now);
    if (config.mode === "jwt") return jwtLogin(config, request, user, now);
    const { key } = await issueToken(store as RestAuthConfig["store"] & TokenStore, user.id, { now });
    return jsonResponse({ key }, 200);
  };
}

/** The JWT mode's logout with the blacklist: the refresh token (cookie or body) is blacklisted. */
async function blacklistRefresh(config: RestAuthConfig, request: Request, ctx: AuthContext): Promise<{ status: number; detail: string } | null> {
  const jwt = config.jwt as JwtSettings;
  let raw: unknown;
  if (config.cookies.httpOnly) {
    raw = config.cookies.refreshCookie === null ? null : requestCookie(request, config.cookies.refreshCookie);
    if (raw === null) return { status: 401, detail: "Refresh token was not included in cookie data." };
  } else {
    const body = await parseBody(request);
    const data = body.ok ? body.data : null;
    raw = typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>).refresh : undefined;
    if (raw === undefined) return { status: 401, detail: "Refresh token was not included in request data." };
  }
  const now = nowOf(ctx);
  const verified = await verifyToken(typeof raw === "string" ? raw : String(raw), jwt, "refresh", now, config.blacklist);
  if (!verified.ok) return { status: 401, detail: verified.message };
  await config.blacklist?.blacklistJwt(outstandingOf(jwt, verified.payload, now), now);
  return null;
}

/** `LogoutView`: deletes the request's token or session; with JWTs, clears the cookies and blacklists. */
export function logoutHandler(config: RestAuthConfig) {
  return async (request: Request, ctx: AuthContext): Promise<Response> => {
    const authed = await config.authenticate(request, ctx, false);
    if (authed instanceof Response) return authed;
    if (request.method === "GET" ? !config.logoutOnGet : request.method !== "POST") return notAllowed(request.method, "GET, POST, HEAD, OPTIONS");
    const { auth } = authed;
    if (config.mode === "token") {
      if (auth === null) return jsonResponse({ detail: "You should be logged in to logout. Check whether the token is passed." }, 400);
      const token = auth as Partial<TokenRecord>;
      if (typeof token.id === "string" && "createdAt" in token) await (config.store as TokenStore).deleteToken(token.id);
      return jsonResponse({ detail: "Successfully logged out." }, 200);
    }
    if (config.mode === "session") {
      const session = auth as { source?: string; id?: string | null } | null;
      if (session?.source === "portcullis" && typeof session.id === "string") await (config.store as SessionStore).deleteSession(session.id);
      const cookie = sessionCookieConfig(config.session);
      const key = requestCookie(request, cookie.name);
      if (session?.source === "django" && key !== null) await config.djangoSessions?.end(key);
      const cookies = requestCookie(request, cookie.name) === null ? [] : [clearSessionCookie(request, cookie)];
      return withCookies(jsonResponse({ detail: "Successfully logged out." }, 200), cookies);
    }
    let answer = { status: 200, detail: "Successfully logged out." };
    if (config.blacklist !== undefined) answer = (await blacklistRefresh(config, request, ctx)) ?? answer;
    else if (config.cookies.accessCookie === null) {
      answer = { status: 200, detail: "Neither cookies or blacklist are enabled, so the token has not been deleted server side. Please make sure the token is deleted client side." };
    }
    return withCookies(jsonResponse({ detail: answer.detail }, answer.status), unsetJwtCookies(config.cookies));
  };
}
