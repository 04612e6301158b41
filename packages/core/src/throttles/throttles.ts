/**
 * DRF's rate throttles: `anonRateThrottle`, `userRateThrottle`, `scopedRateThrottle`. Each counts under its own
 * scope with an atomic sliding log in the store (`CounterStore.hit`).
 * @module
 */
import type { AuthContext } from "../context.js";
import { nowOf } from "../context.js";
import { ConfigError } from "../errors.js";
import type { PermissionCheck } from "../permissions/types.js";
import type { CounterStore } from "../store/types.js";
import { clientIdent } from "./ident.js";
import type { RateInput } from "./rate.js";
import { parseRate, waitMs } from "./rate.js";
import type { Throttle, ThrottleResult } from "./types.js";

/** Options shared by the rate throttles. */
export interface RateThrottleOptions {
  /** Where the counters live (its `hit` is atomic). */
  readonly store: Pick<CounterStore, "hit">;
  /** The counter namespace; throttles with the same scope share counts. Default: kind and rate (`user:3/1000`). */
  readonly scope?: string;
  /**
   * How many trusted reverse proxies append to `X-Forwarded-For` (DRF's `NUM_PROXIES`). Default: none, and the
   * header is ignored; the client IP is `ctx.clientIp`, which adapters take from the runtime.
   */
  readonly numProxies?: number;
}

const ALLOWED: ThrottleResult = Object.freeze({ allowed: true, waitMs: 0 });
type Check = PermissionCheck<unknown, unknown>;

function rateThrottle(kind: string, rateInput: RateInput, options: RateThrottleOptions, skipUsers: boolean): Throttle {
  const rate = parseRate(rateInput);
  const { store, numProxies } = options ?? ({} as RateThrottleOptions);
  if (typeof store?.hit !== "function") throw new ConfigError("store", "must be a Portcullis store");
  if (numProxies !== undefined && !(Number.isSafeInteger(numProxies) && numProxies >= 0)) {
    throw new ConfigError("numProxies", "must be a non-negative integer");
  }
  const scope = options.scope ?? `${kind}:${rate.limit}/${rate.windowMs}`;
  if (typeof scope !== "string" || scope === "") throw new ConfigError("scope", "must be a non-empty string");
  return {
    scope,
    async allow(check: Check, ctx: AuthContext): Promise<ThrottleResult> {
      if (skipUsers && check.authenticated) return ALLOWED;
      const ident = identOf(check, ctx, numProxies);
      const now = nowOf(ctx);
      const log = await store.hit(`throttle:${scope}:${ident}`, { ...rate, now });
      return log.allowed ? ALLOWED : { allowed: false, waitMs: waitMs(rate, log, now) };
    },
  };
}

function identOf(check: Check, ctx: AuthContext, numProxies: number | undefined): string {
  const user = check.user as { id?: unknown } | null;
  if (check.authenticated && user !== null && (typeof user.id === "string" || typeof user.id === "number")) {
    return `user:${String(user.id)}`;
  }
  return `ip:${clientIdent(check.request, ctx, numProxies)}`;
}

/**
 * Throttles anonymous requests by client IP (DRF's `AnonRateThrottle`); authenticated requests pass untouched.
 * @example
 * anonRateThrottle("100/day", { store })
 */
export function anonRateThrottle(rate: RateInput, options: RateThrottleOptions): Throttle {
  return rateThrottle("anon", rate, options, true);
}

/**
 * Throttles by user id, or by client IP for anonymous requests (DRF's `UserRateThrottle`).
 * @example
 * userRateThrottle("1000/day", { store })
 */
export function userRateThrottle(rate: RateInput, options: RateThrottleOptions): Throttle {
  return rateThrottle("user", rate, options, false);
}

/**
 * A user throttle counted under a named scope (DRF's `ScopedRateThrottle`): routes with the same scope share
 * counts; other scopes are separate.
 * @example
 * scopedRateThrottle("uploads", "20/hour", { store })
 */
export function scopedRateThrottle(scope: string, rate: RateInput, options: RateThrottleOptions): Throttle {
  if (typeof scope !== "string" || scope === "") throw new ConfigError("scope", "must be a non-empty string");
  return rateThrottle("scoped", rate, { ...options, scope: options?.scope ?? scope }, false);
}
