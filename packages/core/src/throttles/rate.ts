/**
 * Rates: DRF strings (`"100/day"`) or `{ limit, windowMs }`, and the pure sliding-log arithmetic.
 * @module
 */
import { ConfigError } from "../errors.js";

/** A rate: at most `limit` requests in any window of `windowMs`. */
export interface Rate {
  readonly limit: number;
  readonly windowMs: number;
}

/** A DRF rate string (`"5/min"`; the period is chosen by its first letter: s, m, h, d) or a `Rate`. */
export type RateInput = string | Rate;

const PERIOD_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a rate, throwing `ConfigError` (naming `option`) for anything malformed.
 * @example
 * parseRate("100/day"); // { limit: 100, windowMs: 86_400_000 }
 */
export function parseRate(rate: RateInput, option = "rate"): Rate {
  if (typeof rate === "string") {
    const parts = rate.split("/");
    const period = PERIOD_MS[parts[1]?.[0] ?? ""];
    if (parts.length !== 2 || !/^\d{1,9}$/.test(parts[0] ?? "") || period === undefined) {
      throw new ConfigError(option, `"${rate}" is not a rate such as "100/day" (N/s, N/min, N/hour, N/day)`);
    }
    return checked({ limit: Number(parts[0]), windowMs: period }, option);
  }
  if (typeof rate === "object" && rate !== null) return checked({ limit: rate.limit, windowMs: rate.windowMs }, option);
  throw new ConfigError(option, "must be a string such as \"100/day\" or { limit, windowMs }");
}

function checked(rate: Rate, option: string): Rate {
  if (!Number.isSafeInteger(rate.limit) || rate.limit < 1) throw new ConfigError(option, "limit must be a positive integer");
  if (!Number.isSafeInteger(rate.windowMs) || rate.windowMs < 1) {
    throw new ConfigError(option, "windowMs must be a positive integer");
  }
  return rate;
}

/**
 * DRF's `wait()`: how long until the log holds a free slot. `oldest` is the earliest live hit, `count` the live
 * hits; the remaining window is shared by the requests still available (DRF's formula, exact).
 * @example
 * waitMs({ limit: 2, windowMs: 3_600_000 }, { count: 2, oldest: 0 }, 1_000_000); // 2_600_000
 */
export function waitMs(rate: Rate, log: { count: number; oldest: number | null }, now: number): number {
  const remaining = log.oldest === null ? rate.windowMs : rate.windowMs - (now - log.oldest);
  const available = rate.limit - log.count + 1;
  if (available <= 0) return rate.windowMs;
  return Math.max(0, remaining / available);
}
