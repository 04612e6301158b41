/**
 * The one counting step every rate throttle and `rateLimiter` share: an atomic sliding-log `hit` in the store and
 * DRF's wait. There is no other counter path.
 * @module
 */
import type { CounterStore, HitResult } from "../store/types.js";
import type { Rate } from "./rate.js";
import { waitMs } from "./rate.js";

/** A counted request: the store's log after the hit, and how long to wait when it was refused (0 when allowed). */
export interface Counted extends HitResult {
  readonly waitMs: number;
}

/**
 * Records one request under `key` (when the log has room) and answers the log and the wait.
 * @example
 * const counted = await countHit(store, "throttle:anon:5/60000:ip:203.0.113.7", { limit: 5, windowMs: 60_000 }, Date.now());
 */
export async function countHit(store: Pick<CounterStore, "hit">, key: string, rate: Rate, now: number): Promise<Counted> {
  const log = await store.hit(key, { limit: rate.limit, windowMs: rate.windowMs, now });
  return { allowed: log.allowed, count: log.count, oldest: log.oldest, waitMs: log.allowed ? 0 : waitMs(rate, log, now) };
}
