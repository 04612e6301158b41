/**
 * `@portcullis/adapters/hono`: Portcullis as Hono middleware. `c.var.user` and `c.var.auth` are typed from the
 * policy's schemes. A denial is thrown as an `HTTPException` carrying core's DRF response, so Hono's default
 * handler sends it as it is and an `app.onError` sees it; a store failure is a 503 `HTTPException`.
 * @module
 */
import type {
  AllowedAnonymous,
  AnonymousOf,
  AnyPermission,
  AnyScheme,
  AuthContext,
  AuthOf,
  Guard,
  Policy,
  UserOf,
} from "@portcullis/core";
import { guard } from "@portcullis/core";
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { matchedRoutes } from "hono/route";
import { decide, perEnv } from "./_decide.js";
import { runtimeClientIp, runtimeWaitUntil } from "./_hono-conn.js";

type Permissions = readonly AnyPermission[] | undefined;

/** `null` when anonymous requests can pass (`N` is `AllowedAnonymous`), `never` when the policy requires a user. */
export type NullIfAnonymous<N extends AllowedAnonymous> = [N] extends [never] ? never : null;

/**
 * The variables the middleware sets. `user` is the user type of the policy's schemes; it is `| null` only when
 * the policy's permissions let anonymous requests through (e.g. `allowAny`, `isAuthenticatedOrReadOnly`).
 */
export interface AuthVariables<U, A, N extends AllowedAnonymous = never> {
  user: U | NullIfAnonymous<N>;
  auth: A | NullIfAnonymous<N>;
  /** The name of the scheme that authenticated the request (`null` for an anonymous one). */
  authScheme: string | NullIfAnonymous<N>;
}

/** The Hono env of a route behind a policy with schemes `S` and permissions `P`. */
export type AuthEnv<S extends readonly AnyScheme[], P extends Permissions = undefined> = {
  Variables: AuthVariables<UserOf<S>, AuthOf<S>, AnonymousOf<P>>;
};

/** A policy, or a function of the context that builds one (built once per `c.env` and cached). */
export type PolicyInput<S extends readonly AnyScheme[], P extends Permissions = Permissions> =
  | Policy<S, P>
  | ((c: Context) => Policy<S, P>);

/** Options of the Hono middleware. */
export interface HonoAuthOptions {
  /** The client IP. Default: the runtime's address (Workers `CF-Connecting-IP`, Node, Deno, Bun), never XFF. */
  readonly clientIp?: (c: Context) => string | undefined;
}

const overrides = new WeakSet<MiddlewareHandler>();

function middleware<S extends readonly AnyScheme[], P extends Permissions>(
  input: PolicyInput<S, P>,
  options: HonoAuthOptions,
  deferToOverrides: boolean,
): MiddlewareHandler<AuthEnv<S, P>> {
  const checkFor = policyGuard(input);
  const clientIp = options.clientIp ?? runtimeClientIp;
  const self: MiddlewareHandler<AuthEnv<S, P>> = async (c, next) => {
    if (deferToOverrides && overrideComesNext(c, self as MiddlewareHandler)) return next();
    const outcome = await decide(checkFor(c), c.req.raw, contextOf(c, clientIp));
    if ("response" in outcome) throw new HTTPException(outcome.response.status as 401, { res: outcome.response });
    const { user, auth: authValue, scheme } = outcome.decision;
    c.set("user", user as UserOf<S> | NullIfAnonymous<AnonymousOf<P>>);
    c.set("auth", authValue as AuthOf<S> | NullIfAnonymous<AnonymousOf<P>>);
    c.set("authScheme", scheme as string | NullIfAnonymous<AnonymousOf<P>>);
    await next();
  };
  return self;
}

/**
 * Whether the handler Hono runs right after these defaults is a route override, i.e. the route about to answer
 * replaces the defaults. Only the very next matched handler counts: an override on another route that also matches
 * (`/api/:slug` when `/api/admin` answers) or one behind other middleware never switches the defaults off; then
 * both run and both must pass (fail closed).
 */
function overrideComesNext(c: Context, defaults: MiddlewareHandler): boolean {
  const routes = matchedRoutes(c);
  const index = routes.findIndex((route) => route.handler === defaults);
  const following = index < 0 ? undefined : routes[index + 1];
  return following !== undefined && overrides.has(following.handler as MiddlewareHandler);
}

