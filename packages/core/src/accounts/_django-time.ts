/**
 * Django's time and text helpers that the reset token hashes over (internal): `salted_hmac`, base 36, the seconds
 * since 2001-01-01 of `datetime.now()` (the wall clock of `TIME_ZONE`), and `str(datetime)`.
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

/** `salted_hmac(key_salt, value, secret, algorithm).hexdigest()`. */
export function saltedHmacHex(keySalt: string, value: string, secret: string, algorithm: "sha256" | "sha1"): string {
  const hash = algorithm === "sha256" ? sha256 : sha1;
  const key = hash(utf8ToBytes(keySalt + secret));
  return bytesToHex(hmac(hash, key, utf8ToBytes(value)));
}

/** `int_to_base36`. */
export function toBase36(value: number): string {
  return value.toString(36);
}

/** `base36_to_int` for the canonical form only (lowercase, at most 13 digits); `null` otherwise. */
export function fromBase36(text: string): number | null {
  if (!/^[0-9a-z]{1,13}$/.test(text)) return null;
  const value = parseInt(text, 36);
  return Number.isSafeInteger(value) ? value : null;
}

/** Epoch ms of 2001-01-01T00:00:00 as a wall-clock time (Django's reset-token epoch). */
const EPOCH_2001 = Date.UTC(2001, 0, 1);

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time of `epochMs` in `timeZone`, as epoch ms of the same fields read as UTC. */
export function wallClockMs(epochMs: number, timeZone: string): number {
  if (timeZone === "UTC") return epochMs;
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(part.year), Number(part.month) - 1, Number(part.day), Number(part.hour), Number(part.minute), Number(part.second));
  return wall + (epochMs % 1000 + 1000) % 1000;
}

/** `_num_seconds(datetime.now())`: whole seconds from 2001-01-01 to the wall clock of `timeZone`. */
export function secondsSince2001(epochMs: number, timeZone: string): number {
  return Math.trunc((wallClockMs(epochMs, timeZone) - EPOCH_2001) / 1000);
}

/** Seconds since the wall clock's midnight (3.2's legacy day-counting tokens). */
export function secondsSinceMidnight(epochMs: number, timeZone: string): number {
  const wall = wallClockMs(epochMs, timeZone);
  return Math.floor((((wall % 86_400_000) + 86_400_000) % 86_400_000) / 1000);
}

/** `str(last_login.replace(microsecond=0, tzinfo=None))` of a UTC datetime: `2024-05-01 09:30:00`. */
export function pythonDateTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19).replace("T", " ");
}
