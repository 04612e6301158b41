/**
 * `@portcullis/adapters/hono`: Portcullis as Hono middleware. `c.var.user` and `c.var.auth` are typed from the
 * policy's schemes. A denial is thrown as an `HTTPException` carrying core's DRF response, so Hono's default
 * handler sends it as it is and an `app.onError` sees it; a store failure is a 503 `HTTPException`.
 * @module
 */
import type { AnyScheme, AuthContext, AuthOf, Guard, Policy, UserOf } from "@portcullis/core";
import { guard } from "@portcullis/core";
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { matchedRoutes } from "hono/route";
import { decide } from "./_decide.js";
import { runtimeClientIp } from "./_hono-conn.js";

/** The variables the middleware sets. An anonymous request that the policy allows has `user: null`. */
export interface AuthVariables<U, A> {
  user: U;
  auth: A;
  /** The name of the scheme that authenticated the request, `null` for an anonymous one. */
  authScheme: string | null;
}

/** The Hono env of a route behind a policy with schemes `S`. */
export type AuthEnv<S extends readonly AnyScheme[]> = { Variables: AuthVariables<UserOf<S>, AuthOf<S>> };

/** A policy, or a function of the context that builds one (built once per `c.env` and cached). */
export type PolicyInput<S extends readonly AnyScheme[]> = Policy<S> | ((c: Context) => Policy<S>);

/** Options of the Hono middleware. */
export interface HonoAuthOptions {
  /** The client IP. Default: the runtime's address (Workers `CF-Connecting-IP`, Node, Deno, Bun), never XFF. */
  readonly clientIp?: (c: Context) => string | undefined;
}

const overrides = new WeakSet<MiddlewareHandler>();

function middleware<S extends readonly AnyScheme[]>(
  input: PolicyInput<S>,
  options: HonoAuthOptions,
  deferToOverrides: boolean,
): MiddlewareHandler<AuthEnv<S>> {
  const checkFor = policyGuard(input);
  const clientIp = options.clientIp ?? runtimeClientIp;
  return async (c, next) => {
    if (deferToOverrides && matchedRoutes(c).some((route) => overrides.has(route.handler as MiddlewareHandler))) {
      return next();
    }
    const outcome = await decide(checkFor(c), c.req.raw, contextOf(c, clientIp));
    if ("response" in outcome) throw new HTTPException(outcome.response.status as 401, { res: outcome.response });
    c.set("user", outcome.decision.user as UserOf<S>);
    c.set("auth", outcome.decision.auth as AuthOf<S>);
    c.set("authScheme", outcome.decision.scheme);
    await next();
  };
}

const NO_ENV = {};

function policyGuard<S extends readonly AnyScheme[]>(input: PolicyInput<S>): (c: Context) => Guard<UserOf<S>, AuthOf<S>> {
  if (typeof input !== "function") {
    const fixed = guard(input);
    return () => fixed;
  }
  const byEnv = new WeakMap<object, Guard<UserOf<S>, AuthOf<S>>>();
  return (c) => {
    const env: unknown = c.env;
    const key = typeof env === "object" && env !== null ? env : NO_ENV;
    let cached = byEnv.get(key);
    if (cached === undefined) byEnv.set(key, (cached = guard(input(c))));
    return cached;
  };
}

function contextOf(c: Context, clientIp: (c: Context) => string | undefined): AuthContext {
  let waitUntil: AuthContext["waitUntil"];
  try {
    const executionCtx = c.executionCtx;
    waitUntil = (promise) => executionCtx.waitUntil(promise);
  } catch {
    waitUntil = undefined; // not on Workers: no execution context
  }
  return { clientIp: clientIp(c), waitUntil, env: c.env };
}

/**
 * Middleware that authenticates, checks permissions and throttles, then sets `c.var.user` / `c.var.auth`.
 * @example
 * app.get("/api/me", auth({ schemes: [tokenAuth({ store })] }), (c) => c.json({ username: c.var.user.username }));
 */
export function auth<const S extends readonly AnyScheme[]>(
  policy: PolicyInput<S>,
  options: HonoAuthOptions = {},
): MiddlewareHandler<AuthEnv<S>> {
  return middleware(policy, options, false);
}

/** Per-route changes to the app-wide policy: each key given replaces the default's (DRF's view decorators). */
export type PolicyOverride<S extends readonly AnyScheme[]> = Partial<Policy<S>>;

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
export function createAuth<const S extends readonly AnyScheme[]>(defaults: PolicyInput<S>, options: HonoAuthOptions = {}) {
  const resolve = <T>(input: T | ((c: Context) => T), c: Context): T =>
    typeof input === "function" ? (input as (c: Context) => T)(c) : input;
  return {
    defaults: middleware(defaults, options, true),
    route<const S2 extends readonly AnyScheme[] = S>(
      override: PolicyOverride<S2> | ((c: Context) => PolicyOverride<S2>),
    ): MiddlewareHandler<AuthEnv<S2>> {
      const merged =
        typeof defaults === "function" || typeof override === "function"
          ? (c: Context) => ({ ...resolve(defaults, c), ...resolve(override, c) }) as unknown as Policy<S2>
          : ({ ...defaults, ...override } as unknown as Policy<S2>);
      const handler = middleware(merged, options, false);
      overrides.add(handler as MiddlewareHandler);
      return handler;
    },
  };
}

export type { TokenEndpointsOptions } from "./token-routes.js";
export { mountTokenEndpoints } from "./token-routes.js";

/**
 * The Hono env that a `createAuth(...)` result sets, for typing an app that uses `defaults` app-wide.
 * @example
 * const app = new Hono<{ Bindings: Env } & AuthEnvOf<typeof portcullis>>();
 */
export type AuthEnvOf<T> = T extends { defaults: MiddlewareHandler<infer E> } ? E : never;
