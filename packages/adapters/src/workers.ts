/**
 * `@portcullis/adapters/workers`: Portcullis for a Cloudflare Workers module (`export default withAuth(...)`).
 * The client IP comes from `CF-Connecting-IP` (set by Cloudflare, not by the client); `ctx.waitUntil` is passed
 * to core for background work such as removing expired tokens.
 * @module
 */
import type { AllowedAnonymous, AnonymousOf, AnyPermission, AnyScheme, AuthOf, Policy, RateLimiter, RateLimiterOptions, UserOf } from "@portcullis/core";
import { guard, rateLimiter, withHeaders } from "@portcullis/core";
import type { AllowedDecision } from "./_decide.js";
export type { AllowedDecision } from "./_decide.js";
import { decideWithObjects, perEnv, withDecisionHeaders } from "./_decide.js";

/** The parts of a Workers `ExecutionContext` the adapter uses. */
export interface WorkersExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

/** A Workers module's default export with a `fetch` handler. */
export interface AuthExportedHandler<Env> {
  fetch(request: Request, env: Env, ctx: WorkersExecutionContext): Promise<Response>;
}

/** The handler that runs for allowed requests, with the decision (`user`, `auth`, `scheme`). */
export type WorkersAuthHandler<Env, U, A, N extends AllowedAnonymous = AllowedAnonymous> = (
  request: Request,
  env: Env,
  ctx: WorkersExecutionContext,
  decision: AllowedDecision<U, A, N>,
) => Response | Promise<Response>;

/**
 * Wraps a Workers fetch handler with a policy, or a function of `env` that builds one (built once per `env`).
 * @example
 * export default withAuth(
 *   (env) => ({ schemes: [tokenAuth({ store: d1Store(env.DB) })] }),
 *   (request, env, ctx, { user }) => Response.json({ username: user?.username }),
 * );
 */
export function withAuth<
  Env,
  const S extends readonly AnyScheme[],
  const P extends readonly AnyPermission[] | undefined = undefined,
>(
  policy: Policy<S, P> | ((env: Env) => Policy<S, P>),
  handler: WorkersAuthHandler<Env, UserOf<S>, AuthOf<S>, AnonymousOf<P>>,
): AuthExportedHandler<Env> {
  const fixed = typeof policy === "function" ? null : guard(policy);
  const cache = perEnv<ReturnType<typeof guard<S, P>>>();
  const guardFor = (env: Env) => fixed ?? cache(env, () => guard((policy as (env: Env) => Policy<S, P>)(env)));
  return {
    async fetch(request, env, ctx) {
      const outcome = await decideWithObjects(guardFor(env), request, {
        clientIp: request.headers.get("cf-connecting-ip") ?? undefined,
        waitUntil: (promise) => ctx.waitUntil(promise),
        env,
      });
      if ("response" in outcome) return outcome.response;
      return withDecisionHeaders(outcome.decision, handler(request, env, ctx, outcome.decision));
    },
  };
}


/**
 * Rate limits a Workers fetch handler (core's `rateLimiter`, keyed by `CF-Connecting-IP` unless `key` says
 * otherwise): 429 with `Retry-After` past the rate, 503 when the store fails, else the handler's response with the
 * `RateLimit` fields. The options may be a function of `env` (built once per `env`).
 * @example
 * export default withRateLimit(
 *   (env: { DB: D1Database }) => ({ rate: "100/min", store: d1Store(env.DB) }),
 *   async () => new Response("hello"),
 * );
 */
export function withRateLimit<Env>(
  options: RateLimiterOptions | ((env: Env) => RateLimiterOptions),
  handler: (request: Request, env: Env, ctx: WorkersExecutionContext) => Response | Promise<Response>,
): AuthExportedHandler<Env> {
  const fixed = typeof options === "function" ? null : rateLimiter(options);
  const cache = perEnv<RateLimiter>();
  const limiterFor = (env: Env) => fixed ?? cache(env, () => rateLimiter((options as (env: Env) => RateLimiterOptions)(env)));
  return {
    async fetch(request, env, ctx) {
      const outcome = await limiterFor(env)(request, {
        clientIp: request.headers.get("cf-connecting-ip") ?? undefined,
        waitUntil: (promise) => ctx.waitUntil(promise),
        env,
      });
      if (!outcome.allowed) return outcome.response;
      return withHeaders(await handler(request, env, ctx), outcome.headers);
    },
  };
}
