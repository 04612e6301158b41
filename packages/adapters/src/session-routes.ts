/**
 * Mounting the session endpoints on a Hono app: login, logout, and a CSRF endpoint for single-page apps.
 * @module
 */
import type { AuthContext, BruteForceOptions, CounterStore, PasswordHashers, SessionStore, UserStore } from "@portcullis/core";
import type { CsrfOptions, SessionCookieOptions } from "@portcullis/core/sessions";
import { csrfToken, sessionLoginHandler, sessionLogoutHandler } from "@portcullis/core/sessions";
import type { Context, Env, Hono } from "hono";
import { type EnvContext, perEnv } from "./_decide.js";
import { markPolicy } from "./_hono-policy.js";
import { runtimeClientIp, runtimeWaitUntil } from "./_hono-conn.js";

/** A store with users and sessions (and, usually, counters for brute-force protection). */
export type SessionEndpointsStore = UserStore & SessionStore & Partial<Pick<CounterStore, "hit" | "releaseHit">>;

/** Options of `mountSessionEndpoints`. */
export interface SessionEndpointsOptions {
  /** The store, or a function of the context that answers it (e.g. `(c) => d1Store(c.env.DB)`), once per `c.env`. */
  readonly store: SessionEndpointsStore | ((c: EnvContext) => SessionEndpointsStore);
  /** Brute-force protection of the login endpoint (core's defaults: 5 failures/min per username, 20 per IP). */
  readonly bruteForce?: BruteForceOptions | false;
  /** Django's release and `PASSWORD_HASHERS` for logins (`passwordHashers(...)` from core); default Django 5.2's. */
  readonly passwordHashers?: PasswordHashers;
  /** Django's CSRF settings; pass the same ones to `sessionAuth`. */
  readonly csrf?: CsrfOptions;
  /** The `sessionid` cookie; pass the same name to `sessionAuth` (`cookieName`) when you change it. */
  readonly cookie?: SessionCookieOptions;
  /** Redirects after login and logout (for HTML forms); default: JSON and 204. */
  readonly redirects?: { readonly login?: string; readonly logout?: string };
  /** The client IP (counted by brute-force protection). Default: the runtime's address, never `X-Forwarded-For`. */
  readonly clientIp?: (c: Context) => string | undefined;
  /** Paths; defaults `/api/auth/login/`, `/api/auth/logout/`, `/api/auth/csrf/`. */
  readonly paths?: { readonly login?: string; readonly logout?: string; readonly csrf?: string };
}

function buildHandlers(store: SessionEndpointsStore, options: SessionEndpointsOptions) {
  const { bruteForce, csrf, cookie, redirects, passwordHashers } = options;
  return {
    login: sessionLoginHandler({ store, bruteForce, csrf, cookie, redirectTo: redirects?.login, passwordHashers }),
    logout: sessionLogoutHandler({ sessions: store, csrf, cookie, redirectTo: redirects?.logout }),
  };
}

type Handlers = ReturnType<typeof buildHandlers>;

/**
 * Mounts `POST` login and logout (other methods answer 405 from core) and `GET` CSRF, which sets the
 * `csrftoken` cookie and answers `{"csrfToken": <masked token>}` (Django's `ensure_csrf_cookie` + `get_token`).
 * @example
 * mountSessionEndpoints(app, { store: (c) => d1Store(c.env.DB), csrf: { trustedOrigins: ["https://app.example.com"] } });
 */
export function mountSessionEndpoints<E extends Env>(app: Hono<E>, options: SessionEndpointsOptions): Hono<E> {
  const { store } = options;
  const fixed = typeof store === "function" ? null : buildHandlers(store, options);
  const cache = perEnv<Handlers>();
  const handlersFor = (c: Context): Handlers =>
    fixed ?? cache(c.env, (view) => buildHandlers((store as (c: EnvContext) => SessionEndpointsStore)(view), options));
  const clientIp = options.clientIp ?? runtimeClientIp;
  const ctx = (c: Context): AuthContext => ({ clientIp: clientIp(c), waitUntil: runtimeWaitUntil(c), env: c.env });
  const paths = { login: "/api/auth/login/", logout: "/api/auth/logout/", csrf: "/api/auth/csrf/", ...options.paths };
  const secure = options.cookie?.secure;
  // Each endpoint is public by design and checks its own request (credentials, CSRF): a policy of its own.
  app.all(paths.login, markPolicy((c: Context) => handlersFor(c).login(c.req.raw, ctx(c))));
  app.all(paths.logout, markPolicy((c: Context) => handlersFor(c).logout(c.req.raw, ctx(c))));
  app.get(paths.csrf, markPolicy((c: Context) => {
    const { token, setCookie } = csrfToken(c.req.raw, { ...options.csrf, secure });
    c.header("Set-Cookie", setCookie, { append: true });
    c.header("Cache-Control", "no-store");
    return c.json({ csrfToken: token });
  }));
  return app;
}
