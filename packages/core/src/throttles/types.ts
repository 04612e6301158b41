/**
 * The `Throttle` contract (DRF's `BaseThrottle`).
 * @module
 */
import type { AuthContext } from "../context.js";
import type { PermissionCheck } from "../permissions/types.js";

/**
 * One throttle's members of the `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers-09),
 * e.g. `"user";q=100;w=60` and `"user";r=99;t=60`.
 */
export interface RateLimitFields {
  readonly policy: string;
  readonly state: string;
}

/**
 * A throttle's verdict; `waitMs` is how long until a request would be allowed (0 when allowed). `rateLimit` is set
 * by a throttle built with `headers: true` when it counted the request.
 */
export interface ThrottleResult {
  readonly allowed: boolean;
  readonly waitMs: number;
  readonly rateLimit?: RateLimitFields;
}

/** A throttle: records and judges one request. Only requests it allows are recorded. */
export interface Throttle {
  /** The counter namespace, reported in `throttled` events (e.g. `user`, `anon`, or a scoped throttle's name; the rate is part of the counter key, not of the scope). */
  readonly scope?: string;
  /** Set when the throttle answers `RateLimit` fields: its policy name in them (unique within a policy). */
  readonly rateLimitName?: string;
  allow(check: PermissionCheck<unknown, unknown>, ctx: AuthContext): Promise<ThrottleResult>;
}
