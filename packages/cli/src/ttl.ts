/**
 * `--ttl` values (internal): a positive whole number and a unit, `s`, `m`, `h` or `d` (`45s`, `15m`, `12h`, `30d`).
 * @module
 */
import { isWithinDateRange } from "@portcullis/core";
import { usageError } from "./errors.js";

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds of a `--ttl` value; a usage error (exit 2) for anything else, and for a lifetime whose expiry
 * (from `now`) is past the end of JavaScript's Date range.
 */
export function parseTtl(text: string, now: number = Date.now()): number {
  const match = /^([1-9][0-9]{0,15})([smhd])$/.exec(text);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] as string] as number) : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw usageError(`--ttl: expected a positive whole number and a unit s, m, h or d (such as 30d, 12h, 15m, 45s), got "${text}"`);
  }
  if (!isWithinDateRange(now + ms)) {
    throw usageError(`--ttl: ${text} puts the expiry past the end of JavaScript's Date range (year 275760)`);
  }
  return ms;
}
