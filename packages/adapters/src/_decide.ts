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

/** A cache of guards by the object they were built from (Workers `env`, Hono `c.env`). */
export function guardCache<K, G>(build: (key: K) => G): (key: K) => G {
  const byObject = new WeakMap<object, G>();
  let forPrimitive: { key: K; guard: G } | null = null;
  return (key) => {
    if (typeof key === "object" && key !== null) {
      let cached = byObject.get(key);
      if (cached === undefined) byObject.set(key, (cached = build(key)));
      return cached;
    }
    if (forPrimitive === null || forPrimitive.key !== key) forPrimitive = { key, guard: build(key) };
    return forPrimitive.guard;
  };
}
