/**
 * The counting step every rate throttle and `rateLimiter` share: one atomic sliding-log `CounterStore.hit` with
 * these options, read with DRF's wait. There is no other counter path. (The callers await `store.hit` themselves,
 * so that a throttle check costs one awaited call, not two.)
 * @module
 */
import type { HitOptions, HitResult } from "../store/types.js";
import type { Rate } from "./rate.js";
import { waitMs } from "./rate.js";

/** A counted request: the store's log after the hit, and how long to wait when it was refused (0 when allowed). */
export interface Counted extends HitResult {
  readonly waitMs: number;
}

/**
 * The options of the hit that counts one request at `now`.
 * @example
 * const log = await store.hit(key, hitOptionsOf(rate, now));
 */
export function hitOptionsOf(rate: Rate, now: number): HitOptions {
  return { limit: rate.limit, windowMs: rate.windowMs, now };
}

/**
 * The store's answer with DRF's wait.
 * @example
 * const counted = countedOf(rate, await store.hit(key, hitOptionsOf(rate, now)), now);
 */
export function countedOf(rate: Rate, log: HitResult, now: number): Counted {
  return { allowed: log.allowed, count: log.count, oldest: log.oldest, waitMs: log.allowed ? 0 : waitMs(rate, log, now) };
}
