/**
 * `bindingRateThrottle`: a DRF-style rate throttle on Workers' Rate Limiting binding (`env.RL.limit({ key })`).
 * APPROXIMATE: the binding counts per Cloudflare location and syncs in the background ("permissive, eventually
 * consistent"), so a client spread over locations, or fast enough to beat the sync, gets more than the rate.
 * Its gain is latency: the check is answered from the machine's cache, with no network round trip.
 * @module
 */
import type { AuthContext, PermissionCheck, Throttle, ThrottleResult } from "@portcullis/core";
import { ConfigError, StoreError, clientIdentity, parseRate, type RateInput } from "@portcullis/core";

/** The Rate Limiting binding (`ratelimits` in wrangler.jsonc), as the runtime gives it. */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** Options of `bindingRateThrottle`. */
export interface BindingRateThrottleOptions {
  /** `"user"` (by user id, or client IP when anonymous; DRF's `UserRateThrottle`, the default) or `"anon"`. */
  readonly kind?: "user" | "anon";
  /** The key namespace: throttles with the same scope on the same binding share counts. Default: kind and rate. */
  readonly scope?: string;
}

/** The periods the binding supports, in ms. */
const PERIODS_MS = [10_000, 60_000];
const ALLOWED: ThrottleResult = Object.freeze({ allowed: true, waitMs: 0 });

function identOf(check: PermissionCheck<unknown, unknown>, ctx: AuthContext): string {
  const user = check.user as { id?: unknown } | null;
  if (check.authenticated && user !== null && (typeof user.id === "string" || typeof user.id === "number")) {
    return `user:${String(user.id)}`;
  }
  // Core's client identity (IPv4, or the IPv6 /64, so a client cannot rotate through its prefix). Requests without
  // a usable address share ONE identity here: an approximate throttle must never be skipped by an empty key.
  return `ip:${clientIdentity(ctx.clientIp) ?? "unknown"}`;
}

/**
 * An approximate throttle on a Rate Limiting binding. `rate` must equal the binding's own `simple` setting in
 * wrangler.jsonc (the binding enforces that one; the rate here names the period for `Retry-After` and checks
 * it): only periods of 10 s and 60 s exist, anything else is a `ConfigError`. A refused request waits the whole
 * period (DRF's `wait()` for a full log whose oldest entry it cannot see). A failing binding is a `StoreError`:
 * 503, never a pass.
 * @example
 * ```ts
 * // wrangler.jsonc: "ratelimits": [{ "name": "RL", "namespace_id": "1001", "simple": { "limit": 100, "period": 60 } }]
 * const throttles = [bindingRateThrottle(env.RL, "100/min")];
 * ```
 */
export function bindingRateThrottle(binding: RateLimitBinding, rate: RateInput, options: BindingRateThrottleOptions = {}): Throttle {
  if (typeof binding?.limit !== "function") throw new ConfigError("binding", "must be a Workers Rate Limiting binding");
  const { limit, windowMs } = parseRate(rate);
  if (!PERIODS_MS.includes(windowMs)) {
    throw new ConfigError("rate", "the Rate Limiting binding counts over 10 s or 60 s only (\"N/10s\" is { limit, windowMs: 10_000 })");
  }
  const kind = options.kind ?? "user";
  if (kind !== "user" && kind !== "anon") throw new ConfigError("kind", 'must be "user" or "anon"');
  const scope = options.scope ?? `${kind}:${limit}/${windowMs}`;
  if (typeof scope !== "string" || scope === "") throw new ConfigError("scope", "must be a non-empty string");
  const refused: ThrottleResult = Object.freeze({ allowed: false, waitMs: windowMs });
  return {
    async allow(check, ctx): Promise<ThrottleResult> {
      if (kind === "anon" && check.authenticated) return ALLOWED;
      let outcome: { success?: unknown };
      try {
        outcome = await binding.limit({ key: `throttle:${scope}:${identOf(check, ctx)}` });
      } catch (error) {
        throw new StoreError("Rate Limiting binding: limit() failed", { cause: error });
      }
      if (typeof outcome?.success !== "boolean") throw new StoreError("Rate Limiting binding: limit() gave an unexpected answer");
      return outcome.success ? ALLOWED : refused;
    },
  };
}
