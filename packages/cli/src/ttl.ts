/**
 * `--ttl` values (internal): a positive whole number and a unit, `s`, `m`, `h` or `d` (`45s`, `15m`, `12h`, `30d`).
 * @module
 */
import { usageError } from "./errors.js";

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a `--ttl` value; a usage error (exit 2) for anything else. */
export function parseTtl(text: string): number {
  const match = /^([1-9][0-9]{0,15})([smhd])$/.exec(text);
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] as string] as number) : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw usageError(`--ttl: expected a positive whole number and a unit s, m, h or d (such as 30d, 12h, 15m, 45s), got "${text}"`);
  }
  return ms;
}
