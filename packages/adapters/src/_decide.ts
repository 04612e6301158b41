/**
 * The one step every adapter shares: run a guard and turn its denial or a store failure into core's response.
 * @module
 */
import type { AllowedAnonymous, AllowedUser, AuthContext, Guard } from "@portcullis/core";
import { errorToResponse, toResponse } from "@portcullis/core";

/**
 * An allowed decision (what handlers receive): with the user, or anonymous when `N` is `AllowedAnonymous`
 * (`never` when the policy's permissions guarantee a user).
 */
export type Allowed<U, A, N extends AllowedAnonymous = AllowedAnonymous> = AllowedUser<U, A> | N;

/** Runs the guard: the allowed decision, or the response to send (401/403/429 from core, 503 on `StoreError`). */
export async function decide<U, A, N extends AllowedAnonymous>(
  check: Guard<U, A, N>,
  request: Request,
  ctx: AuthContext,
): Promise<{ decision: Allowed<U, A, N> } | { response: Response }> {
  try {
    const decision = await check(request, ctx);
    return decision.allowed ? { decision } : { response: toResponse(decision.error) };
  } catch (error) {
    return { response: errorToResponse(error) };
  }
}

const NO_ENV = {};

/**
 * A cache keyed by the runtime's bindings (Workers `env`, Hono `c.env`): what is built from them (a guard, the
 * token handlers) is built once per `env` object, not per request. Requests without an object `env` share one entry.
 */
export function perEnv<T>(): (env: unknown, build: () => T) => T {
  const byEnv = new WeakMap<object, T>();
  return (env, build) => {
    const key = typeof env === "object" && env !== null ? env : NO_ENV;
    let cached = byEnv.get(key);
    if (cached === undefined) byEnv.set(key, (cached = build()));
    return cached;
  };
}
