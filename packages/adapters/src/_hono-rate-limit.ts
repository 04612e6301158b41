/**
 * `rateLimit`: core's `rateLimiter` as Hono middleware.
 * @module
 */
import type { RateLimiter, RateLimiterOptions } from "@portcullis/core";
import { rateLimiter } from "@portcullis/core";
import type { Context, MiddlewareHandler } from "hono";
import { perEnv } from "./_decide.js";
import { addResponseHeaders, runtimeClientIp, runtimeWaitUntil } from "./_hono-conn.js";
import { deny, markExempt } from "./_hono-policy.js";

/** Options of the Hono `rateLimit` middleware: core's `RateLimiterOptions`, plus where the client IP comes from. */
export interface HonoRateLimitOptions extends RateLimiterOptions {
  /** The client IP. Default: the runtime's address (Workers `CF-Connecting-IP`, Node, Deno, Bun), never XFF. */
  readonly clientIp?: (c: Context) => string | undefined;
}

/**
 * Rate limits the routes it is registered on, with or without authentication: 429 with `Retry-After` (and the
 * `RateLimit` fields) past the rate, 503 when the store fails (fail closed), otherwise the handler's response with
 * `RateLimit-Policy` and `RateLimit` added. Behind a policy, `key: "user"` counts per `c.var.user`. The options may
 * be a function of the context (to build the store from `c.env`), built once per `c.env`. It only ever refuses, so
 * `requirePolicies` accepts it under a protected prefix.
 * @example
 * app.use("/api/*", rateLimit({ rate: "100/min", store }));
 */
export function rateLimit(options: HonoRateLimitOptions | ((c: Context) => HonoRateLimitOptions)): MiddlewareHandler {
  const build = (o: HonoRateLimitOptions) => ({ limit: rateLimiter(o), clientIp: o.clientIp ?? runtimeClientIp });
  let limiterOf: (c: Context) => { limit: RateLimiter; clientIp: (c: Context) => string | undefined };
  if (typeof options === "function") {
    const cache = perEnv<ReturnType<typeof build>>();
    limiterOf = (c) => cache(c.env, () => build(options(c)));
  } else {
    const fixed = build(options); // a ConfigError now, not at the first request
    limiterOf = () => fixed;
  }
  const handler: MiddlewareHandler = async (c, next) => {
    const { limit, clientIp } = limiterOf(c);
    const user = c.get("user") as { id: string | number } | null | undefined;
    const outcome = await limit(c.req.raw, { clientIp: clientIp(c), waitUntil: runtimeWaitUntil(c), env: c.env, user });
    if (!outcome.allowed) deny(outcome.response);
    await next();
    addResponseHeaders(c, outcome.headers);
  };
  return markExempt(handler);
}
