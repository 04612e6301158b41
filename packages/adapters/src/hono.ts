/**
 * `@portcullis/adapters/hono`: Portcullis as Hono middleware, one policy per route, fixed where the route is
 * registered. `routePolicies(defaults)` holds the app's defaults (DRF's settings); `policy()` on a route uses them,
 * `policy({ permissions })` replaces the keys it names (DRF's view decorators). `requirePolicies(app, "/api")`
 * refuses an app where a route under `/api` was registered without a policy. `c.var.user` and `c.var.auth` are
 * typed per route. A denial is thrown as an `HTTPException` carrying core's DRF response.
 * @module
 */
import type { AllowedAnonymous, AnonymousOf, AnyScheme, AuthOf, Policy, UserOf } from "@portcullis/core";
import { ConfigError, guard } from "@portcullis/core";
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { EnvContext } from "./_decide.js";
import type { HonoAuthOptions, Permissions, PolicyInput } from "./_hono-policy.js";
import { markExempt, policyMiddleware } from "./_hono-policy.js";
import type { RouteTable, UnprotectedRoute } from "./_hono-routes.js";
import { describeUnprotected, findUnprotected } from "./_hono-routes.js";
import { trackRegistrations } from "./_hono-registrations.js";

export type { HonoAuthOptions, PolicyInput } from "./_hono-policy.js";
export type { EnvContext } from "./_decide.js";
export type { RouteTable, UnprotectedRoute } from "./_hono-routes.js";

/** `null` when anonymous requests can pass (`N` is `AllowedAnonymous`), `never` when the policy requires a user. */
export type NullIfAnonymous<N extends AllowedAnonymous> = [N] extends [never] ? never : null;

/**
 * The variables a policy sets. `user` is the user type of the policy's schemes; it is `| null` only when the
 * policy's permissions let anonymous requests through (e.g. `allowAny`, `isAuthenticatedOrReadOnly`).
 */
export interface AuthVariables<U, A, N extends AllowedAnonymous = never> {
  user: U | NullIfAnonymous<N>;
  auth: A | NullIfAnonymous<N>;
  /** The name of the scheme that authenticated the request (`null` for an anonymous one). */
  authScheme: string | NullIfAnonymous<N>;
  /**
   * DRF's `check_object_permissions` for this request and this route's policy: resolves when every permission
   * allows the object, else throws core's denial (403, or `NotAuthenticated`) as an `HTTPException`.
   */
  checkObjectPermissions: (object: unknown) => Promise<void>;
}

/** The Hono env of a route behind a policy with schemes `S` and permissions `P`. */
export type AuthEnv<S extends readonly AnyScheme[], P extends Permissions = undefined> = {
  Variables: AuthVariables<UserOf<S>, AuthOf<S>, AnonymousOf<P>>;
};

/** Per-route changes to the defaults: each key given replaces the default's; an `undefined` key keeps it. */
export interface PolicyOverride<S extends readonly AnyScheme[], P extends Permissions> {
  readonly schemes?: S;
  readonly permissions?: P;
  readonly throttles?: Policy["throttles"];
}

/** The permissions in force: the override's, or the defaults' when the override leaves them `undefined`. */
export type EffectivePermissions<P2, P> = P2 extends undefined ? P : P2;

/** What `routePolicies` returns: call it on each route, with or without an override. */
export interface RoutePolicies<S extends readonly AnyScheme[], P extends Permissions> {
  <const S2 extends readonly AnyScheme[] = S, const P2 extends Permissions = P>(
    override?: PolicyOverride<S2, P2> | ((c: EnvContext) => PolicyOverride<S2, P2>),
  ): MiddlewareHandler<AuthEnv<S2, EffectivePermissions<P2, P>>>;
}

const OVERRIDE_KEYS = new Set(["schemes", "permissions", "throttles"]);

/** The defaults with the override's defined keys on top; an unknown key (a typo) is a `ConfigError`. */
function merge(defaults: Policy, override: unknown): Policy {
  if (override === undefined) return defaults;
  if (typeof override !== "object" || override === null) throw new ConfigError("override", "must be an object");
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(override)) {
    if (!OVERRIDE_KEYS.has(key)) throw new ConfigError(key, "is not a policy key (schemes, permissions, throttles)");
    if (value !== undefined) merged[key] = value;
  }
  return merged as unknown as Policy;
}

type Resolvable<T> = T | ((c: EnvContext) => T);
const resolve = <T>(input: Resolvable<T>, c: EnvContext): T =>
  typeof input === "function" ? (input as (c: EnvContext) => T)(c) : input;

/**
 * The app's default policy (DRF's settings), applied route by route: `policy()` on a route enforces the
 * defaults, `policy({ permissions: [allowAny] })` replaces only the keys it names. Each call builds that route's
 * own middleware; it never depends on what other routes or middleware are registered. The defaults and an
 * override may be functions of `{ env }` (to read bindings), built once per `c.env`; they never see the request
 * (reading `c.req` there is a type error, and throws), so one request cannot decide the policy of the next.
 * @example
 * const policy = routePolicies({ schemes: [tokenAuth({ store })], permissions: [isAuthenticated] });
 * app.get("/api/me", policy(), (c) => c.json({ username: c.var.user.username }));
 * app.get("/api/articles", policy({ permissions: [isAuthenticatedOrReadOnly] }), list);
 */
