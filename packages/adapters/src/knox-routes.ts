/**
 * Mounting knox's login / logout / logoutall views on a Hono app.
 * @module
 */
import type { AuthContext, EventHook, KnoxTokenStore, Scheme, User, UserStore } from "@portcullis/core";
import { basicAuth } from "@portcullis/core";
import { knoxLoginHandler, knoxLogoutAllHandler, knoxLogoutHandler, knoxSettings, type KnoxSettings, type KnoxSettingsOptions } from "@portcullis/core/knox";
import type { Context, Env, Hono } from "hono";
import { type EnvContext, perEnv } from "./_decide.js";
import { runtimeClientIp, runtimeWaitUntil } from "./_hono-conn.js";
import { markPolicy } from "./_hono-policy.js";

/** Users and knox tokens, of one backend. */
export type KnoxEndpointStore = UserStore & KnoxTokenStore;

/** Options of `mountKnoxEndpoints`. */
export interface KnoxEndpointsOptions {
  /** The store, or a function of the context that answers it (e.g. `(c) => d1Store(c.env.DB)`), once per `c.env`. */
  readonly store: KnoxEndpointStore | ((c: EnvContext) => KnoxEndpointStore);
  /** knox's settings; share one `knoxSettings(...)` value with the routes' `knoxAuth`. */
  readonly settings?: KnoxSettings | KnoxSettingsOptions;
  /** How the login authenticates (knox: `DEFAULT_AUTHENTICATION_CLASSES`). Default `[basicAuth({ users: store })]`. */
  readonly loginSchemes?: (store: KnoxEndpointStore) => readonly Scheme<User, unknown>[];
  /** The client IP. Default: the runtime's address, never `X-Forwarded-For`. */
  readonly clientIp?: (c: Context) => string | undefined;
  /** Receives the endpoints' auth events (issued and revoked tokens, store failures). */
  readonly onEvent?: EventHook;
  /** Paths; defaults `/api/auth/login/`, `/api/auth/logout/`, `/api/auth/logoutall/` (knox's `urls.py` under `api/auth/`). */
  readonly paths?: { readonly login?: string; readonly logout?: string; readonly logoutAll?: string };
}

type Handlers = ReturnType<typeof buildHandlers>;

function buildHandlers(store: KnoxEndpointStore, settings: KnoxSettings, options: KnoxEndpointsOptions) {
  const { onEvent } = options;
  const schemes = options.loginSchemes?.(store) ?? [basicAuth({ users: store })];
  return {
    login: knoxLoginHandler({ store, settings, schemes, onEvent }),
    logout: knoxLogoutHandler({ store, settings, onEvent }),
    logoutAll: knoxLogoutAllHandler({ store, settings, onEvent }),
  };
}

/**
 * Mounts knox's `LoginView`, `LogoutView` and `LogoutAllView` (all `POST`), each registered as a policy (each
 * decides access itself), so `requirePolicies` accepts them.
 * @example
 * const settings = knoxSettings({ autoRefresh: true });
 * mountKnoxEndpoints(app, { store: (c) => d1Store(c.env.DB), settings });
 */
export function mountKnoxEndpoints<E extends Env>(app: Hono<E>, options: KnoxEndpointsOptions): Hono<E> {
  const { store } = options;
  const settings = knoxSettings(options.settings);
  const fixed = typeof store === "function" ? null : buildHandlers(store, settings, options);
  const cache = perEnv<Handlers>();
  const handlersFor = (c: Context): Handlers =>
    fixed ?? cache(c.env, (view) => buildHandlers((store as (c: EnvContext) => KnoxEndpointStore)(view), settings, options));
  const clientIp = options.clientIp ?? runtimeClientIp;
  const ctx = (c: Context): AuthContext => ({ clientIp: clientIp(c), waitUntil: runtimeWaitUntil(c), env: c.env });
  const paths = { login: "/api/auth/login/", logout: "/api/auth/logout/", logoutAll: "/api/auth/logoutall/", ...options.paths };
  app.all(paths.login, markPolicy((c: Context) => handlersFor(c).login(c.req.raw, ctx(c))));
  app.all(paths.logout, markPolicy((c: Context) => handlersFor(c).logout(c.req.raw, ctx(c))));
  app.all(paths.logoutAll, markPolicy((c: Context) => handlersFor(c).logoutAll(c.req.raw, ctx(c))));
  return app;
}
