/**
 * The one step every adapter shares: run a guard and turn its denial or a store failure into core's response.
 * @module
 */
import type { AuthContext, Decision, Guard } from "@portcullis/core";
import { errorToResponse, toResponse } from "@portcullis/core";

/** An allowed decision (what handlers receive). */
export type Allowed<U, A> = Extract<Decision<U, A>, { allowed: true }>;

/** Runs the guard: the allowed decision, or the response to send (401/403/429 from core, 503 on `StoreError`). */
export async function decide<U, A>(
  check: Guard<U, A>,
  request: Request,
  ctx: AuthContext,
): Promise<{ decision: Allowed<U, A> } | { response: Response }> {
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
