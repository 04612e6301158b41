/**
 * Mounting the token endpoints on a Hono app.
 * @module
 */
import type { AuthContext, BruteForceOptions, CounterStore, EventHook, PasswordHashers, TokenStore, UserStore } from "@portcullis/core";
import { logoutAllHandler, logoutHandler, obtainTokenHandler } from "@portcullis/core";
import type { Context, Env, Hono } from "hono";
import { type EnvContext, perEnv } from "./_decide.js";
import { runtimeClientIp, runtimeWaitUntil } from "./_hono-conn.js";
import { markPolicy } from "./_hono-policy.js";

/** Options of `mountTokenEndpoints`. */
export interface TokenEndpointsOptions {
  /** The store, or a function of the context that answers it (e.g. `(c) => d1Store(c.env.DB)`), once per `c.env`. */
  readonly store: EndpointStore | ((c: EnvContext) => EndpointStore);
  /**
   * Where the login endpoint counts failed logins (brute-force protection), e.g. `redisCounters(redis)` when
   * users and tokens live elsewhere. Default: `store`, when it is also a counter store.
   */
  readonly counters?: Pick<CounterStore, "hit" | "releaseHit">;
  readonly ttlMs?: number;
  /** Live tokens per user before a login answers 403. Default 100 (core's); `null` for no cap. */
  readonly maxTokensPerUser?: number | null;
  /** Brute-force protection of the login endpoint (core's defaults: 5 failures/min per username, 20 per IP). */
  readonly bruteForce?: BruteForceOptions | false;
  /** Django's release and `PASSWORD_HASHERS` for logins (`passwordHashers(...)` from core); default Django 5.2's. */
  readonly passwordHashers?: PasswordHashers;
  /** The `Authorization` keyword the logout endpoints accept. Default `"Token"`; `"Bearer"` for Bearer tokens. */
  readonly keyword?: string;
  /** The client IP (counted by brute-force protection). Default: the runtime's address, never `X-Forwarded-For`. */
  readonly clientIp?: (c: Context) => string | undefined;
  /** Receives the endpoints' auth events (logins, issued and revoked tokens, store failures). */
  readonly onEvent?: EventHook;
  /** Paths; defaults `/api-token-auth/`, `/api/logout/`, `/api/logoutall/`. */
  readonly paths?: { readonly obtain?: string; readonly logout?: string; readonly logoutAll?: string };
}

/** Users and tokens (of one backend); counters come from `counters` or, by default, from this store too. */
export type EndpointStore = UserStore & TokenStore;

type Handlers = ReturnType<typeof buildHandlers>;

function buildHandlers(store: EndpointStore, options: TokenEndpointsOptions) {
  const { ttlMs, maxTokensPerUser, bruteForce, keyword, counters, onEvent, passwordHashers } = options;
  return {
    obtain: obtainTokenHandler({ store, counters, ttlMs, maxTokensPerUser, bruteForce, onEvent, passwordHashers }),
    logout: logoutHandler({ store, keyword, onEvent }),
    logoutAll: logoutAllHandler({ store, keyword, onEvent }),
  };
}

/**
 * Mounts DRF's `obtain_auth_token` and knox-style logout / logout-all on an app (all `POST`; other methods
 * answer 405 from core).
 * @example
 * mountTokenEndpoints(app, { store: (c) => d1Store(c.env.DB), ttlMs: 30 * 86_400_000 });
 */
export function mountTokenEndpoints<E extends Env>(app: Hono<E>, options: TokenEndpointsOptions): Hono<E> {
  const { store } = options;
  const fixed = typeof store === "function" ? null : buildHandlers(store, options);
  const cache = perEnv<Handlers>();
  const handlersFor = (c: Context): Handlers =>
    fixed ?? cache(c.env, (view) => buildHandlers((store as (c: EnvContext) => EndpointStore)(view), options));
  const clientIp = options.clientIp ?? runtimeClientIp;
  const ctx = (c: Context): AuthContext => ({ clientIp: clientIp(c), waitUntil: runtimeWaitUntil(c), env: c.env });
  const paths = { obtain: "/api-token-auth/", logout: "/api/logout/", logoutAll: "/api/logoutall/", ...options.paths };
  // Each endpoint decides access itself (the login is public; logout authenticates its own token): a policy.
  app.all(paths.obtain, markPolicy((c: Context) => handlersFor(c).obtain(c.req.raw, ctx(c))));
  app.all(paths.logout, markPolicy((c: Context) => handlersFor(c).logout(c.req.raw, ctx(c))));
  app.all(paths.logoutAll, markPolicy((c: Context) => handlersFor(c).logoutAll(c.req.raw, ctx(c))));
  return app;
}
