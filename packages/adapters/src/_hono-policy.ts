/**
 * The Hono middleware that enforces one route's policy, and the registry that lets the route-table check
 * recognise it. Nothing here looks at other routes: the policy is fixed when the middleware is built.
 * @module
 */
import type { AllowedAnonymous, AnyPermission, AnyScheme, AuthContext, AuthOf, Decision, Guard, Policy, UserOf } from "@portcullis/core";
import { errorToResponse, guard, toResponse } from "@portcullis/core";
import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { type EnvContext, perEnv } from "./_decide.js";
import { addResponseHeaders, runtimeClientIp, runtimeWaitUntil } from "./_hono-conn.js";

export type Permissions = readonly AnyPermission[] | undefined;

/**
 * A policy, or a function of the bindings that builds one. The function receives only `{ env }` (never the
 * request): its result is built once per `c.env` and reused for every request with that `env`.
 */
export type PolicyInput<S extends readonly AnyScheme[], P extends Permissions = Permissions> =
  | Policy<S, P>
  | ((c: EnvContext) => Policy<S, P>);

/** Options of the Hono middleware. */
export interface HonoAuthOptions {
  /** The client IP. Default: the runtime's address (Workers `CF-Connecting-IP`, Node, Deno, Bun), never XFF. */
  readonly clientIp?: (c: Context) => string | undefined;
}

/** Handlers that are a Portcullis policy (or decide access themselves, as the token endpoints do). */
const policies = new WeakSet<object>();
/** Handlers declared to need no policy under a protected prefix (middleware such as `cors()`). */
const exempted = new WeakSet<object>();

/** Records a handler as a policy for the route-table check. */
export function markPolicy<H extends object>(handler: H): H {
  policies.add(handler);
  return handler;
}

/** Records a handler as exempt from the route-table check. */
export function markExempt<H extends object>(handler: H): H {
  exempted.add(handler);
  return handler;
}

/** Whether a handler (as registered, before any sub-app wrapping) is a policy / exempt. */
export function isPolicy(handler: unknown): boolean {
  return typeof handler === "function" && policies.has(handler);
}
export function isExempt(handler: unknown): boolean {
  return typeof handler === "function" && exempted.has(handler);
}

/** Throws core's denial (or the 503 of a failing store) as an `HTTPException` carrying that exact response. */
export function deny(response: Response): never {
  throw denial(response);
}

/** Core's denial (or the 503 of a failing store) as an `HTTPException` carrying that exact response. */
function denial(response: Response): HTTPException {
  return new HTTPException(response.status as 401, { res: response });
}

/**
 * An allowed request's variables, then the rest of the chain, then the throttles' `RateLimit` fields if any. A
 * denied decision is a rejection carrying core's response (never a synchronous throw).
 */
function admit(c: Context, next: () => Promise<void>, check: AnyGuard, decision: Decision<unknown, unknown, AllowedAnonymous>): Promise<void> {
  if (!decision.allowed) return Promise.reject(denial(toResponse(decision.error)));
  c.set("user", decision.user);
  c.set("auth", decision.auth);
  c.set("authScheme", decision.scheme);
  c.set("checkObjectPermissions", async (object: unknown) => {
    let onObject;
    try {
      onObject = await check.checkObjectPermissions(decision, c.req.raw, object);
    } catch (error) {
      deny(errorToResponse(error));
    }
    if (!onObject.allowed) deny(toResponse(onObject.error));
  });
  const headers = decision.headers;
  return Promise.resolve(next()).then(headers === undefined ? nothing : () => addResponseHeaders(c, headers));
}

/**
 * What the middleware answers after `next()`: nothing, so Hono keeps the response the handler set. (`next()`
 * itself resolves to Hono's context, which Hono would take for this middleware's response were it handed back.)
 */
function nothing(): void {}

/**
 * The middleware for one policy: authenticates, checks permissions and throttles, then sets `c.var.user`,
 * `c.var.auth`, `c.var.authScheme` and `c.var.checkObjectPermissions`. It always runs its own check: what an
 * earlier handler of the same request decided is never trusted.
 */
export function policyMiddleware<E extends { Variables: object }, S extends readonly AnyScheme[], P extends Permissions>(
  input: PolicyInput<S, P>,
  options: HonoAuthOptions,
): MiddlewareHandler<E> {
  const checkFor = policyGuard(input);
  const clientIp = options.clientIp ?? runtimeClientIp;
  // Not an async function: while the guard waits on a store, a request holds one `then` callback instead of a
  // suspended frame (see core's `guard`). Every failure is still a rejection carrying the denial's response.
  const handler: MiddlewareHandler = (c, next) => {
    let check: AnyGuard;
    try {
      check = checkFor(c); // a policy function that throws is the application's error, as it was before
    } catch (error) {
      return Promise.reject(error);
    }
    let answer: ReturnType<AnyGuard["decideNow"]>;
    try {
      answer = check.decideNow(c.req.raw, contextOf(c, clientIp));
    } catch (error) {
      return Promise.reject(denial(errorToResponse(error)));
    }
    // A direct answer (an in-process store): no promise and no microtask before the handler runs.
    if (!(answer instanceof Promise)) return admit(c, next, check, answer);
    return answer.then(
      (decision) => admit(c, next, check, decision),
      (error: unknown) => {
        throw denial(errorToResponse(error));
      },
    );
  };
  return markPolicy(handler) as MiddlewareHandler<E>;
}

type AnyGuard = Guard<unknown, unknown, AllowedAnonymous>;

function policyGuard<S extends readonly AnyScheme[], P extends Permissions>(input: PolicyInput<S, P>): (c: Context) => AnyGuard {
  if (typeof input !== "function") {
    const fixed = guard(input) as unknown as Guard<UserOf<S>, AuthOf<S>> as AnyGuard;
    return () => fixed;
  }
  const cache = perEnv<AnyGuard>();
  return (c) => cache(c.env, (view) => guard(input(view)) as unknown as AnyGuard);
}

function contextOf(c: Context, clientIp: (c: Context) => string | undefined): AuthContext {
  return { clientIp: clientIp(c), waitUntil: runtimeWaitUntil(c), env: c.env };
}
