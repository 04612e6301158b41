/**
 * The sliding-log arithmetic of the counter object (internal): pure functions over one counter's log, the same
 * semantics as `memoryStore` and `d1Store` (a hit is allowed when fewer than `limit` hits lie in
 * `(now - windowMs, now]`; at most the newest `limit` live hits are kept).
 * @module
 */
import type { HitResult } from "@portcullis/core";

/** The live hits of a log at `now`, ascending, at most the newest `limit` of them. */
export function liveHits(log: readonly number[], now: number, windowMs: number, limit: number): number[] {
  const live = log.filter((at) => at > now - windowMs).sort((a, b) => a - b);
  return live.slice(Math.max(live.length - Math.max(limit, 0), 0));
}

/** The answer of a hit from the log after it. */
export function resultOf(allowed: boolean, log: readonly number[]): HitResult {
  const oldest = log.reduce<number | null>((min, at) => (min === null || at < min ? at : min), null);
  return { allowed, count: log.length, oldest };
}

/** The newest hit of a non-empty log. */
export function newest(log: readonly number[]): number {
  return log.reduce((max, at) => (at > max ? at : max), -Infinity);
}

/** Reads a stored log (JSON text); anything but an array of finite numbers is corrupt. */
export function parseLog(text: unknown): number[] {
  const log: unknown = typeof text === "string" ? JSON.parse(text) : null;
  if (!Array.isArray(log) || !log.every((at) => typeof at === "number" && Number.isFinite(at))) {
    throw new Error("corrupt counter log");
  }
  return log;
}
