/**
 * Mounting simplejwt's endpoints on a Hono app.
 * @module
 */
import type { AuthContext, BruteForceOptions, EventHook, JwtBlacklistStore, PasswordHashers, Store, User } from "@portcullis/core";
import { errorToResponse } from "@portcullis/core";
import type { JwtSettings } from "@portcullis/core/jwt";
import {
  blacklistJwtHandler,
  obtainJwtPairHandler,
  obtainSlidingJwtHandler,
  refreshJwtHandler,
  refreshSlidingJwtHandler,
  verifyJwtHandler,
} from "@portcullis/core/jwt";
import type { Context, Env, Hono } from "hono";
import { markPolicy } from "./_hono-policy.js";
import { type EnvContext, perEnv } from "./_decide.js";
import { runtimeClientIp, runtimeWaitUntil } from "./_hono-conn.js";

/** A store with users, counters and the JWT blacklist (`memoryStore()`, `d1Store(db)`). */
export type JwtStore = Store & JwtBlacklistStore;

/** Options of `mountJwtEndpoints`. */
export interface JwtEndpointsOptions {
  /** The settings, from `jwtSettings({...})`, or a function of the context (to read `c.env`), once per `c.env`. */
  readonly jwt: JwtSettings | ((c: EnvContext) => JwtSettings);
  /** The store, or a function of the context (e.g. `(c) => d1Store(c.env.DB)`), once per `c.env`. */
  readonly store: JwtStore | ((c: EnvContext) => JwtStore);
  /** Brute-force protection of the obtain endpoints (core's defaults: 5 failures/min per username, 20 per IP). */
  readonly bruteForce?: BruteForceOptions | false;
  /** Django's release and `PASSWORD_HASHERS` for logins (`passwordHashers(...)` from core); default Django 5.2's. */
  readonly passwordHashers?: PasswordHashers;
  /** Extra claims of a user's tokens (simplejwt's `get_token` override). */
  readonly claims?: (user: User) => Readonly<Record<string, unknown>>;
  /** Also mount the sliding-token endpoints. Default `false`. */
  readonly sliding?: boolean;
  /** The client IP (counted by brute-force protection). Default: the runtime's address, never `X-Forwarded-For`. */
  readonly clientIp?: (c: Context) => string | undefined;
  /** Receives every endpoint's auth events: logins (`via: "jwt-obtain"`), tokens issued and revoked, store failures. */
  readonly onEvent?: EventHook;
  /** Paths; simplejwt's documented defaults `/api/token/`, `/api/token/refresh/`, ... */
  readonly paths?: Partial<Record<"obtain" | "refresh" | "verify" | "blacklist" | "obtainSliding" | "refreshSliding", string>>;
}

function buildHandlers(jwt: JwtSettings, store: JwtStore, options: JwtEndpointsOptions) {
  const { bruteForce, claims, onEvent, passwordHashers } = options;
  return {
    obtain: obtainJwtPairHandler({ jwt, store, blacklist: store, bruteForce, claims, onEvent, passwordHashers }),
    refresh: refreshJwtHandler({ jwt, users: store, blacklist: store, onEvent }),
    verify: verifyJwtHandler({ jwt, blacklist: store, onEvent }),
    blacklist: blacklistJwtHandler({ jwt, blacklist: store, onEvent }),
    obtainSliding: obtainSlidingJwtHandler({ jwt, store, blacklist: store, bruteForce, claims, onEvent }),
    refreshSliding: refreshSlidingJwtHandler({ jwt, users: store, blacklist: store, onEvent }),
  };
}

type Handlers = ReturnType<typeof buildHandlers>;

const DEFAULT_PATHS = {
  obtain: "/api/token/",
  refresh: "/api/token/refresh/",
  verify: "/api/token/verify/",
  blacklist: "/api/token/blacklist/",
  obtainSliding: "/api/token/sliding/",
  refreshSliding: "/api/token/sliding/refresh/",
} as const;

/**
 * Mounts simplejwt's obtain, refresh, verify and blacklist endpoints (and, with `sliding`, the sliding ones); all
 * `POST`, other methods answer 405 from core.
 * @example
 * mountJwtEndpoints(app, { jwt: (c) => jwtSettings({ signingKey: c.env.SECRET_KEY }), store: (c) => d1Store(c.env.DB) });
 */
export function mountJwtEndpoints<E extends Env>(app: Hono<E>, options: JwtEndpointsOptions): Hono<E> {
  const { jwt, store } = options;
  const cache = perEnv<Handlers>();
  // Fixed settings and store: build now, so a ConfigError surfaces when mounting, not at the first request.
  const fixed = typeof jwt === "function" || typeof store === "function" ? null : buildHandlers(jwt, store, options);
  const handlersFor = (c: Context): Handlers =>
    fixed ??
    cache(c.env, (view) => buildHandlers(typeof jwt === "function" ? jwt(view) : jwt, typeof store === "function" ? store(view) : store, options));
  const clientIp = options.clientIp ?? runtimeClientIp;
  const ctx = (c: Context): AuthContext => ({ clientIp: clientIp(c), waitUntil: runtimeWaitUntil(c), env: c.env });
  const paths = { ...DEFAULT_PATHS, ...options.paths };
  const names = options.sliding ? (Object.keys(DEFAULT_PATHS) as (keyof Handlers)[]) : (["obtain", "refresh", "verify", "blacklist"] as const);
  for (const name of names) {
    // Each endpoint authenticates its own request (credentials, or the token in its body): a policy of its own.
    app.all(paths[name], markPolicy((c: Context) => {
      let handlers: Handlers;
      try {
        handlers = handlersFor(c);
      } catch (error) {
        // Settings or store that cannot be built from this `c.env` (e.g. no SECRET_KEY): closed, 503, logged once.
        return errorToResponse(error);
      }
      return handlers[name](c.req.raw, ctx(c));
    }));
  }
  return app;
}
