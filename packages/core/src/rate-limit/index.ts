/**
 * Rate limiting without authentication: `rateLimiter` and `withRateLimit`.
 * @module
 */
export type { RateLimitContext, RateLimiter, RateLimiterOptions, RateLimitKey, RateLimitOutcome } from "./rate-limit.js";
export { rateLimiter, withHeaders } from "./rate-limit.js";
export type { WithRateLimitOptions } from "./with-rate-limit.js";
export { withRateLimit } from "./with-rate-limit.js";
