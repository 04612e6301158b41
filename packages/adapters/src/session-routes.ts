/**
 * Mounting the session endpoints on a Hono app: login, logout, and a CSRF endpoint for single-page apps, on
 * Portcullis's sessions or (`django`) on Django's own `django_session` rows.
 * @module
 */
import { allowHeader, type AuthContext, type BruteForceOptions, type CounterStore, type PasswordHashers, type SessionStore, type UserStore } from "@portcullis/core";
import type { CsrfOptions, DjangoSessions, SessionCookieOptions } from "@portcullis/core/sessions";
import { csrfToken, sessionLoginHandler, sessionLogoutHandler } from "@portcullis/core/sessions";
import type { Context, Env, Hono } from "hono";
import { type EnvContext, perEnv } from "./_decide.js";
import { markPolicy } from "./_hono-policy.js";
import { runtimeClientIp, runtimeWaitUntil } from "./_hono-conn.js";

/** A store with users and sessions (and, usually, counters for brute-force protection). */
export type SessionEndpointsStore = UserStore & SessionStore & Partial<Pick<CounterStore, "hit" | "releaseHit">>;

/** With `django`, the store needs only users (and, usually, counters): the sessions are Django's. */
export type DjangoSessionEndpointsStore = UserStore & Partial<Pick<CounterStore, "hit" | "releaseHit">>;

/** Options of `mountSessionEndpoints` shared by both session backends. */
interface SessionEndpointsCommon {
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

/**
 * Options of `mountSessionEndpoints`: Portcullis's own sessions (`store` with sessions), or, with `django`,
 * Django's own database sessions (`djangoSessions(...)` from `@portcullis/core/sessions`), which Django's
 * middleware accepts: login writes a `django_session` row, logout deletes it, for both halves.
 */
export type SessionEndpointsOptions =
  | (SessionEndpointsCommon & {
      /** The store, or a function of the context that answers it (e.g. `(c) => d1Store(c.env.DB)`), once per `c.env`. */
      readonly store: SessionEndpointsStore | ((c: EnvContext) => SessionEndpointsStore);
      readonly django?: undefined;
    })
  | (SessionEndpointsCommon & {
      /** Where users are checked (Django's `auth_user` in Django mode), or a function of the context, once per `c.env`. */
      readonly store: DjangoSessionEndpointsStore | ((c: EnvContext) => DjangoSessionEndpointsStore);
      /** Django's sessions (`djangoSessions(...)`), or a function of the context that answers them, once per `c.env`. */
      readonly django: DjangoSessions | ((c: EnvContext) => DjangoSessions);
    });

function buildHandlers(store: SessionEndpointsStore | DjangoSessionEndpointsStore, django: DjangoSessions | undefined, options: SessionEndpointsOptions) {
  const { bruteForce, csrf, cookie, redirects, passwordHashers } = options;
  if (django !== undefined) {
    return {
      login: sessionLoginHandler({ store, django, bruteForce, csrf, cookie, redirectTo: redirects?.login, passwordHashers }),
      logout: sessionLogoutHandler({ django, csrf, cookie, redirectTo: redirects?.logout }),
    };
  }
  const own = store as SessionEndpointsStore;
  return {
    login: sessionLoginHandler({ store: own, bruteForce, csrf, cookie, redirectTo: redirects?.login, passwordHashers }),
    logout: sessionLogoutHandler({ sessions: own, csrf, cookie, redirectTo: redirects?.logout }),
  };
}

type Handlers = ReturnType<typeof buildHandlers>;

/**
 * Mounts `POST` login and logout and `GET` CSRF, which sets the `csrftoken` cookie and answers
 * `{"csrfToken": <masked token>}` (Django's `ensure_csrf_cookie` + `get_token`). Other methods answer 405 with
 * DRF's body and `Allow`. With `django: djangoSessions(...)` the sessions are Django's own rows.
 * @example
 * mountSessionEndpoints(app, { store: (c) => d1Store(c.env.DB), csrf: { trustedOrigins: ["https://app.example.com"] } });
 */
export function mountSessionEndpoints<E extends Env>(app: Hono<E>, options: SessionEndpointsOptions): Hono<E> {
  const { store, django } = options;
  const storeOf = (view: EnvContext) => (typeof store === "function" ? store(view) : store);
  const djangoOf = (view: EnvContext) => (typeof django === "function" ? django(view) : django);
  const fixed = typeof store === "function" || typeof django === "function" ? null : buildHandlers(store, django, options);
  const cache = perEnv<Handlers>();
  const handlersFor = (c: Context): Handlers => fixed ?? cache(c.env, (view) => buildHandlers(storeOf(view), djangoOf(view), options));
  const clientIp = options.clientIp ?? runtimeClientIp;
  const ctx = (c: Context): AuthContext => ({ clientIp: clientIp(c), waitUntil: runtimeWaitUntil(c), env: c.env });
  const paths = { login: "/api/auth/login/", logout: "/api/auth/logout/", csrf: "/api/auth/csrf/", ...options.paths };
  const secure = options.cookie?.secure;
  // Each endpoint is public by design and checks its own request (credentials, CSRF): a policy of its own.
  app.all(paths.login, markPolicy((c: Context) => handlersFor(c).login(c.req.raw, ctx(c))));
  app.all(paths.logout, markPolicy((c: Context) => handlersFor(c).logout(c.req.raw, ctx(c))));
  app.all(paths.csrf, markPolicy((c: Context) => {
    const method = c.req.raw.method;
    if (method !== "GET" && method !== "HEAD") {
      return c.json({ detail: `Method "${method}" not allowed.` }, 405, { Allow: allowHeader(["GET"]) });
    }
    const { token, setCookie } = csrfToken(c.req.raw, { ...options.csrf, secure });
    c.header("Set-Cookie", setCookie, { append: true });
    c.header("Cache-Control", "no-store");
    return c.json({ csrfToken: token });
  }));
  return app;
}
