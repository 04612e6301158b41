/**
 * `withRateLimit`: a rate limiter around any `(Request, ...args) => Response` handler (Workers, Bun, Deno, Node).
 * @module
 */
import type { RateLimitContext, RateLimiter } from "./rate-limit.js";
import { withHeaders } from "./rate-limit.js";

/** Options of `withRateLimit`. */
export interface WithRateLimitOptions<Args extends unknown[]> {
  /**
   * The request's context from the host's arguments: at least `clientIp` (Workers: `CF-Connecting-IP`; Bun:
   * `server.requestIP(req)`), else per-IP keys know no address and the request is not counted.
   */
  readonly context?: (request: Request, ...args: Args) => RateLimitContext;
}

/**
 * Wraps a handler: a refused request gets the limiter's 429 (or 503 when the store fails) and never reaches the
 * handler; an allowed one gets the `RateLimit` headers on the handler's response.
 * @example
 * export default {
 *   fetch: withRateLimit(limit, (request) => new Response("hello"), {
 *     context: (request) => ({ clientIp: request.headers.get("cf-connecting-ip") ?? undefined }),
 *   }),
 * };
 */
export function withRateLimit<Args extends unknown[]>(
  limiter: RateLimiter,
  handler: (request: Request, ...args: Args) => Response | Promise<Response>,
  options: WithRateLimitOptions<Args> = {},
): (request: Request, ...args: Args) => Promise<Response> {
  return async (request, ...args) => {
    const outcome = await limiter(request, options.context?.(request, ...args));
    if (!outcome.allowed) return outcome.response;
    return withHeaders(await handler(request, ...args), outcome.headers);
  };
}
