/**
 * The `Throttle` contract (DRF's `BaseThrottle`).
 * @module
 */
import type { AuthContext } from "../context.js";
import type { PermissionCheck } from "../permissions/types.js";

/** A throttle's verdict; `waitMs` is how long until a request would be allowed (0 when allowed). */
export interface ThrottleResult {
  readonly allowed: boolean;
  readonly waitMs: number;
}

/** A throttle: records and judges one request. Only requests it allows are recorded. */
export interface Throttle {
  /** The counter namespace, reported in `throttled` events (e.g. `user`, `anon`, or a scoped throttle's name; the rate is part of the counter key, not of the scope). */
  readonly scope?: string;
  allow(check: PermissionCheck<unknown, unknown>, ctx: AuthContext): Promise<ThrottleResult>;
}
