/**
 * The sliding-log counters of `memoryStore` (internal). Each key keeps at most `limit` timestamps, all
 * inside its window; expired keys are swept every few hits and by `purgeCounters`.
 * @module
 */
import type { HitOptions, HitResult } from "@portcullis/core";

interface Counter {
  windowMs: number;
  /** Live hits, epoch ms, in the order they were recorded. */
  log: number[];
}

/** The live hits of a log at `now`, keeping at most the newest `limit` of them. */
function liveHits(log: readonly number[], now: number, windowMs: number, limit: number): number[] {
  const cutoff = now - windowMs;
  const live = log.filter((at) => at > cutoff);
  if (live.length <= limit) return live;
  return live.sort((a, b) => a - b).slice(live.length - Math.max(limit, 0));
}

/** The earliest hit of a log, `null` when empty (a loop: logs may be too long to spread). */
function earliest(log: readonly number[]): number | null {
  return log.reduce<number | null>((min, at) => (min === null || at < min ? at : min), null);
}

/** Whether a counter's newest hit has left its window at `now`. */
function isExpired(counter: Counter, now: number): boolean {
  return counter.log.every((at) => at <= now - counter.windowMs);
}

/** An in-memory map of sliding-log counters. */
export class Counters {
  readonly #counters = new Map<string, Counter>();
  readonly #sweepEvery: number;
  #hitsSinceSweep = 0;

  constructor(sweepEvery: number) {
    this.#sweepEvery = sweepEvery;
  }

  /** One sliding-log step; synchronous, so atomic within the process. A limit below 1 only reads. */
  hit(key: string, { limit, windowMs, now, dryRun = false }: HitOptions): HitResult {
    const log = liveHits(this.#counters.get(key)?.log ?? [], now, windowMs, limit);
    const allowed = log.length < limit;
    if (!dryRun && limit >= 1) {
      if (allowed) log.push(now);
      if (log.length > 0) this.#counters.set(key, { windowMs, log });
      else this.#counters.delete(key);
      this.#maybeSweep(now);
    }
    return { allowed, count: log.length, oldest: earliest(log) };
  }

  /**
   * Removes the most recent entry of `key` whose timestamp is exactly `at` (synchronous, so atomic within the
   * process); answers whether there was one. A log left empty deletes its counter.
   */
  release(key: string, at: number): boolean {
    const counter = this.#counters.get(key);
    const index = counter ? counter.log.lastIndexOf(at) : -1;
    if (!counter || index < 0) return false;
    counter.log.splice(index, 1);
    if (counter.log.length === 0) this.#counters.delete(key);
    return true;
  }

  /** Deletes every expired counter; answers how many. */
  purge(now: number): number {
    let purged = 0;
    for (const [key, counter] of this.#counters) {
      if (isExpired(counter, now)) {
        this.#counters.delete(key);
        purged += 1;
      }
    }
    return purged;
  }

  #maybeSweep(now: number): void {
    this.#hitsSinceSweep += 1;
    if (this.#hitsSinceSweep < this.#sweepEvery) return;
    this.#hitsSinceSweep = 0;
    this.purge(now);
  }
}
