/**
 * `bindingCounters`: Workers' Rate Limiting binding as the counter store of `rateLimiter`. APPROXIMATE, as
 * `bindingRateThrottle`: the binding counts per Cloudflare location and syncs in the background, and says only
 * "allowed" or "refused", never how many hits it holds.
 * @module
 */
import type { CounterStore, HitOptions, HitResult } from "@portcullis/core";
import { StoreError } from "@portcullis/core";
import type { RateLimitBinding } from "./binding-throttle.js";

/** The periods the binding supports, in ms. */
const PERIODS_MS = [10_000, 60_000];

/** A counter store on the binding: `hit` only, and `approximate` (so `rateLimiter` states no remaining quota). */
export interface BindingCounters extends Pick<CounterStore, "hit"> {
  readonly approximate: true;
}

/**
 * The binding as a counter store. The rate given to `rateLimiter` must equal the binding's `simple` setting in
 * wrangler.jsonc (the binding enforces its own; the rate names the period for `Retry-After`): a window other than
 * 10 s or 60 s, or a failing binding, is a `StoreError` (503, never a pass). A refusal waits the whole period.
 * `dryRun` is not supported (the binding always counts): it is a `StoreError` too.
 * @example
 * ```ts
 * // wrangler.jsonc: "ratelimits": [{ "name": "RL", "namespace_id": "1001", "simple": { "limit": 100, "period": 60 } }]
 * const limit = rateLimiter({ rate: "100/min", store: bindingCounters(env.RL) });
 * ```
 */
export function bindingCounters(binding: RateLimitBinding): BindingCounters {
  if (typeof binding?.limit !== "function") throw new StoreError("Rate Limiting binding: not a binding (no limit())");
  return {
    approximate: true,
    async hit(key: string, options: HitOptions): Promise<HitResult> {
      if (!PERIODS_MS.includes(options.windowMs)) throw new StoreError("Rate Limiting binding: only 10 s and 60 s periods exist");
      if (options.dryRun) throw new StoreError("Rate Limiting binding: cannot look without counting (dryRun)");
      let outcome: { success?: unknown };
      try {
        outcome = await binding.limit({ key });
      } catch (error) {
        throw new StoreError("Rate Limiting binding: limit() failed", { cause: error });
      }
      if (typeof outcome?.success !== "boolean") throw new StoreError("Rate Limiting binding: limit() gave an unexpected answer");
      // Unknown count: a refusal is reported as a full log whose oldest hit is unknown (the wait is the period).
      return outcome.success ? { allowed: true, count: 0, oldest: null } : { allowed: false, count: options.limit, oldest: null };
    },
  };
}