function policyGuard<S extends readonly AnyScheme[], P extends Permissions>(
  input: PolicyInput<S, P>,
): (c: Context) => Guard<UserOf<S>, AuthOf<S>> {
  if (typeof input !== "function") {
    const fixed = guard(input);
    return () => fixed;
  }
  const cache = perEnv<Guard<UserOf<S>, AuthOf<S>>>();
  return (c) => cache(c.env, () => guard(input(c)));
}

function contextOf(c: Context, clientIp: (c: Context) => string | undefined): AuthContext {
  return { clientIp: clientIp(c), waitUntil: runtimeWaitUntil(c), env: c.env };
}

/**
 * Middleware that authenticates, checks permissions and throttles, then sets `c.var.user` / `c.var.auth`.
 * @example
 * app.get("/api/me", auth({ schemes: [tokenAuth({ store })] }), (c) => c.json({ username: c.var.user.username }));
 */
export function auth<const S extends readonly AnyScheme[], const P extends Permissions = undefined>(
  policy: PolicyInput<S, P>,
  options: HonoAuthOptions = {},
): MiddlewareHandler<AuthEnv<S, P>> {
  return middleware(policy, options, false);
}

/** Per-route changes to the app-wide policy: each key given replaces the default's (DRF's view decorators). */
export interface PolicyOverride<S extends readonly AnyScheme[], P extends Permissions> {
  readonly schemes?: S;
  readonly permissions?: P;
  readonly throttles?: Policy["throttles"];
}

/**
 * App-wide defaults with per-route overrides that replace them (DRF's settings plus `@permission_classes`).
 * `defaults` is middleware for `app.use(...)`; `route(override)` is middleware for one route, and when it is
 * present the app-wide middleware steps aside for that route, so the two never stack. Both the defaults and an
 * override may be functions of the context (to read `c.env`).
 * @example
 * const portcullis = createAuth({ schemes: [tokenAuth({ store })] });
 * app.use("/api/*", portcullis.defaults);
 * app.get("/api/articles", portcullis.route({ permissions: [isAuthenticatedOrReadOnly] }), list);
 */
export function createAuth<const S extends readonly AnyScheme[], const P extends Permissions = undefined>(
  defaults: PolicyInput<S, P>,
  options: HonoAuthOptions = {},
) {
  const resolve = <T>(input: T | ((c: Context) => T), c: Context): T =>
    typeof input === "function" ? (input as (c: Context) => T)(c) : input;
  return {
    defaults: middleware(defaults, options, true),
    route<const S2 extends readonly AnyScheme[] = S, const P2 extends Permissions = P>(
      override: PolicyOverride<S2, P2> | ((c: Context) => PolicyOverride<S2, P2>),
    ): MiddlewareHandler<AuthEnv<S2, P2>> {
      const merged =
        typeof defaults === "function" || typeof override === "function"
          ? (c: Context) => ({ ...resolve(defaults, c), ...resolve(override, c) }) as unknown as Policy<S2, P2>
          : ({ ...defaults, ...override } as unknown as Policy<S2, P2>);
      const handler = middleware(merged, options, false);
      overrides.add(handler as MiddlewareHandler);
      return handler;
    },
  };
}

export type { TokenEndpointsOptions } from "./token-routes.js";
export { mountTokenEndpoints } from "./token-routes.js";

/**
 * The Hono env that a `createAuth(...)` result's `defaults` set, for typing an app whose routes all use the
 * defaults. Hono intersects an app's env with a route's, so on such an app a route override that changes the
 * schemes or admits anonymous requests would be typed wrongly: give those routes `portcullis.route(...)` on an
 * app that is not typed with this (it types `c.var` per route, exactly).
 * @example
 * const app = new Hono<{ Bindings: Env } & AuthEnvOf<typeof portcullis>>();
 */
export type AuthEnvOf<T> = T extends { defaults: MiddlewareHandler<infer E> } ? E : never;
export { mountSessionEndpoints, type SessionEndpointsOptions, type SessionEndpointsStore } from "./session-routes.js";