export function routePolicies<const S extends readonly AnyScheme[], const P extends Permissions = undefined>(
  defaults: PolicyInput<S, P>,
  options: HonoAuthOptions = {},
): RoutePolicies<S, P> {
  if (typeof defaults !== "function") guard(defaults); // a ConfigError now, not at the first request
  const forRoute = (override?: Resolvable<unknown>) => {
    const input: PolicyInput<readonly AnyScheme[]> =
      typeof defaults === "function" || typeof override === "function"
        ? (c: EnvContext) => merge(resolve(defaults as Resolvable<Policy>, c), resolve(override, c))
        : merge(defaults as Policy, override);
    return policyMiddleware(input, options);
  };
  return forRoute as unknown as RoutePolicies<S, P>;
}

/**
 * One route's complete policy, without app-wide defaults.
 * @example
 * app.get("/api/me", auth({ schemes: [tokenAuth({ store })] }), (c) => c.json({ username: c.var.user.username }));
 */
export function auth<const S extends readonly AnyScheme[], const P extends Permissions = undefined>(
  policy: PolicyInput<S, P>,
  options: HonoAuthOptions = {},
): MiddlewareHandler<AuthEnv<S, P>> {
  return policyMiddleware(policy, options);
}

/**
 * Marks middleware that may run under a protected prefix without a policy because it never answers with
 * protected data (`cors()`, `logger()`, `secureHeaders()`). It does not make a route public: use
 * `policy({ permissions: [allowAny] })` for that.
 * @example
 * app.use("/api/*", exempt(cors()));
 */
export function exempt<H extends MiddlewareHandler>(middleware: H): H {
  return markExempt(middleware);
}

/**
 * The routes registered under the prefixes without a policy in their own registration (the check to run in a
 * test or at startup). Reads `app.routes`, which includes sub-apps added with `app.route()`, `basePath()` apps and
 * `app.mount()`s. A policy inside a combinator (`every`, `some`, `except`) does not count.
 * @example
 * expect(unprotectedRoutes(app, "/api")).toEqual([]);
 */
export function unprotectedRoutes(app: RouteTable, prefixes: string | readonly string[]): UnprotectedRoute[] {
  return findUnprotected(app, typeof prefixes === "string" ? [prefixes] : prefixes);
}

/**
 * Refuses an app with a route under the prefixes that has no policy. Throws `ConfigError` now for the routes
 * already registered, and registers first-in-line middleware that answers every later request with 500 (the
 * `ConfigError` as the `HTTPException`'s `cause`, reported once with `console.error` naming the routes) while a
 * route registered afterwards lacks one: a forgotten policy is never served. Call it right after `new Hono()`:
 * from then on each registration call is tracked, so a policy in one `app.get(path, ...)` never covers a handler
 * of another registration of the same path (routes registered before the call are checked strictly: a policy then
 * covers only the one handler after it).
 * @example
 * const app = new Hono();
 * requirePolicies(app, "/api");
 */
export function requirePolicies(
  app: RouteTable & { use(path: string, handler: MiddlewareHandler): unknown },
  prefixes: string | readonly string[],
): void {
  const list = typeof prefixes === "string" ? [prefixes] : prefixes;
  const now = findUnprotected(app, list);
  if (now.length > 0) throw new ConfigError("routes", describeUnprotected(now));
  trackRegistrations(app);
  let checkedLength = -1;
  let problem: ConfigError | null = null;
  let reported = "";
  const refuseUnprotected: MiddlewareHandler = async (_c, next) => {
    if (app.routes.length !== checkedLength) {
      const missing = findUnprotected(app, list);
      problem = missing.length > 0 ? new ConfigError("routes", describeUnprotected(missing)) : null;
      checkedLength = app.routes.length;
    }
    if (problem !== null) {
      if (problem.message !== reported) {
        reported = problem.message;
        console.error(`portcullis: every request answers 500 until this is fixed: ${problem.message}`);
      }
      const res = Response.json({ detail: "Server misconfigured." }, { status: 500 });
      throw new HTTPException(500, { res, cause: problem });
    }
    await next();
  };
  app.use("*", exempt(refuseUnprotected));
}

export type { TokenEndpointsOptions } from "./token-routes.js";
export { mountTokenEndpoints } from "./token-routes.js";
export { mountJwtEndpoints, type JwtEndpointsOptions, type JwtStore } from "./jwt-routes.js";
export { mountKnoxEndpoints, type KnoxEndpointStore, type KnoxEndpointsOptions } from "./knox-routes.js";
export { mountSessionEndpoints, type DjangoSessionEndpointsStore, type SessionEndpointsOptions, type SessionEndpointsStore } from "./session-routes.js";
export { mountRestAuthEndpoints, type RestAuthEndpointsOptions } from "./rest-auth-routes.js";
export { rateLimit, type HonoRateLimitOptions } from "./_hono-rate-limit.js";
