/**
 * The one step every adapter shares: run a guard and turn its denial or a store failure into core's response.
 * @module
 */
import type { AllowedAnonymous, AllowedUser, AuthContext, Guard } from "@portcullis/core";
import { errorToResponse, toResponse, withHeaders } from "@portcullis/core";

/**
 * An allowed decision (what handlers receive): with the user, or anonymous when `N` is `AllowedAnonymous`
 * (`never` when the policy's permissions guarantee a user).
 */
export type Allowed<U, A, N extends AllowedAnonymous = AllowedAnonymous> = AllowedUser<U, A> | N;

/**
 * What an adapter hands the handler: the allowed decision plus DRF's object-level check for it.
 * `checkObjectPermissions(object)` answers `null` when every permission allows the object, else the response to
 * send (401/403 from core, 503 when a permission's check throws).
 */
export type AllowedDecision<U, A, N extends AllowedAnonymous = AllowedAnonymous> = Allowed<U, A, N> & {
  readonly checkObjectPermissions: (object: unknown) => Promise<Response | null>;
};

/** Runs the guard: the allowed decision, or the response to send (401/403/429 from core, 503 on `StoreError`). */
export async function decide<U, A, N extends AllowedAnonymous>(
  check: Guard<U, A, N>,
  request: Request,
  ctx: AuthContext,
): Promise<{ decision: Allowed<U, A, N> } | { response: Response }> {
  try {
    const answer = check.decideNow(request, ctx); // never throws; a direct answer costs no microtask
    const decision = answer instanceof Promise ? await answer : answer;
    return decision.allowed ? { decision } : { response: toResponse(decision.error) };
  } catch (error) {
    return { response: errorToResponse(error) };
  }
}

/** `decide`, with the object-level check attached to the allowed decision (for the fetch-style adapters). */
export async function decideWithObjects<U, A, N extends AllowedAnonymous>(
  check: Guard<U, A, N>,
  request: Request,
  ctx: AuthContext,
): Promise<{ decision: AllowedDecision<U, A, N> } | { response: Response }> {
  const outcome = await decide(check, request, ctx);
  if ("response" in outcome) return outcome;
  const allowed = outcome.decision;
  const checkObjectPermissions = async (object: unknown): Promise<Response | null> => {
    try {
      const onObject = await check.checkObjectPermissions(allowed, request, object);
      return onObject.allowed ? null : toResponse(onObject.error);
    } catch (error) {
      return errorToResponse(error);
    }
  };
  return { decision: { ...allowed, checkObjectPermissions } };
}

/**
 * The handler's response with the decision's `RateLimit` fields added (throttles built with `headers: true`); the
 * response itself when there are none.
 */
export async function withDecisionHeaders(decision: { readonly headers?: Readonly<Record<string, string>> }, response: Response | Promise<Response>): Promise<Response> {
  return decision.headers === undefined ? response : withHeaders(await response, decision.headers);
}

const NO_ENV = {};

/**
 * What a function of the bindings (a policy, defaults, an override, a store or settings factory) receives: the
 * runtime's `env` and nothing of the request. Its result is built once per `env` and reused for every later
 * request, so it must not depend on the request: `req`, `var`, `get` and `header` are absent from the type and throw
 * at run time.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the default is what Hono's own `c.env` is
export interface EnvContext<E = any> {
  readonly env: E;
}

const REQUEST_KEYS = ["req", "var", "get", "set", "header", "res", "executionCtx", "event"] as const;

/** The `{ env }` view of a context; reading a request member throws a TypeError that names the mistake. */
export function envContext(env: unknown): EnvContext {
  const view: Record<string, unknown> = {};
  Object.defineProperty(view, "env", { value: env, enumerable: true });
  for (const key of REQUEST_KEYS) {
    Object.defineProperty(view, key, {
      get() {
        throw new TypeError(
          `a policy or store function receives only { env } (it is built once per env and reused): c.${key} is not available`,
        );
      },
    });
  }
  return Object.freeze(view) as unknown as EnvContext;
}

/**
 * A cache keyed by the runtime's bindings (Workers `env`, Hono `c.env`): what is built from them (a guard, the
 * token handlers) is built once per `env` object, not per request, from an `{ env }` view that cannot read the
 * request. Requests without an object `env` share one entry.
 */
export function perEnv<T>(): (env: unknown, build: (c: EnvContext) => T) => T {
  const byEnv = new WeakMap<object, T>();
  return (env, build) => {
    const key = typeof env === "object" && env !== null ? env : NO_ENV;
    let cached = byEnv.get(key);
    if (cached === undefined) byEnv.set(key, (cached = build(envContext(env))));
    return cached;
  };
}
